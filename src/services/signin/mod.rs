//! The console federation endpoint (IAM User Guide, "Enable custom identity broker access
//! to the AWS console"): `getSigninToken` turns temporary credentials into a sign-in
//! token, and the `login` URL carries that token to the console.
//!
//! - `GET /federation?Action=getSigninToken[&SessionDuration=S]&Session=JSON`, where the
//!   `Session` JSON is `{"sessionId", "sessionKey", "sessionToken"}`: the answer is
//!   `{"SigninToken": "…"}`. `SessionDuration` (900 to 43200 s) is the endpoint's own
//!   name (not `DurationSeconds`); it is left out for role-chain credentials, which AWS
//!   limits to an hour.
//! - `/federation?Action=login&Issuer=…&Destination=…&SigninToken=…`, the link a browser
//!   opens; optionally through the console's logout first
//!   (`/oauth?Action=logout&redirect_uri=<login link>`), so an existing console session is
//!   replaced rather than refused.
//!
//! The session JSON, the sign-in token and the link are bearer secrets: the request goes
//! through the transport, whose traces never show a query, and the token is a
//! [`SecretString`].

pub mod authorize;
pub mod dpop;
pub mod token;

use hyper::Method;

use super::error::{ResponseError, ServiceError};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::{ApiRequest, Caller};
use crate::secret::SecretString;
use crate::sigv4::encode_query_component;

/// The longest console session `SessionDuration` may ask for (12 hours).
pub const MAX_SESSION_SECONDS: u32 = 43_200;
/// The shortest (15 minutes).
pub const MIN_SESSION_SECONDS: u32 = 900;

/// Why a sign-in token cannot be asked for (nothing is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigninRefused {
    /// Long-term keys (no session token) cannot sign in to the console.
    LongTermKeys,
    /// `SessionDuration` out of 900-43200.
    Duration(u32),
}

impl std::fmt::Display for SigninRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LongTermKeys => f.write_str(
                "long-term IAM user keys cannot sign in to the console: add --get-federation-token (with --federation-policy-arns or --federation-policy to narrow it)",
            ),
            Self::Duration(s) => write!(
                f,
                "SessionDuration {s} is out of 900 to 43200 seconds (--duration-seconds)"
            ),
        }
    }
}

impl std::error::Error for SigninRefused {}

/// The `Session` JSON of `credentials` (a secret).
pub fn session_json(credentials: &Credentials) -> Result<SecretString, SigninRefused> {
    let token = credentials
        .session_token()
        .ok_or(SigninRefused::LongTermKeys)?;
    Ok(SecretString::new(
        serde_json::json!({
            "sessionId": credentials.access_key_id(),
            "sessionKey": credentials.secret_access_key().expose(),
            "sessionToken": token.expose(),
        })
        .to_string(),
    ))
}

/// The path and query of `getSigninToken` (a secret: it holds the session).
pub fn get_signin_token_path(
    credentials: &Credentials,
    session_duration: Option<u32>,
) -> Result<SecretString, SigninRefused> {
    let session = session_json(credentials)?;
    let mut path = String::from("/federation?Action=getSigninToken");
    if let Some(seconds) = session_duration {
        if !(MIN_SESSION_SECONDS..=MAX_SESSION_SECONDS).contains(&seconds) {
            return Err(SigninRefused::Duration(seconds));
        }
        path.push_str(&format!("&SessionDuration={seconds}"));
    }
    path.push_str("&Session=");
    encode_query_component(&mut path, session.expose());
    Ok(SecretString::new(path))
}

/// Reads the answer: the `SigninToken` of a JSON object.
pub fn parse_signin_token(
    status: u16,
    json: &serde_json::Value,
) -> Result<SecretString, ResponseError> {
    json.get("SigninToken")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .map(SecretString::new)
        .ok_or(ResponseError::MissingField {
            status,
            field: "SigninToken",
        })
}

/// Calls `getSigninToken` with a path from [`get_signin_token_path`] (which refuses,
/// before anything is sent, what the endpoint would): unsigned, the session authenticates
/// it.
pub async fn get_signin_token(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    path: &SecretString,
) -> Result<SecretString, ServiceError> {
    if let Some(refused) = &endpoint.refused {
        return Err(ServiceError::Endpoint(refused.clone()));
    }
    let request = ApiRequest {
        method: Method::GET,
        endpoint: &endpoint.url,
        path: path.expose(),
        body: hyper::body::Bytes::new().into(),
        payload_hash: None,
        content_type: "application/x-www-form-urlencoded",
        signing: None,
        headers: Vec::new(),
        signed_headers: Vec::new(),
        signing_settings: None,
        per_attempt: None,
        idempotent: true,
        max_body_bytes: Some(64 * 1024),
        error_code: super::error::error_code,
    };
    let (status, document) = super::rest_json::send(caller, &request).await?;
    Ok(parse_signin_token(status, &document)?)
}

/// The console link: `<sign-in endpoint>/federation?Action=login&Issuer=…&Destination=…
/// &SigninToken=…`, through the console's logout first when `logout_first` (a secret).
pub fn login_url(
    signin: &Endpoint,
    issuer: &str,
    destination: &str,
    token: &SecretString,
    logout_first: bool,
) -> SecretString {
    let base = signin.url.trim_end_matches('/');
    let mut url = format!("{base}/federation?Action=login&Issuer=");
    encode_query_component(&mut url, issuer);
    url.push_str("&Destination=");
    encode_query_component(&mut url, destination);
    url.push_str("&SigninToken=");
    encode_query_component(&mut url, token.expose());
    if !logout_first {
        return SecretString::new(url);
    }
    let mut through = format!("{base}/oauth?Action=logout&redirect_uri=");
    encode_query_component(&mut through, &url);
    SecretString::new(through)
}

/// Service names whose console page is not at `/<name>/home`: the API's name (as
/// botocore names the service) to the console's path, and the fragment that opens the
/// right view, if any.
const CONSOLE_PATHS: [(&str, &str, &str); 8] = [
    ("dynamodb", "dynamodbv2", ""),
    ("sso", "singlesignon", ""),
    ("identitycenter", "singlesignon", ""),
    ("stepfunctions", "states", ""),
    ("sfn", "states", ""),
    ("logs", "cloudwatch", "#logsV2:log-groups"),
    ("ssm", "systems-manager", ""),
    ("ecs", "ecs/v2", ""),
];

/// A `--destination` that is neither a URL nor a service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDestination(pub String);

impl std::fmt::Display for BadDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--destination {:?} is neither a console URL (https://...) nor a service name such as ec2, s3 or cloudwatch",
            self.0
        )
    }
}

impl std::error::Error for BadDestination {}

/// `url` when it is a URL a browser can open as a console page: `https://` (or `http://`,
/// for a console on loopback in tests; either in any case), a host, a valid port, at
/// most 4096 characters, no whitespace or control characters.
pub fn full_url(url: &str) -> Option<&str> {
    let scheme_ok = url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        || url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    let clean = url.len() <= 4096 && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    let uri: hyper::Uri = url.parse().ok().filter(|_| scheme_ok && clean)?;
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    (host_ok && crate::http::client::port_ok(&uri)).then_some(url)
}

/// The console page of `destination` in `console_host` for `region`: a full URL
/// ([`full_url`]: `https://…`, or `http://…` for a console on loopback) is taken as it is; a
/// service name (`ec2`, `s3`, `cloudwatch`; lower-case letters, digits, `-`) becomes
/// that service's home page (`https://<console_host>/<service>/home?region=<region>`,
/// with the few services whose console path differs mapped); nothing, the console's
/// home. Anything else is refused.
pub fn destination_url(
    console_host: &str,
    destination: Option<&str>,
    region: &str,
) -> Result<String, BadDestination> {
    let mut url = format!("https://{console_host}/");
    match destination.map(str::trim).filter(|d| !d.is_empty()) {
        Some(full) if full.contains("://") => {
            return full_url(full)
                .map(str::to_owned)
                .ok_or_else(|| BadDestination(full.to_owned()));
        }
        Some(service) => {
            let name = service.to_ascii_lowercase();
            let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
            if !name.chars().all(plain) || name.starts_with('-') {
                return Err(BadDestination(service.to_owned()));
            }
            let (path, fragment) = CONSOLE_PATHS
                .iter()
                .find(|(alias, _, _)| *alias == name)
                .map_or((name.as_str(), ""), |(_, path, fragment)| {
                    (*path, *fragment)
                });
            url.push_str(path);
            url.push_str("/home?region=");
            encode_query_component(&mut url, region);
            url.push_str(fragment);
        }
        None => {
            url.push_str("console/home?region=");
            encode_query_component(&mut url, region);
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::EndpointSource;

    fn temporary() -> Credentials {
        Credentials::new(
            "ASIAEXAMPLE",
            "SECRET/KEY+1",
            Some(SecretString::new("TOKEN=")),
            None,
        )
    }

    fn signin(url: &str) -> Endpoint {
        Endpoint {
            url: url.into(),
            signing_region: "us-east-1".into(),
            source: EndpointSource::Default,
            refused: None,
        }
    }

    #[test]
    fn the_token_request_carries_the_session_and_its_duration() {
        let path = get_signin_token_path(&temporary(), Some(3600)).unwrap();
        assert_eq!(
            path.expose(),
            "/federation?Action=getSigninToken&SessionDuration=3600&Session=%7B%22sessionId%22%3A%22ASIAEXAMPLE%22%2C%22sessionKey%22%3A%22SECRET%2FKEY%2B1%22%2C%22sessionToken%22%3A%22TOKEN%3D%22%7D"
        );
        assert!(!format!("{path:?}").contains("SECRET"));
        // Role-chain credentials: no SessionDuration at all.
        let path = get_signin_token_path(&temporary(), None).unwrap();
        assert!(!path.expose().contains("SessionDuration"));
        assert!(!path.expose().contains("DurationSeconds"));
        assert_eq!(
            get_signin_token_path(&temporary(), Some(899)).err(),
            Some(SigninRefused::Duration(899))
        );
        let long_term = Credentials::new("AKIA", "s", None, None);
        assert_eq!(
            get_signin_token_path(&long_term, None).err(),
            Some(SigninRefused::LongTermKeys)
        );
    }

    #[test]
    fn answers_without_a_token_are_refused() {
        assert_eq!(
            parse_signin_token(200, &serde_json::json!({"SigninToken": "T"}))
                .unwrap()
                .expose(),
            "T"
        );
        assert!(matches!(
            parse_signin_token(200, &serde_json::json!({})),
            Err(ResponseError::MissingField {
                field: "SigninToken",
                ..
            })
        ));
    }

    #[test]
    fn links_per_partition_destination_and_logout() {
        let token = SecretString::new("SIGNIN/TOKEN");
        let dest = destination_url("console.amazonaws.cn", Some("ec2"), "cn-north-1").unwrap();
        assert_eq!(
            dest,
            "https://console.amazonaws.cn/ec2/home?region=cn-north-1"
        );
        let link = login_url(
            &signin("https://signin.amazonaws.cn"),
            "aws-login",
            &dest,
            &token,
            false,
        );
        assert_eq!(
            link.expose(),
            "https://signin.amazonaws.cn/federation?Action=login&Issuer=aws-login&Destination=https%3A%2F%2Fconsole.amazonaws.cn%2Fec2%2Fhome%3Fregion%3Dcn-north-1&SigninToken=SIGNIN%2FTOKEN"
        );
        let through = login_url(
            &signin("https://signin.aws.amazon.com"),
            "aws-login",
            "https://console.aws.amazon.com/",
            &token,
            true,
        );
        assert!(
            through
                .expose()
                .starts_with("https://signin.aws.amazon.com/oauth?Action=logout&redirect_uri=https%3A%2F%2Fsignin.aws.amazon.com%2Ffederation%3FAction%3Dlogin"),
            "{}",
            through.expose()
        );
        let dest = |d: Option<&str>| destination_url("console.aws.amazon.com", d, "eu-west-1");
        assert_eq!(
            dest(None).unwrap(),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        assert_eq!(
            dest(Some("https://console.aws.amazon.com/s3/buckets/x")).unwrap(),
            "https://console.aws.amazon.com/s3/buckets/x"
        );
        assert_eq!(
            dest(Some("CloudWatch")).unwrap(),
            "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        );
        assert_eq!(
            dest(Some("dynamodb")).unwrap(),
            "https://console.aws.amazon.com/dynamodbv2/home?region=eu-west-1"
        );
        assert_eq!(
            dest(Some("logs")).unwrap(),
            "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups"
        );
        assert_eq!(
            destination_url("console.amazonaws-us-gov.com", Some("s3"), "us-gov-west-1").unwrap(),
            "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1"
        );
        assert_eq!(
            dest(Some("HTTPS://eu-west-1.console.aws.amazon.com/ec2/home")).unwrap(),
            "HTTPS://eu-west-1.console.aws.amazon.com/ec2/home"
        );
        for bad in [
            "ec2/../x",
            "javascript:alert(1)",
            "s3 buckets",
            "-x",
            "https://",
            "https:///x",
            "https://console.aws.amazon.com:99999/",
            "https://console.aws.amazon.com/a b",
            "https://console.aws.amazon.com/\r\nx",
            "ftp://console.aws.amazon.com/",
        ] {
            assert_eq!(dest(Some(bad)), Err(BadDestination(bad.to_owned())));
        }
    }
}
