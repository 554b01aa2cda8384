//! AWS STS over the Query protocol (`Version=2011-06-15`, POST form bodies): a request
//! builder and a response parser per operation. Pure; the transport joins them.
//!
//! Operations: GetCallerIdentity, AssumeRole, GetSessionToken, GetFederationToken,
//! AssumeRoleWithWebIdentity (sent unsigned), DecodeAuthorizationMessage.

use chrono::{DateTime, Utc};

use super::constraints::{
    Chars, ParamError, StringShape, check_count, check_range, check_string, word,
};
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

// The members' shapes, from the STS service model (2011-06-15, as botocore 1.44.5 ships
// it: `botocore/data/sts/2011-06-15/service-2.json`).

/// `arnType`: 20-2048 printable characters (tab, CR and LF allowed).
const ARN: StringShape = StringShape {
    min: 20,
    max: Some(2048),
    chars: Some(Chars {
        allowed: |c| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}')
                || c >= '\u{a0}' && !matches!(c, '\u{fffe}' | '\u{ffff}')
        },
        described: "printable characters",
    }),
};

const NAME_CHARS: Chars = Chars {
    allowed: |c| word(c) || "+=,.@-".contains(c),
    described: "letters, digits and _+=,.@- (no spaces)",
};

/// `roleSessionNameType`, `sourceIdentityType`.
const SESSION_NAME: StringShape = StringShape {
    min: 2,
    max: Some(64),
    chars: Some(NAME_CHARS),
};

/// `userNameType` (GetFederationToken's `Name`).
const FEDERATED_NAME: StringShape = StringShape {
    min: 2,
    max: Some(32),
    chars: Some(NAME_CHARS),
};

/// `externalIdType`.
const EXTERNAL_ID: StringShape = StringShape {
    min: 2,
    max: Some(1224),
    chars: Some(Chars {
        allowed: |c| word(c) || "+=,.@:/-".contains(c),
        described: "letters, digits and _+=,.@:/- (no spaces)",
    }),
};

/// `serialNumberType`.
const SERIAL_NUMBER: StringShape = StringShape {
    min: 9,
    max: Some(256),
    chars: Some(Chars {
        allowed: |c| word(c) || "+=/:,.@-".contains(c),
        described: "letters, digits and _+=/:,.@- (no spaces)",
    }),
};

/// `tokenCodeType`: six digits.
const TOKEN_CODE: StringShape = StringShape {
    min: 6,
    max: Some(6),
    chars: Some(Chars {
        allowed: |c| c.is_ascii_digit(),
        described: "digits",
    }),
};

const POLICY_CHARS: Chars = Chars {
    allowed: |c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}'),
    described: "characters up to U+00FF",
};

/// `sessionPolicyDocumentType` (GetFederationToken, AssumeRoleWithWebIdentity).
const SESSION_POLICY: StringShape = StringShape {
    min: 1,
    max: Some(2048),
    chars: Some(POLICY_CHARS),
};

/// `unrestrictedSessionPolicyDocumentType` (AssumeRole: STS limits the packed size).
const UNRESTRICTED_POLICY: StringShape = StringShape {
    min: 1,
    max: None,
    chars: Some(POLICY_CHARS),
};

/// `clientTokenType` (the web identity token).
const WEB_IDENTITY_TOKEN: StringShape = StringShape {
    min: 4,
    max: Some(20000),
    chars: None,
};

/// `urlType` (`ProviderId`).
const PROVIDER_ID: StringShape = StringShape {
    min: 4,
    max: Some(2048),
    chars: None,
};

/// `encodedMessageType`.
const ENCODED_MESSAGE: StringShape = StringShape {
    min: 1,
    max: Some(10240),
    chars: None,
};

const TAG_CHARS: fn(char) -> bool =
    |c| c.is_alphanumeric() || c.is_whitespace() && !c.is_control() || "_.:/=+-@".contains(c);

/// `tagKeyType`.
const TAG_KEY: StringShape = StringShape {
    min: 1,
    max: Some(128),
    chars: Some(Chars {
        allowed: TAG_CHARS,
        described: "letters, digits, spaces and _.:/=+-@",
    }),
};

/// `tagValueType`.
const TAG_VALUE: StringShape = StringShape {
    min: 0,
    max: Some(256),
    chars: Some(Chars {
        allowed: TAG_CHARS,
        described: "letters, digits, spaces and _.:/=+-@",
    }),
};

/// `roleDurationSecondsType`.
const ROLE_DURATION: (i64, i64) = (900, 43200);
/// `durationSecondsType` (GetSessionToken, GetFederationToken).
const SESSION_DURATION: (i64, i64) = (900, 129_600);
/// `tagListType`, `tagKeyListType`.
const MAX_TAGS: usize = 50;

/// A session policy must also be a JSON object: anything else STS refuses as a
/// `MalformedPolicyDocument`.
fn check_policy(
    operation: &'static str,
    policy: &str,
    shape: &StringShape,
) -> Result<(), ParamError> {
    check_string(operation, "Policy", policy, shape)?;
    match serde_json::from_str::<serde_json::Value>(policy) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err(ParamError {
            operation,
            parameter: "Policy".into(),
            problem: "must be a JSON object (an IAM policy document)".into(),
        }),
        Err(e) => Err(ParamError {
            operation,
            parameter: "Policy".into(),
            problem: format!("is not JSON (an IAM policy document is a JSON object): {e}"),
        }),
    }
}

fn check_policy_arns(operation: &'static str, arns: &[&str]) -> Result<(), ParamError> {
    for (i, arn) in arns.iter().enumerate() {
        check_string(
            operation,
            &format!("PolicyArns.member.{}.arn", i + 1),
            arn,
            &ARN,
        )?;
    }
    Ok(())
}

fn check_tags(operation: &'static str, tags: &[(&str, &str)]) -> Result<(), ParamError> {
    check_count(operation, "Tags", tags.len(), MAX_TAGS)?;
    for (i, (key, value)) in tags.iter().enumerate() {
        check_string(
            operation,
            &format!("Tags.member.{}.Key", i + 1),
            key,
            &TAG_KEY,
        )?;
        check_string(
            operation,
            &format!("Tags.member.{}.Value", i + 1),
            value,
            &TAG_VALUE,
        )?;
    }
    Ok(())
}

fn check_optional(
    operation: &'static str,
    parameter: &str,
    value: Option<&str>,
    shape: &StringShape,
) -> Result<(), ParamError> {
    value.map_or(Ok(()), |v| check_string(operation, parameter, v, shape))
}

fn check_duration(
    operation: &'static str,
    seconds: Option<u32>,
    (min, max): (i64, i64),
) -> Result<(), ParamError> {
    seconds.map_or(Ok(()), |s| {
        check_range(operation, "DurationSeconds", i64::from(s), min, max)
    })
}

impl AssumeRoleRequest<'_> {
    /// Checks every member against the STS model (the MFA code only when it is there).
    pub fn validate(&self) -> Result<(), ParamError> {
        const OP: &str = "AssumeRole";
        check_string(OP, "RoleArn", self.role_arn, &ARN)?;
        check_string(OP, "RoleSessionName", self.role_session_name, &SESSION_NAME)?;
        check_optional(OP, "ExternalId", self.external_id, &EXTERNAL_ID)?;
        check_duration(OP, self.duration_seconds, ROLE_DURATION)?;
        check_optional(OP, "SerialNumber", self.serial_number, &SERIAL_NUMBER)?;
        check_optional(
            OP,
            "TokenCode",
            self.token_code.map(SecretString::expose),
            &TOKEN_CODE,
        )?;
        if let Some(policy) = self.policy {
            check_policy(OP, policy, &UNRESTRICTED_POLICY)?;
        }
        check_policy_arns(OP, self.policy_arns)?;
        check_tags(OP, self.tags)?;
        check_count(
            OP,
            "TransitiveTagKeys",
            self.transitive_tag_keys.len(),
            MAX_TAGS,
        )?;
        for (i, key) in self.transitive_tag_keys.iter().enumerate() {
            check_string(
                OP,
                &format!("TransitiveTagKeys.member.{}", i + 1),
                key,
                &TAG_KEY,
            )?;
        }
        check_optional(OP, "SourceIdentity", self.source_identity, &SESSION_NAME)
    }
}

impl SessionTokenRequest<'_> {
    /// Checks every member against the STS model (the MFA code only when it is there).
    pub fn validate(&self) -> Result<(), ParamError> {
        const OP: &str = "GetSessionToken";
        check_duration(OP, self.duration_seconds, SESSION_DURATION)?;
        check_optional(OP, "SerialNumber", self.serial_number, &SERIAL_NUMBER)?;
        check_optional(
            OP,
            "TokenCode",
            self.token_code.map(SecretString::expose),
            &TOKEN_CODE,
        )
    }
}

impl FederationTokenRequest<'_> {
    /// Checks every member against the STS model; the policy must also be a JSON object.
    pub fn validate(&self) -> Result<(), ParamError> {
        const OP: &str = "GetFederationToken";
        check_string(OP, "Name", self.name, &FEDERATED_NAME)?;
        if let Some(policy) = self.policy {
            check_policy(OP, policy, &SESSION_POLICY)?;
        }
        check_policy_arns(OP, self.policy_arns)?;
        check_duration(OP, self.duration_seconds, SESSION_DURATION)?;
        check_tags(OP, self.tags)
    }
}

impl WebIdentityRequest<'_> {
    /// Checks every member against the STS model (the token only when it is there).
    pub fn validate(&self) -> Result<(), ParamError> {
        const OP: &str = "AssumeRoleWithWebIdentity";
        check_string(OP, "RoleArn", self.role_arn, &ARN)?;
        check_string(OP, "RoleSessionName", self.role_session_name, &SESSION_NAME)?;
        check_optional(
            OP,
            "WebIdentityToken",
            self.web_identity_token.map(SecretString::expose),
            &WEB_IDENTITY_TOKEN,
        )?;
        check_optional(OP, "ProviderId", self.provider_id, &PROVIDER_ID)?;
        check_duration(OP, self.duration_seconds, ROLE_DURATION)?;
        if let Some(policy) = self.policy {
            check_policy(OP, policy, &SESSION_POLICY)?;
        }
        check_policy_arns(OP, self.policy_arns)
    }
}

/// Checks an MFA code on its own (`TokenCode`: six digits), before it is known which call
/// will send it.
pub fn check_token_code(code: &str) -> Result<(), ParamError> {
    check_string(
        "AssumeRole and GetSessionToken",
        "TokenCode",
        code,
        &TOKEN_CODE,
    )
}

/// Checks DecodeAuthorizationMessage's `EncodedMessage`.
pub fn validate_encoded_message(encoded_message: &str) -> Result<(), ParamError> {
    check_string(
        "DecodeAuthorizationMessage",
        "EncodedMessage",
        encoded_message,
        &ENCODED_MESSAGE,
    )
}

fn duration(form: &mut QueryForm, seconds: Option<u32>) {
    if let Some(s) = seconds {
        form.param("DurationSeconds", &s.to_string());
    }
}

fn policy_arns(form: &mut QueryForm, arns: &[&str]) {
    for (i, arn) in arns.iter().enumerate() {
        form.param(&format!("PolicyArns.member.{}.arn", i + 1), arn);
    }
}

fn tags(form: &mut QueryForm, tags: &[(&str, &str)]) {
    for (i, (key, value)) in tags.iter().enumerate() {
        form.param(&format!("Tags.member.{}.Key", i + 1), key);
        form.param(&format!("Tags.member.{}.Value", i + 1), value);
    }
}

/// The body of GetCallerIdentity.
pub fn get_caller_identity_form() -> QueryForm {
    QueryForm::new("GetCallerIdentity", VERSION)
}

/// The body of AssumeRole.
pub fn assume_role_form(req: &AssumeRoleRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("AssumeRole", VERSION);
    form.param("RoleArn", req.role_arn)
        .param("RoleSessionName", req.role_session_name)
        .opt("ExternalId", req.external_id);
    duration(&mut form, req.duration_seconds);
    form.opt("SerialNumber", req.serial_number)
        .opt("TokenCode", req.token_code.map(SecretString::expose))
        .opt("Policy", req.policy);
    policy_arns(&mut form, req.policy_arns);
    tags(&mut form, req.tags);
    for (i, key) in req.transitive_tag_keys.iter().enumerate() {
        form.param(&format!("TransitiveTagKeys.member.{}", i + 1), key);
    }
    form.opt("SourceIdentity", req.source_identity);
    form
}

/// The body of GetSessionToken.
pub fn get_session_token_form(req: &SessionTokenRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("GetSessionToken", VERSION);
    duration(&mut form, req.duration_seconds);
    form.opt("SerialNumber", req.serial_number)
        .opt("TokenCode", req.token_code.map(SecretString::expose));
    form
}

/// The body of GetFederationToken.
pub fn get_federation_token_form(req: &FederationTokenRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("GetFederationToken", VERSION);
    form.param("Name", req.name).opt("Policy", req.policy);
    policy_arns(&mut form, req.policy_arns);
    duration(&mut form, req.duration_seconds);
    tags(&mut form, req.tags);
    form
}

/// The body of AssumeRoleWithWebIdentity (sent without a signature).
pub fn assume_role_with_web_identity_form(req: &WebIdentityRequest<'_>) -> QueryForm {
    let mut form = QueryForm::new("AssumeRoleWithWebIdentity", VERSION);
    form.param("RoleArn", req.role_arn)
        .param("RoleSessionName", req.role_session_name)
        .opt(
            "WebIdentityToken",
            req.web_identity_token.map(SecretString::expose),
        )
        .opt("ProviderId", req.provider_id);
    duration(&mut form, req.duration_seconds);
    form.opt("Policy", req.policy);
    policy_arns(&mut form, req.policy_arns);
    form
}

/// The body of DecodeAuthorizationMessage.
pub fn decode_authorization_message_form(encoded_message: &str) -> QueryForm {
    let mut form = QueryForm::new("DecodeAuthorizationMessage", VERSION);
    form.param("EncodedMessage", encoded_message);
    form
}

fn required<'l>(
    leaves: &'l Leaves,
    status: u16,
    field: &'static str,
) -> Result<&'l str, ResponseError> {
    leaves
        .get(field)
        .filter(|v| !v.is_empty())
        .ok_or(ResponseError::MissingField { status, field })
}

fn optional(leaves: &Leaves, field: &str) -> Option<String> {
    leaves
        .get(field)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn packed_policy_size(leaves: &Leaves, status: u16) -> Result<Option<u32>, ResponseError> {
    leaves
        .get("PackedPolicySize")
        .map(|v| {
            v.trim().parse().map_err(|_| ResponseError::InvalidField {
                status,
                field: "PackedPolicySize",
            })
        })
        .transpose()
}

/// The `<Credentials>` element every credential-returning operation has.
fn credentials(leaves: &Leaves, status: u16) -> Result<Credentials, ResponseError> {
    let expiration = required(leaves, status, "Credentials/Expiration")?;
    let expiration: DateTime<Utc> = DateTime::parse_from_rfc3339(expiration.trim())
        .map_err(|_| ResponseError::InvalidField {
            status,
            field: "Credentials/Expiration",
        })?
        .with_timezone(&Utc);
    Ok(Credentials::new(
        required(leaves, status, "Credentials/AccessKeyId")?,
        required(leaves, status, "Credentials/SecretAccessKey")?,
        Some(SecretString::new(required(
            leaves,
            status,
            "Credentials/SessionToken",
        )?)),
        Some(expiration),
    ))
}

/// Parses a GetCallerIdentity response.
pub fn parse_get_caller_identity(
    status: u16,
    body: &[u8],
) -> Result<CallerIdentity, ResponseError> {
    let l = read_response(status, body)?;
    Ok(CallerIdentity {
        user_id: required(&l, status, "GetCallerIdentityResult/UserId")?.to_owned(),
        account: required(&l, status, "GetCallerIdentityResult/Account")?.to_owned(),
        arn: required(&l, status, "GetCallerIdentityResult/Arn")?.to_owned(),
    })
}

fn assumed_role(l: &Leaves, status: u16) -> Result<AssumedRole, ResponseError> {
    Ok(AssumedRole {
        credentials: credentials(l, status)?,
        arn: required(l, status, "AssumedRoleUser/Arn")?.to_owned(),
        assumed_role_id: required(l, status, "AssumedRoleUser/AssumedRoleId")?.to_owned(),
        packed_policy_size: packed_policy_size(l, status)?,
        source_identity: optional(l, "SourceIdentity"),
        subject_from_web_identity_token: optional(l, "SubjectFromWebIdentityToken"),
        audience: optional(l, "Audience"),
        provider: optional(l, "Provider"),
    })
}

/// Parses an AssumeRole response.
pub fn parse_assume_role(status: u16, body: &[u8]) -> Result<AssumedRole, ResponseError> {
    assumed_role(&read_response(status, body)?, status)
}

/// Parses an AssumeRoleWithWebIdentity response.
pub fn parse_assume_role_with_web_identity(
    status: u16,
    body: &[u8],
) -> Result<AssumedRole, ResponseError> {
    assumed_role(&read_response(status, body)?, status)
}

/// Parses a GetSessionToken response.
pub fn parse_get_session_token(status: u16, body: &[u8]) -> Result<Credentials, ResponseError> {
    credentials(&read_response(status, body)?, status)
}

/// Parses a GetFederationToken response.
pub fn parse_get_federation_token(
    status: u16,
    body: &[u8],
) -> Result<FederationToken, ResponseError> {
    let l = read_response(status, body)?;
    Ok(FederationToken {
        credentials: credentials(&l, status)?,
        federated_user_id: required(&l, status, "FederatedUser/FederatedUserId")?.to_owned(),
        arn: required(&l, status, "FederatedUser/Arn")?.to_owned(),
        packed_policy_size: packed_policy_size(&l, status)?,
    })
}

/// Parses a DecodeAuthorizationMessage response: the decoded JSON document.
pub fn parse_decode_authorization_message(
    status: u16,
    body: &[u8],
) -> Result<String, ResponseError> {
    let l = read_response(status, body)?;
    Ok(required(
        &l,
        status,
        "DecodeAuthorizationMessageResult/DecodedMessage",
    )?
    .to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    const ASSUME_ROLE: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==</SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

    #[test]
    fn forms_carry_every_parameter() {
        let code = SecretString::new("123456");
        let req = AssumeRoleRequest {
            role_arn: "arn:aws:iam::123456789012:role/demo",
            role_session_name: "aws-login",
            external_id: Some("ext id"),
            duration_seconds: Some(3600),
            serial_number: Some("arn:aws:iam::123456789012:mfa/alice"),
            token_code: Some(&code),
            policy: Some(r#"{"Version":"2012-10-17"}"#),
            policy_arns: &["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            tags: &[("Project", "x"), ("Team", "y z")],
            transitive_tag_keys: &["Project"],
            source_identity: Some("alice"),
        };
        assert_eq!(
            assume_role_form(&req).as_str(),
            "Action=AssumeRole&Version=2011-06-15\
             &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=aws-login\
             &ExternalId=ext%20id&DurationSeconds=3600\
             &SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456\
             &Policy=%7B%22Version%22%3A%222012-10-17%22%7D\
             &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess\
             &Tags.member.1.Key=Project&Tags.member.1.Value=x&Tags.member.2.Key=Team&Tags.member.2.Value=y%20z\
             &TransitiveTagKeys.member.1=Project&SourceIdentity=alice"
        );
        assert_eq!(
            get_caller_identity_form().as_str(),
            "Action=GetCallerIdentity&Version=2011-06-15"
        );
        assert_eq!(
            get_session_token_form(&SessionTokenRequest {
                duration_seconds: Some(43200),
                serial_number: Some("GAHT12345678"),
                token_code: Some(&code),
            })
            .as_str(),
            "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=43200&SerialNumber=GAHT12345678&TokenCode=123456"
        );
        assert_eq!(
            get_federation_token_form(&FederationTokenRequest {
                name: "Bob",
                policy_arns: &["arn:aws:iam::aws:policy/AdministratorAccess"],
                duration_seconds: Some(900),
                ..Default::default()
            })
            .as_str(),
            "Action=GetFederationToken&Version=2011-06-15&Name=Bob\
             &PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FAdministratorAccess&DurationSeconds=900"
        );
        let token = SecretString::new("eyJhbGciOiJSUzI1NiJ9.e30.sig");
        let web = assume_role_with_web_identity_form(&WebIdentityRequest {
            role_arn: "arn:aws:iam::123456789012:role/ci",
            role_session_name: "gha",
            web_identity_token: Some(&token),
            ..Default::default()
        });
        assert!(
            web.as_str()
                .ends_with("&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.e30.sig")
        );
        assert!(!format!("{web:?}").contains("eyJ"));
        assert_eq!(
            decode_authorization_message_form("a+b/c=").as_str(),
            "Action=DecodeAuthorizationMessage&Version=2011-06-15&EncodedMessage=a%2Bb%2Fc%3D"
        );
    }

    #[test]
    fn parses_assume_role() {
        let r = parse_assume_role(200, ASSUME_ROLE.as_bytes()).unwrap();
        assert_eq!(r.arn, "arn:aws:sts::123456789012:assumed-role/demo/TestAR");
        assert_eq!(r.assumed_role_id, "ARO123EXAMPLE123:TestAR");
        assert_eq!(r.packed_policy_size, Some(6));
        assert_eq!(r.source_identity.as_deref(), Some("Alice"));
        assert_eq!(r.credentials.access_key_id(), "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(
            r.credentials.secret_access_key().expose(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        );
        assert!(
            r.credentials
                .session_token()
                .unwrap()
                .expose()
                .starts_with("AQoDYXdzEPT//")
        );
        assert_eq!(
            r.credentials.expiration().map(|e| e.to_rfc3339()),
            Some("2019-11-09T13:34:41+00:00".to_owned())
        );
        let debug = format!("{r:?}");
        assert!(
            !debug.contains("wJalr") && !debug.contains("AQoDYXdz"),
            "{debug}"
        );
    }

    #[test]
    fn parses_the_other_operations() {
        let id = parse_get_caller_identity(
            200,
            br#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
   <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#,
        )
        .unwrap();
        assert_eq!(
            (id.user_id.as_str(), id.account.as_str(), id.arn.as_str()),
            (
                "AIDACKCEVSQ6C2EXAMPLE",
                "123456789012",
                "arn:aws:iam::123456789012:user/Alice"
            )
        );

        let creds = br#"<Credentials><SessionToken>TOKEN</SessionToken><SecretAccessKey>SECRET</SecretAccessKey>
<Expiration>2011-07-11T19:55:29.611Z</Expiration><AccessKeyId>ASIAEXAMPLE</AccessKeyId></Credentials>"#;
        let creds = std::str::from_utf8(creds).unwrap();
        let session = format!(
            "<GetSessionTokenResponse><GetSessionTokenResult>{creds}</GetSessionTokenResult></GetSessionTokenResponse>"
        );
        let c = parse_get_session_token(200, session.as_bytes()).unwrap();
        assert_eq!(c.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(
            c.expiration().map(|e| e.timestamp_millis()),
            Some(1_310_414_129_611)
        );

        let federation = format!(
            "<GetFederationTokenResponse><GetFederationTokenResult>{creds}<FederatedUser>\
             <Arn>arn:aws:sts::123456789012:federated-user/Bob</Arn><FederatedUserId>123456789012:Bob</FederatedUserId>\
             </FederatedUser><PackedPolicySize>6</PackedPolicySize></GetFederationTokenResult></GetFederationTokenResponse>"
        );
        let f = parse_get_federation_token(200, federation.as_bytes()).unwrap();
        assert_eq!(f.federated_user_id, "123456789012:Bob");
        assert_eq!(f.arn, "arn:aws:sts::123456789012:federated-user/Bob");

        let web = format!(
            "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>\
             <SubjectFromWebIdentityToken>repo:org/app:ref:refs/heads/main</SubjectFromWebIdentityToken>\
             <Audience>sts.amazonaws.com</Audience>{creds}<Provider>https://token.actions.githubusercontent.com</Provider>\
             <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ci/gha</Arn><AssumedRoleId>AROAX:gha</AssumedRoleId></AssumedRoleUser>\
             </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
        );
        let w = parse_assume_role_with_web_identity(200, web.as_bytes()).unwrap();
        assert_eq!(
            w.subject_from_web_identity_token.as_deref(),
            Some("repo:org/app:ref:refs/heads/main")
        );
        assert_eq!(w.audience.as_deref(), Some("sts.amazonaws.com"));
        assert_eq!(w.packed_policy_size, None);

        let decoded = parse_decode_authorization_message(
            200,
            br#"<DecodeAuthorizationMessageResponse><DecodeAuthorizationMessageResult><DecodedMessage>{"allowed":false,"context":{"action":"ec2:RunInstances"}}</DecodedMessage></DecodeAuthorizationMessageResult></DecodeAuthorizationMessageResponse>"#,
        )
        .unwrap();
        assert_eq!(
            decoded,
            r#"{"allowed":false,"context":{"action":"ec2:RunInstances"}}"#
        );
    }

    #[test]
    fn incomplete_results_are_errors_without_secrets() {
        let no_token = ASSUME_ROLE
            .replace("<SessionToken>", "<X>")
            .replace("</SessionToken>", "</X>");
        assert_eq!(
            parse_assume_role(200, no_token.as_bytes()).err(),
            Some(ResponseError::MissingField {
                status: 200,
                field: "Credentials/SessionToken"
            })
        );
        let bad_date = ASSUME_ROLE.replace("2019-11-09T13:34:41Z", "tomorrow");
        assert_eq!(
            parse_assume_role(200, bad_date.as_bytes()).err(),
            Some(ResponseError::InvalidField {
                status: 200,
                field: "Credentials/Expiration"
            })
        );
        let cut = &ASSUME_ROLE[..ASSUME_ROLE.len() / 2];
        let err = parse_assume_role(200, cut.as_bytes())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("truncated") && !err.contains("wJalr"), "{err}");
        let expired = br#"<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"#;
        match parse_get_caller_identity(400, expired) {
            Err(ResponseError::Aws(e)) => {
                assert_eq!(e.code, "ExpiredToken");
                assert!(e.to_string().contains("request id r-1"));
            }
            other => panic!("{other:?}"),
        }
    }
}
