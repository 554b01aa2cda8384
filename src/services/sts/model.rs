//! The STS model's constraints on each request's members, checked before anything is
//! sent (botocore's parameter validation, from the service model).

use super::*;
use crate::services::constraints::{
    Chars, StringShape, check_count, check_range, check_string, word,
};

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
