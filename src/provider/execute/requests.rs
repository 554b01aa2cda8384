//! The STS requests a plan makes, built from its base and hops, and checked against the
//! STS model before anything is sent.

use super::ExecuteError;
use crate::provider::plan::{
    Base, FederationTokenHop, Hop, Origin, Plan, RoleHop, SessionTokenHop,
};
use crate::secret::SecretString;
use crate::services::sts;

/// The session name used when a profile (or `--role-session-name`) sets none.
pub const DEFAULT_SESSION_NAME: &str = "aws-login";

/// The AssumeRole request of a hop (`code`: the MFA code, when the hop uses one and it
/// is known).
pub fn role_request<'a>(
    hop: &'a RoleHop,
    code: Option<&'a SecretString>,
) -> sts::AssumeRoleRequest<'a> {
    sts::AssumeRoleRequest {
        role_arn: &hop.role_arn,
        role_session_name: hop
            .role_session_name
            .as_deref()
            .unwrap_or(DEFAULT_SESSION_NAME),
        external_id: hop.external_id.as_deref(),
        duration_seconds: hop.duration_seconds,
        serial_number: hop.mfa_serial.as_deref(),
        token_code: code,
        source_identity: hop.source_identity.as_deref(),
        ..Default::default()
    }
}

/// The GetSessionToken request of a hop.
pub fn session_token_request<'a>(
    hop: &'a SessionTokenHop,
    code: Option<&'a SecretString>,
) -> sts::SessionTokenRequest<'a> {
    sts::SessionTokenRequest {
        duration_seconds: hop.duration_seconds,
        serial_number: hop.mfa_serial.as_deref(),
        token_code: code,
    }
}

/// The GetFederationToken request of a hop (`arns`: its `policy_arns` borrowed).
pub fn federation_request<'a>(
    hop: &'a FederationTokenHop,
    arns: &'a [&'a str],
) -> sts::FederationTokenRequest<'a> {
    sts::FederationTokenRequest {
        name: &hop.name,
        policy: hop.policy.as_deref(),
        policy_arns: arns,
        duration_seconds: hop.duration_seconds,
        ..Default::default()
    }
}

/// The AssumeRoleWithWebIdentity request of a web identity base.
pub fn web_identity_request<'a>(
    role_arn: &'a str,
    session_name: Option<&'a str>,
    token: Option<&'a SecretString>,
) -> sts::WebIdentityRequest<'a> {
    sts::WebIdentityRequest {
        role_arn,
        role_session_name: session_name.unwrap_or(DEFAULT_SESSION_NAME),
        web_identity_token: token,
        ..Default::default()
    }
}

/// What a hop is called in errors: the hop, and for one the command line asked for,
/// the flag (`AssumeRole ARN (--assume-roles)`, `GetSessionToken
/// (--get-session-token)`).
pub fn step(hop: &Hop) -> String {
    match hop {
        Hop::AssumeRole(RoleHop {
            origin: Origin::Flags,
            ..
        }) => format!("{hop} (--assume-roles)"),
        Hop::AssumeRole(_) => hop.to_string(),
        Hop::SessionToken(_) => format!("{hop} (--get-session-token)"),
        Hop::FederationToken(_) => format!("{hop} (--get-federation-token)"),
    }
}

/// The longest session of a role assumed with another role's credentials (IAM User
/// Guide, "Role chaining").
pub const MAX_CHAINED_SECONDS: u32 = 3600;

/// Whether the credentials under hop `i` are a role session (AssumeRole, web identity,
/// an SSO role, the instance's role), so that an AssumeRole there is role chaining
/// (AWS holds it to an hour, and the console to an hour's session). GetSessionToken's
/// and GetFederationToken's credentials are not a role's.
pub fn under_role_session(plan: &Plan, i: usize) -> bool {
    match i.checked_sub(1).and_then(|j| plan.hops.get(j)) {
        Some(hop) => matches!(hop, Hop::AssumeRole(_)),
        None => matches!(
            plan.base,
            Base::WebIdentity { .. } | Base::Sso(_) | Base::SsoFlags(_) | Base::Imds { .. }
        ),
    }
}

/// Checks a hop's request against the STS model (`code`: the MFA code, when known).
pub fn validate_hop(hop: &Hop, code: Option<&SecretString>) -> Result<(), ExecuteError> {
    let checked = match hop {
        Hop::AssumeRole(role) => role_request(role, code).validate(),
        Hop::SessionToken(token) => session_token_request(token, code).validate(),
        Hop::FederationToken(federation) => {
            let arns: Vec<&str> = federation.policy_arns.iter().map(String::as_str).collect();
            federation_request(federation, &arns).validate()
        }
    };
    checked.map_err(|source| ExecuteError::Invalid {
        step: step(hop),
        source,
    })
}

/// Checks the whole plan before anything is sent: every STS request it will make
/// against the STS model (what is only known later, a token or an MFA code, is checked
/// when it is); no hop after GetFederationToken; no chained role over an hour; and that GetSessionToken and GetFederationToken sit directly on
/// long-term keys (STS refuses temporary ones): as the first hop, on keys from the
/// environment, a profile or a `credential_process` (which may hand out long-term
/// ones). Keys that turn out to carry a session token are refused when they are read,
/// before the hop's request.
pub fn preflight(plan: &Plan) -> Result<(), ExecuteError> {
    if let Base::WebIdentity {
        role_arn,
        session_name,
        ..
    } = &plan.base
    {
        web_identity_request(role_arn, session_name.as_deref(), None)
            .validate()
            .map_err(|source| ExecuteError::Invalid {
                step: format!("AssumeRoleWithWebIdentity {role_arn}"),
                source,
            })?;
    }
    for (i, hop) in plan.hops.iter().enumerate() {
        validate_hop(hop, None)?;
        if i > 0 && matches!(plan.hops[i - 1], Hop::FederationToken(_)) {
            return Err(ExecuteError::AfterFederation { step: step(hop) });
        }
        if let Hop::AssumeRole(role) = hop
            && let Some(seconds) = role.duration_seconds.filter(|s| *s > MAX_CHAINED_SECONDS)
            && under_role_session(plan, i)
        {
            return Err(ExecuteError::ChainedDuration {
                step: step(hop),
                seconds,
            });
        }
        if !hop.needs_long_term_keys() {
            continue;
        }
        let under = match (i, &plan.base) {
            (0, Base::Environment | Base::Process { .. }) => continue,
            (0, Base::StaticKeys { keys, .. }) if keys.session_token().is_none() => continue,
            (0, base) => base.to_string(),
            (_, _) => plan.hops[i - 1].to_string(),
        };
        return Err(ExecuteError::NeedsLongTermKeys {
            step: step(hop),
            under,
        });
    }
    Ok(())
}
