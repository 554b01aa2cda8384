//! AWS STS over the Query protocol (`Version=2011-06-15`, POST form bodies): a request
//! builder and a response parser per operation. Pure; the transport joins them.
//!
//! Operations: GetCallerIdentity, AssumeRole, GetSessionToken, GetFederationToken,
//! AssumeRoleWithWebIdentity (sent unsigned), DecodeAuthorizationMessage.

use chrono::{DateTime, Utc};

mod form;
mod model;
mod parse;
#[cfg(test)]
mod tests;

pub use form::*;
pub use model::{check_token_code, validate_encoded_message};
pub use parse::*;

use super::constraints::ParamError;
use super::error::{ResponseError, ServiceError};
use super::query::{self, QueryForm};
use super::xml::{Leaves, read_response};
use crate::credentials::Credentials;
use crate::endpoints::Endpoint;
use crate::http::call::Caller;
use crate::secret::SecretString;

/// The STS API version.
pub const VERSION: &str = "2011-06-15";

/// Who the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The unique id (`AIDA...`, or `AROA...:session`).
    pub user_id: String,
    /// The 12-digit account id.
    pub account: String,
    /// The ARN of the user or assumed role.
    pub arn: String,
}

/// The role session an AssumeRole* call created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    /// The temporary credentials.
    pub credentials: Credentials,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub arn: String,
    /// `AROA...:SESSION`.
    pub assumed_role_id: String,
    /// How full the packed session policies are, in percent, when STS says.
    pub packed_policy_size: Option<u32>,
    /// The source identity set on the session, if any.
    pub source_identity: Option<String>,
    /// For web identity: the `sub` of the token.
    pub subject_from_web_identity_token: Option<String>,
    /// For web identity: the audience (client id) of the token.
    pub audience: Option<String>,
    /// For web identity: the issuer.
    pub provider: Option<String>,
}

/// The credentials and federated user GetFederationToken created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationToken {
    /// The temporary credentials.
    pub credentials: Credentials,
    /// `ACCOUNT:NAME`.
    pub federated_user_id: String,
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    pub arn: String,
    /// How full the packed session policies are, in percent, when STS says.
    pub packed_policy_size: Option<u32>,
}

/// Parameters of AssumeRole.
#[derive(Debug, Clone, Default)]
pub struct AssumeRoleRequest<'a> {
    /// The role to assume.
    pub role_arn: &'a str,
    /// The session name (2-64 characters of `[\w+=,.@-]`).
    pub role_session_name: &'a str,
    /// The external id the role's trust policy may require.
    pub external_id: Option<&'a str>,
    /// The session length in seconds (900 to the role's maximum).
    pub duration_seconds: Option<u32>,
    /// The MFA device's serial number or ARN.
    pub serial_number: Option<&'a str>,
    /// The MFA code.
    pub token_code: Option<&'a SecretString>,
    /// An inline session policy (JSON).
    pub policy: Option<&'a str>,
    /// Managed session policies.
    pub policy_arns: &'a [&'a str],
    /// Session tags.
    pub tags: &'a [(&'a str, &'a str)],
    /// Session tags that pass on to chained roles.
    pub transitive_tag_keys: &'a [&'a str],
    /// The source identity to set on the session.
    pub source_identity: Option<&'a str>,
}

/// Parameters of GetSessionToken.
#[derive(Debug, Clone, Default)]
pub struct SessionTokenRequest<'a> {
    /// The session length in seconds (900 to 129600).
    pub duration_seconds: Option<u32>,
    /// The MFA device's serial number or ARN.
    pub serial_number: Option<&'a str>,
    /// The MFA code.
    pub token_code: Option<&'a SecretString>,
}

/// Parameters of GetFederationToken.
#[derive(Debug, Clone, Default)]
pub struct FederationTokenRequest<'a> {
    /// The federated user's name (2-32 characters of `[\w+=,.@-]`).
    pub name: &'a str,
    /// An inline session policy (JSON).
    pub policy: Option<&'a str>,
    /// Managed session policies.
    pub policy_arns: &'a [&'a str],
    /// The session length in seconds (900 to 129600).
    pub duration_seconds: Option<u32>,
    /// Session tags.
    pub tags: &'a [(&'a str, &'a str)],
}

/// Parameters of AssumeRoleWithWebIdentity.
#[derive(Debug, Clone, Default)]
pub struct WebIdentityRequest<'a> {
    /// The role to assume.
    pub role_arn: &'a str,
    /// The session name.
    pub role_session_name: &'a str,
    /// The OIDC token (EKS service account, GitHub Actions, ...).
    pub web_identity_token: Option<&'a SecretString>,
    /// For OAuth 2.0 providers (not OIDC): the provider's domain.
    pub provider_id: Option<&'a str>,
    /// The session length in seconds.
    pub duration_seconds: Option<u32>,
    /// An inline session policy (JSON).
    pub policy: Option<&'a str>,
    /// Managed session policies.
    pub policy_arns: &'a [&'a str],
}

/// Calls GetCallerIdentity.
pub async fn get_caller_identity(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<CallerIdentity, ServiceError> {
    let form = get_caller_identity_form();
    query::call(
        caller,
        endpoint,
        "sts",
        form,
        Some(credentials),
        parse_get_caller_identity,
    )
    .await
}

/// Calls AssumeRole.
pub async fn assume_role(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    req: &AssumeRoleRequest<'_>,
) -> Result<AssumedRole, ServiceError> {
    req.validate()?;
    let form = assume_role_form(req);
    query::call(
        caller,
        endpoint,
        "sts",
        form,
        Some(credentials),
        parse_assume_role,
    )
    .await
}

/// Calls GetSessionToken.
pub async fn get_session_token(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    req: &SessionTokenRequest<'_>,
) -> Result<Credentials, ServiceError> {
    req.validate()?;
    let form = get_session_token_form(req);
    query::call(
        caller,
        endpoint,
        "sts",
        form,
        Some(credentials),
        parse_get_session_token,
    )
    .await
}

/// Calls GetFederationToken.
pub async fn get_federation_token(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    req: &FederationTokenRequest<'_>,
) -> Result<FederationToken, ServiceError> {
    req.validate()?;
    let form = get_federation_token_form(req);
    query::call(
        caller,
        endpoint,
        "sts",
        form,
        Some(credentials),
        parse_get_federation_token,
    )
    .await
}

/// Calls AssumeRoleWithWebIdentity, unsigned: the token is the proof.
pub async fn assume_role_with_web_identity(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    req: &WebIdentityRequest<'_>,
) -> Result<AssumedRole, ServiceError> {
    req.validate()?;
    if req.web_identity_token.is_none() {
        return Err(ParamError {
            operation: "AssumeRoleWithWebIdentity",
            parameter: "WebIdentityToken".into(),
            problem: "is required".into(),
        }
        .into());
    }
    let form = assume_role_with_web_identity_form(req);
    query::call(
        caller,
        endpoint,
        "sts",
        form,
        None,
        parse_assume_role_with_web_identity,
    )
    .await
}

/// Calls DecodeAuthorizationMessage.
pub async fn decode_authorization_message(
    caller: &Caller<'_>,
    endpoint: &Endpoint,
    credentials: &Credentials,
    encoded_message: &str,
) -> Result<String, ServiceError> {
    validate_encoded_message(encoded_message)?;
    let form = decode_authorization_message_form(encoded_message);
    query::call(
        caller,
        endpoint,
        "sts",
        form,
        Some(credentials),
        parse_decode_authorization_message,
    )
    .await
}
