//! The Sign-In service's CreateOAuth2Token (restJson: `POST /v1/token`, unsigned, a DPoP
//! proof in the `DPoP` header), for both of its grants. The model's `tokenInput` and
//! `tokenOutput` are the HTTP payloads themselves:
//!
//! - a refresh sends `{"clientId","refreshToken","grantType":"refresh_token"}`
//!   (botocore's `LoginCredentialFetcher`);
//! - a sign-in's code exchange sends `{"clientId","grantType":"authorization_code",
//!   "code","codeVerifier","redirectUri"}` (the AWS CLI's `_exchange_auth_code_for_access_token`);
//! - the answer is `{"accessToken":{accessKeyId, secretAccessKey, sessionToken},
//!   "tokenType", "expiresIn", "refreshToken", "idToken"}` (`idToken` only on a sign-in);
//! - `AccessDeniedException`'s `error` says what the user must do.
//!
//! The service model is `signin` 2023-01-01. Builders and parsers pure; the call a thin
//! function.

use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};

use super::super::ServiceError;
use super::super::error::ResponseError;
use super::dpop::DpopKey;
use crate::endpoints::{self, Endpoint, EndpointConfig, EndpointError, EndpointSource, Service};
use crate::http::call::{ApiRequest, Caller};
use crate::secret::SecretString;

/// What CreateOAuth2Token gave back for a refresh.
#[derive(Clone)]
pub struct Refreshed {
    /// The new credentials (no expiry: `expires_in` gives it).
    pub access_key_id: String,
    /// Secret.
    pub secret_access_key: SecretString,
    /// Secret.
    pub session_token: SecretString,
    /// Seconds the credentials last.
    pub expires_in: i64,
    /// The next refresh token.
    pub refresh_token: SecretString,
}

impl std::fmt::Debug for Refreshed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refreshed")
            .field("access_key_id", &self.access_key_id)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// The longest `expiresIn` taken, in seconds (a year).
pub const MAX_EXPIRES_IN: i64 = 366 * 24 * 3600;

/// The path of CreateOAuth2Token.
pub const TOKEN_PATH: &str = "/v1/token";

/// The AWS managed policy that allows CreateOAuth2Token (`signin:CreateOAuth2Token`).
pub const POLICY: &str = "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess";

/// What an `AccessDeniedException` of CreateOAuth2Token means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// `TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`: the session is over; sign in again.
    SignInAgain(String),
    /// `INSUFFICIENT_PERMISSIONS`: the identity lacks [`POLICY`].
    InsufficientPermissions,
    /// `AUTHCODE_EXPIRED`: the sign-in's code was not exchanged in time.
    CodeExpired,
    /// Another error code, and the service's message.
    Other {
        /// `error`.
        code: String,
        /// `message`, if any.
        message: Option<String>,
    },
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignInAgain(code) => write!(
                f,
                "the console session is over ({code}): sign in again with `aws-login login` (or `aws login`)"
            ),
            Self::InsufficientPermissions => write!(
                f,
                "the identity may not get credentials for local development from its console session (INSUFFICIENT_PERMISSIONS): it needs the managed policy {POLICY}"
            ),
            Self::CodeExpired => f.write_str(
                "the sign-in's authorization code expired before it was exchanged (AUTHCODE_EXPIRED): run `aws-login login` again",
            ),
            Self::Other { code, message } => {
                write!(f, "the sign-in service refused CreateOAuth2Token ({code}")?;
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                f.write_str(")")
            }
        }
    }
}

impl std::error::Error for Denied {}

/// The body of a refresh (a secret: it holds the refresh token).
pub fn refresh_body(client_id: &str, refresh_token: &SecretString) -> SecretString {
    SecretString::new(
        serde_json::json!({
            "clientId": client_id,
            "refreshToken": refresh_token.expose(),
            "grantType": "refresh_token",
        })
        .to_string(),
    )
}

/// The body of a sign-in's code exchange (a secret: the code and its verifier).
/// `redirect_uri` is the one the authorize request named.
pub fn code_body(
    client_id: &str,
    code: &SecretString,
    code_verifier: &SecretString,
    redirect_uri: &str,
) -> SecretString {
    SecretString::new(
        serde_json::json!({
            "clientId": client_id,
            "grantType": "authorization_code",
            "code": code.expose(),
            "codeVerifier": code_verifier.expose(),
            "redirectUri": redirect_uri,
        })
        .to_string(),
    )
}

/// What a sign-in's code exchange gave: the refresh's members and the `tokenType` and
/// `idToken` a refresh does not give. `Debug` shows no secret.
#[derive(Clone)]
pub struct Granted {
    /// The credentials, their lifetime and the refresh token.
    pub token: Refreshed,
    /// `tokenType` (`aws_sigv4`).
    pub token_type: String,
    /// `idToken`: a JWT whose `sub` names the session.
    pub id_token: SecretString,
}

impl std::fmt::Debug for Granted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Granted")
            .field("token", &self.token)
            .field("token_type", &self.token_type)
            .finish_non_exhaustive()
    }
}

/// Reads a 200 answer to a code exchange.
pub fn parse_granted(status: u16, json: &serde_json::Value) -> Result<Granted, ResponseError> {
    let token = parse_refresh(status, json)?;
    let field = |name: &'static str| {
        json.get(name)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(ResponseError::MissingField {
                status,
                field: name,
            })
    };
    Ok(Granted {
        token,
        token_type: field("tokenType")?,
        id_token: SecretString::new(field("idToken")?),
    })
}

/// The Sign-In service's endpoint for `region`, as its endpoint rules give it for
/// CreateOAuth2Token: `AWS_ENDPOINT_URL_SIGNIN` (or `AWS_ENDPOINT_URL`) as given; else
/// `https://{region}.{the partition's sign-in host}` (`us-east-1.signin.aws.amazon.com`,
/// `…signin.amazonaws.cn`, `…signin.c2shome.ic.gov`...), with `AWS_USE_FIPS_ENDPOINT`
/// `https://signin-fips.{region}.{dns suffix}` (`signin-fips.amazonaws-us-gov.com` for
/// us-gov-west-1), with `AWS_USE_DUALSTACK_ENDPOINT` `https://signin.{region}.{dual-stack
/// suffix}`. Errors: an override that is not a URL; dual-stack where the partition has
/// none.
pub fn endpoint(
    region: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, EndpointError> {
    let none = |_: &str| None;
    let config = EndpointConfig::gather(Some(region.to_owned()), None, env, &none);
    match endpoints::resolve(Service::Signin, &config, env, &none) {
        Ok(configured) if configured.source != EndpointSource::Default => return Ok(configured),
        Ok(_) | Err(EndpointError::Unsupported { .. }) => {}
        Err(e) => return Err(e),
    }
    let partition = endpoints::partition_of(region);
    let url = match (config.use_fips, config.use_dual_stack) {
        (true, false) if region == "us-gov-west-1" => {
            "https://signin-fips.amazonaws-us-gov.com".to_owned()
        }
        (true, false) => format!("https://signin-fips.{region}.{}", partition.dns_suffix),
        (fips, true) => {
            let suffix = partition
                .dual_stack_suffix
                .ok_or(EndpointError::Unsupported {
                    service: Service::Signin,
                    partition: partition.name,
                    what: "dual-stack",
                })?;
            let name = if fips { "signin-fips" } else { "signin" };
            format!("https://{name}.{region}.{suffix}")
        }
        (false, false) => format!("https://{region}.{}", partition.sign_in_service_host),
    };
    Ok(Endpoint {
        url,
        signing_region: region.to_owned(),
        source: EndpointSource::Default,
        refused: None,
    })
}

/// Reads a 200 answer to a refresh.
pub fn parse_refresh(status: u16, json: &serde_json::Value) -> Result<Refreshed, ResponseError> {
    let field = |path: &str, name: &'static str| {
        json.pointer(path)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or(ResponseError::MissingField {
                status,
                field: name,
            })
    };
    Ok(Refreshed {
        access_key_id: field("/accessToken/accessKeyId", "accessKeyId")?,
        secret_access_key: SecretString::new(field(
            "/accessToken/secretAccessKey",
            "secretAccessKey",
        )?),
        session_token: SecretString::new(field("/accessToken/sessionToken", "sessionToken")?),
        expires_in: match json.pointer("/expiresIn") {
            None | Some(serde_json::Value::Null) => {
                return Err(ResponseError::MissingField {
                    status,
                    field: "expiresIn",
                });
            }
            // Whole seconds, up to a year (a time past that is not a credential's).
            Some(v) => v
                .as_i64()
                .filter(|s| (1..=MAX_EXPIRES_IN).contains(s))
                .ok_or_else(|| ResponseError::Malformed {
                    status,
                    detail: "expiresIn is not a whole number of seconds from 1 to a year".into(),
                })?,
        },
        refresh_token: SecretString::new(field("/refreshToken", "refreshToken")?),
    })
}

/// What an `AccessDeniedException` body says (its `error` member).
pub fn denied(body: &serde_json::Value) -> Denied {
    // The service's words, on one line and of a sane length (the cause chain is printed
    // through the terminal filter too).
    let message = body
        .get("message")
        .and_then(serde_json::Value::as_str)
        .map(|m| {
            m.chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect::<String>()
        })
        .filter(|m| !m.trim().is_empty());
    match body.get("error").and_then(serde_json::Value::as_str) {
        Some(code @ ("TOKEN_EXPIRED" | "USER_CREDENTIALS_CHANGED")) => {
            Denied::SignInAgain(code.to_owned())
        }
        Some("INSUFFICIENT_PERMISSIONS") => Denied::InsufficientPermissions,
        Some("AUTHCODE_EXPIRED") => Denied::CodeExpired,
        Some(other) => Denied::Other {
            code: other.to_owned(),
            message,
        },
        None => Denied::Other {
            code: "no error code".to_owned(),
            message,
        },
    }
}

/// Why CreateOAuth2Token gave no token.
#[derive(Debug)]
pub enum TokenError {
    /// The service said no, and what to do.
    Denied(Denied),
    /// The call failed or its answer could not be read.
    Service(ServiceError),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Denied(d) => d.fmt(f),
            Self::Service(_) => f.write_str("CreateOAuth2Token failed"),
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Denied(_) => None,
            Self::Service(e) => Some(e),
        }
    }
}

/// Makes a proof's unique id (`jti`) for each attempt; `None`: the random source failed.
pub type ProofId<'a> = &'a dyn Fn() -> Option<String>;

/// Refreshes a session: CreateOAuth2Token on `endpoint`, each attempt with a DPoP proof
/// of its own, made with `key` at the caller's time, its `jti` from `proof_id`.
pub async fn refresh(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    key: &DpopKey,
    client_id: &str,
    refresh_token: &SecretString,
    proof_id: ProofId<'_>,
) -> Result<Refreshed, TokenError> {
    let body = refresh_body(client_id, refresh_token);
    let (status, json) = create_oauth2_token(caller, endpoint, key, &body, proof_id).await?;
    parse_refresh(status, &json).map_err(|e| TokenError::Service(e.into()))
}

/// Exchanges a sign-in's authorization code: CreateOAuth2Token with
/// [`code_body`]'s members, each attempt proven with the new session's `key`.
pub async fn exchange(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    key: &DpopKey,
    body: &SecretString,
    proof_id: ProofId<'_>,
) -> Result<Granted, TokenError> {
    let (status, json) = create_oauth2_token(caller, endpoint, key, body, proof_id).await?;
    parse_granted(status, &json).map_err(|e| TokenError::Service(e.into()))
}

/// CreateOAuth2Token with `body`: the answer's status and JSON, or why there is none.
async fn create_oauth2_token(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    key: &DpopKey,
    body: &SecretString,
    proof_id: ProofId<'_>,
) -> Result<(u16, serde_json::Value), TokenError> {
    if let Some(refused) = &endpoint.refused {
        return Err(TokenError::Service(ServiceError::Endpoint(refused.clone())));
    }
    let url = format!("{}{TOKEN_PATH}", endpoint.url.trim_end_matches('/'));
    // A proof is good for one request (its jti): each attempt gets its own, dated when
    // it is sent (the caller's clock, corrected for skew).
    let proof = || {
        let proof = key.proof("POST", &url, caller.now().timestamp(), &proof_id()?);
        HeaderValue::from_str(&proof).ok()
    };
    let request = ApiRequest {
        method: Method::POST,
        endpoint: &endpoint.url,
        path: TOKEN_PATH,
        body: hyper::body::Bytes::from(body.expose().to_owned()).into(),
        payload_hash: None,
        content_type: "application/json",
        signing: None,
        headers: Vec::new(),
        signed_headers: Vec::new(),
        signing_settings: None,
        per_attempt: Some((HeaderName::from_static("dpop"), &proof)),
        // A refresh token or a code may be spent by a request whose answer was lost: a
        // cut or silent connection is not retried (a throttle or a 5xx answer is).
        idempotent: false,
        max_body_bytes: Some(64 * 1024),
        error_code: super::super::error::error_code,
    };
    let answer = caller
        .call(&request)
        .await
        .map_err(|e| TokenError::Service(e.into()))?
        .response;
    let error_type = answer
        .headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok());
    if answer.status == 403 || error_type.is_some_and(|t| t.starts_with("AccessDeniedException")) {
        let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        return Err(TokenError::Denied(denied(&json)));
    }
    let json = super::super::rest_json::read_response(answer.status, error_type, &answer.body)
        .map_err(|e| TokenError::Service(e.into()))?;
    Ok((answer.status, json))
}

#[cfg(test)]
mod tests;
