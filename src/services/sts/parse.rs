//! STS responses: the XML elements each operation's result holds, read into values.

use super::*;

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
