//! IAM Identity Center OIDC (`sso-oidc`, 2019-06-10; restJson, unsigned): RegisterClient,
//! StartDeviceAuthorization and CreateToken, each a body builder, a parser of the answer
//! and a thin call; and the OAuth errors a sign-in waits on or ends with.
//!
//! The members are the service model's (botocore's `sso-oidc/2019-06-10`); what is sent
//! for each flow is what the AWS CLI v2 sends (`SSOTokenFetcher`, `SSOTokenFetcherAuth`).
//! Client secrets, device codes, authorization codes, verifiers and tokens are
//! [`SecretString`]s: they are only ever exposed into a request body.

use std::fmt;

use chrono::{DateTime, Utc};
use hyper::Method;

use super::error::{ResponseError, ServiceError};
use super::rest_json;
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::secret::SecretString;

/// The scope that makes tokens refreshable and lets them reach the portal.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// The grant type of the device authorization flow (RFC 8628).
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The grant types a PKCE (authorization code) registration asks for.
pub const AUTH_CODE_GRANTS: [&str; 2] = ["authorization_code", "refresh_token"];

/// RegisterClient's members.
#[derive(Debug, Clone, Default)]
pub struct RegisterClientRequest<'a> {
    /// `clientName` (the AWS CLI's: `botocore-client-<session name or timestamp>`).
    pub client_name: &'a str,
    /// `scopes`: none for a legacy (non-refreshable) registration.
    pub scopes: &'a [String],
    /// `grantTypes`: empty for the device flow (the service's default).
    pub grant_types: &'a [&'a str],
    /// `redirectUris`.
    pub redirect_uris: &'a [&'a str],
    /// `issuerUrl`: the start URL, for an authorization code registration.
    pub issuer_url: Option<&'a str>,
}

/// The JSON body of RegisterClient (`clientType` is always `public`).
pub fn register_client_body(req: &RegisterClientRequest<'_>) -> serde_json::Value {
    let mut body = serde_json::json!({
        "clientName": req.client_name,
        "clientType": "public",
    });
    if !req.scopes.is_empty() {
        body["scopes"] = serde_json::json!(req.scopes);
    }
    if !req.grant_types.is_empty() {
        body["grantTypes"] = serde_json::json!(req.grant_types);
    }
    if !req.redirect_uris.is_empty() {
        body["redirectUris"] = serde_json::json!(req.redirect_uris);
    }
    if let Some(issuer) = req.issuer_url {
        body["issuerUrl"] = serde_json::json!(issuer);
    }
    body
}

/// A registered client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret` (a secret).
    pub client_secret: SecretString,
    /// `clientSecretExpiresAt`: when the registration ends.
    pub expires_at: DateTime<Utc>,
}

fn text<'j>(
    json: &'j serde_json::Value,
    status: u16,
    field: &'static str,
) -> Result<&'j str, ResponseError> {
    json.get(field)
        .and_then(serde_json::Value::as_str)
        .filter(|v| !v.is_empty())
        .ok_or(ResponseError::MissingField { status, field })
}

fn seconds(
    json: &serde_json::Value,
    status: u16,
    field: &'static str,
) -> Result<i64, ResponseError> {
    json.get(field)
        .and_then(serde_json::Value::as_i64)
        .filter(|s| *s >= 0)
        .ok_or(ResponseError::InvalidField { status, field })
}

/// Reads a RegisterClient answer.
pub fn parse_register_client(
    status: u16,
    json: &serde_json::Value,
) -> Result<Registration, ResponseError> {
    Ok(Registration {
        client_id: text(json, status, "clientId")?.to_owned(),
        client_secret: SecretString::new(text(json, status, "clientSecret")?),
        expires_at: DateTime::from_timestamp(seconds(json, status, "clientSecretExpiresAt")?, 0)
            .ok_or(ResponseError::InvalidField {
                status,
                field: "clientSecretExpiresAt",
            })?,
    })
}

/// Calls RegisterClient.
pub async fn register_client(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    req: &RegisterClientRequest<'_>,
) -> Result<Registration, ServiceError> {
    let body = register_client_body(req);
    rest_json::call(
        caller,
        endpoint,
        Method::POST,
        "/client/register",
        Some(&body),
        Vec::new(),
        parse_register_client,
    )
    .await
}

/// A started device authorization (RFC 8628 section 3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    /// `deviceCode` (a secret: whoever holds it gets the token once approved).
    pub device_code: SecretString,
    /// `userCode`: what the user checks on the page.
    pub user_code: String,
    /// `verificationUri`.
    pub verification_uri: String,
    /// `verificationUriComplete`: the page with the code filled in, when given.
    pub verification_uri_complete: Option<String>,
    /// `expiresIn`, seconds.
    pub expires_in: i64,
    /// `interval`, seconds between polls (5 when absent, as the RFC says).
    pub interval: i64,
}

/// The JSON body of StartDeviceAuthorization.
pub fn start_device_authorization_body(
    registration: &Registration,
    start_url: &str,
) -> serde_json::Value {
    serde_json::json!({
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret.expose(),
        "startUrl": start_url,
    })
}

/// Reads a StartDeviceAuthorization answer.
pub fn parse_start_device_authorization(
    status: u16,
    json: &serde_json::Value,
) -> Result<DeviceAuthorization, ResponseError> {
    Ok(DeviceAuthorization {
        device_code: SecretString::new(text(json, status, "deviceCode")?),
        user_code: text(json, status, "userCode")?.to_owned(),
        verification_uri: text(json, status, "verificationUri")?.to_owned(),
        verification_uri_complete: text(json, status, "verificationUriComplete")
            .ok()
            .map(str::to_owned),
        expires_in: seconds(json, status, "expiresIn")?,
        interval: match json.get("interval") {
            None | Some(serde_json::Value::Null) => 5,
            Some(_) => seconds(json, status, "interval")?.max(1),
        },
    })
}

/// Calls StartDeviceAuthorization.
pub async fn start_device_authorization(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    registration: &Registration,
    start_url: &str,
) -> Result<DeviceAuthorization, ServiceError> {
    let body = start_device_authorization_body(registration, start_url);
    rest_json::call(
        caller,
        endpoint,
        Method::POST,
        "/device_authorization",
        Some(&body),
        Vec::new(),
        parse_start_device_authorization,
    )
    .await
}

/// What CreateToken exchanges.
#[derive(Debug, Clone, Copy)]
pub enum Grant<'a> {
    /// A device code, once the user approved it.
    DeviceCode(&'a SecretString),
    /// An authorization code from the redirect, with the PKCE verifier and the
    /// redirect URI it was sent to.
    AuthorizationCode {
        /// `code`.
        code: &'a SecretString,
        /// `codeVerifier`.
        code_verifier: &'a SecretString,
        /// `redirectUri`.
        redirect_uri: &'a str,
    },
    /// A refresh token.
    RefreshToken(&'a SecretString),
}

/// The JSON body of CreateToken.
pub fn create_token_body(registration: &Registration, grant: Grant<'_>) -> serde_json::Value {
    let mut body = serde_json::json!({
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret.expose(),
    });
    match grant {
        Grant::DeviceCode(code) => {
            body["grantType"] = serde_json::json!(DEVICE_CODE_GRANT);
            body["deviceCode"] = serde_json::json!(code.expose());
        }
        Grant::AuthorizationCode {
            code,
            code_verifier,
            redirect_uri,
        } => {
            body["grantType"] = serde_json::json!("authorization_code");
            body["code"] = serde_json::json!(code.expose());
            body["codeVerifier"] = serde_json::json!(code_verifier.expose());
            body["redirectUri"] = serde_json::json!(redirect_uri);
        }
        Grant::RefreshToken(token) => {
            body["grantType"] = serde_json::json!("refresh_token");
            body["refreshToken"] = serde_json::json!(token.expose());
        }
    }
    body
}

/// What CreateToken gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// `accessToken`.
    pub access_token: SecretString,
    /// `expiresIn`, seconds.
    pub expires_in: i64,
    /// `refreshToken`, when the registration has scopes (a new one may replace the old).
    pub refresh_token: Option<SecretString>,
}

/// Reads a CreateToken answer.
pub fn parse_create_token(
    status: u16,
    json: &serde_json::Value,
) -> Result<TokenGrant, ResponseError> {
    Ok(TokenGrant {
        access_token: SecretString::new(text(json, status, "accessToken")?),
        // A token that expires as it is issued is no token.
        expires_in: seconds(json, status, "expiresIn")
            .ok()
            .filter(|s| *s > 0)
            .ok_or(ResponseError::InvalidField {
                status,
                field: "expiresIn",
            })?,
        refresh_token: text(json, status, "refreshToken")
            .ok()
            .map(SecretString::new),
    })
}

/// Calls CreateToken.
pub async fn create_token(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    registration: &Registration,
    grant: Grant<'_>,
) -> Result<TokenGrant, ServiceError> {
    let body = create_token_body(registration, grant);
    rest_json::call(
        caller,
        endpoint,
        Method::POST,
        "/token",
        Some(&body),
        Vec::new(),
        parse_create_token,
    )
    .await
}

/// The OAuth errors a sign-in reacts to (RFC 6749 section 5.2, RFC 8628 section 3.5),
/// as the service names them: the exception (`AuthorizationPendingException`) in
/// `x-amzn-errortype`, or the OAuth code (`authorization_pending`) in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthError {
    /// The user has not approved yet: poll again.
    AuthorizationPending,
    /// Polling too fast: add 5 seconds to the interval.
    SlowDown,
    /// The device code (or the authorization) expired.
    ExpiredToken,
    /// The user denied the request.
    AccessDenied,
    /// The code or refresh token is invalid, used or revoked.
    InvalidGrant,
    /// The client registration is unknown or expired.
    InvalidClient,
}

impl OAuthError {
    /// The OAuth error a failed call carries, if any.
    pub fn of(error: &ServiceError) -> Option<Self> {
        let code = error.aws()?.code.as_str();
        Some(match code {
            "AuthorizationPendingException" | "authorization_pending" => Self::AuthorizationPending,
            "SlowDownException" | "slow_down" => Self::SlowDown,
            "ExpiredTokenException" | "expired_token" => Self::ExpiredToken,
            "AccessDeniedException" | "access_denied" => Self::AccessDenied,
            "InvalidGrantException" | "invalid_grant" => Self::InvalidGrant,
            "InvalidClientException" | "invalid_client" | "UnauthorizedClientException" => {
                Self::InvalidClient
            }
            _ => return None,
        })
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::AccessDenied => "access_denied",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidClient => "invalid_client",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::AwsError;

    fn registration() -> Registration {
        Registration {
            client_id: "cid".into(),
            client_secret: SecretString::new("CLIENTSECRET"),
            expires_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn bodies_carry_the_models_members() {
        let scopes = vec![DEFAULT_SCOPE.to_owned()];
        let body = register_client_body(&RegisterClientRequest {
            client_name: "botocore-client-my-sso",
            scopes: &scopes,
            grant_types: &AUTH_CODE_GRANTS,
            redirect_uris: &["http://127.0.0.1/oauth/callback"],
            issuer_url: Some("https://d-1.awsapps.com/start"),
        });
        assert_eq!(
            body,
            serde_json::json!({
                "clientName": "botocore-client-my-sso",
                "clientType": "public",
                "scopes": ["sso:account:access"],
                "grantTypes": ["authorization_code", "refresh_token"],
                "redirectUris": ["http://127.0.0.1/oauth/callback"],
                "issuerUrl": "https://d-1.awsapps.com/start",
            })
        );
        // A legacy (--nrt) device registration sends only the name and type.
        let legacy = register_client_body(&RegisterClientRequest {
            client_name: "n",
            ..Default::default()
        });
        assert_eq!(
            legacy,
            serde_json::json!({"clientName": "n", "clientType": "public"})
        );
        let reg = registration();
        let code = SecretString::new("DEVICECODE");
        assert_eq!(
            create_token_body(&reg, Grant::DeviceCode(&code)),
            serde_json::json!({
                "clientId": "cid",
                "clientSecret": "CLIENTSECRET",
                "grantType": DEVICE_CODE_GRANT,
                "deviceCode": "DEVICECODE",
            })
        );
        let verifier = SecretString::new("VERIFIER");
        let body = create_token_body(
            &reg,
            Grant::AuthorizationCode {
                code: &code,
                code_verifier: &verifier,
                redirect_uri: "http://127.0.0.1:4321/oauth/callback",
            },
        );
        assert_eq!(body["grantType"], "authorization_code");
        assert_eq!(body["codeVerifier"], "VERIFIER");
        assert_eq!(body["redirectUri"], "http://127.0.0.1:4321/oauth/callback");
        let refresh = SecretString::new("REFRESH");
        assert_eq!(
            create_token_body(&reg, Grant::RefreshToken(&refresh))["refreshToken"],
            "REFRESH"
        );
    }

    #[test]
    fn answers_are_read_and_their_secrets_do_not_print() {
        let reg = parse_register_client(
            200,
            &serde_json::json!({"clientId": "cid", "clientSecret": "S3CRET", "clientIdIssuedAt": 1, "clientSecretExpiresAt": 1_900_000_000}),
        )
        .unwrap();
        assert_eq!(reg.expires_at.timestamp(), 1_900_000_000);
        assert!(!format!("{reg:?}").contains("S3CRET"));
        let auth = parse_start_device_authorization(
            200,
            &serde_json::json!({"deviceCode": "DEV", "userCode": "ABCD-EFGH", "verificationUri": "https://device.sso/", "verificationUriComplete": "https://device.sso/?user_code=ABCD-EFGH", "expiresIn": 600}),
        )
        .unwrap();
        assert_eq!((auth.interval, auth.expires_in), (5, 600));
        assert!(!format!("{auth:?}").contains("DEV\""));
        let token = parse_create_token(
            200,
            &serde_json::json!({"accessToken": "ACCESS", "tokenType": "Bearer", "expiresIn": 28800, "refreshToken": "REFRESH"}),
        )
        .unwrap();
        assert_eq!(token.expires_in, 28800);
        let shown = format!("{token:?}");
        assert!(
            !shown.contains("ACCESS") && !shown.contains("REFRESH"),
            "{shown}"
        );
        assert!(matches!(
            parse_create_token(200, &serde_json::json!({"expiresIn": 1})),
            Err(ResponseError::MissingField {
                field: "accessToken",
                ..
            })
        ));
        assert!(matches!(
            parse_create_token(
                200,
                &serde_json::json!({"accessToken": "a", "expiresIn": -1})
            ),
            Err(ResponseError::InvalidField { .. })
        ));
    }

    #[test]
    fn oauth_errors_are_known_by_either_name() {
        let error = |code: &str| {
            ServiceError::Response(ResponseError::Aws(AwsError {
                status: 400,
                kind: None,
                code: code.into(),
                message: String::new(),
                request_id: None,
            }))
        };
        assert_eq!(
            OAuthError::of(&error("AuthorizationPendingException")),
            Some(OAuthError::AuthorizationPending)
        );
        assert_eq!(
            OAuthError::of(&error("slow_down")),
            Some(OAuthError::SlowDown)
        );
        assert_eq!(
            OAuthError::of(&error("ExpiredTokenException")),
            Some(OAuthError::ExpiredToken)
        );
        assert_eq!(OAuthError::of(&error("InternalServerException")), None);
    }
}
