//! A profile's SSO settings, resolved while planning as botocore's `SSOProvider` resolves
//! them. Pure.

use super::resolve::value;
use super::{PlanError, SsoProblem, SsoSource};
use crate::config::{Affects, ConfigProblem, Section, SharedConfig};

/// The SSO keys botocore's `SSOProvider` requires: the profile's two, then the two that
/// may come from an `sso_session` section.
const SSO_KEYS: [&str; 4] = [
    "sso_account_id",
    "sso_role_name",
    "sso_start_url",
    "sso_region",
];

/// A profile's SSO settings resolved as botocore's `SSOProvider._load_sso_config` does:
/// the `sso_session` section's keys merged over the profile's (a key both set must
/// agree), then every key of [`SSO_KEYS`] required. Values are compared and used
/// trimmed.
pub(super) fn sso(
    shared: &SharedConfig,
    profile: &str,
    section: &Section,
) -> Result<SsoSource, PlanError> {
    let problem = |problem| PlanError::Sso {
        profile: profile.to_owned(),
        problem,
    };
    let session = value(section, "sso_session");
    let mut resolved: Vec<(String, String)> = Vec::new();
    if let Some(name) = &session {
        let skipped: Vec<ConfigProblem> = shared
            .skipped(&Affects::SsoSession(name.clone()))
            .into_iter()
            .cloned()
            .collect();
        if !skipped.is_empty() {
            return Err(PlanError::Unreadable {
                profile: profile.to_owned(),
                skipped,
            });
        }
        let Some(table) = shared.sso_sessions.get(name) else {
            return Err(problem(SsoProblem::SessionNotFound(name.clone())));
        };
        for key in table.keys() {
            let Some(in_session) = value(table, key) else {
                continue;
            };
            if let Some(in_profile) = value(section, key)
                && in_profile != in_session
            {
                return Err(problem(SsoProblem::Inconsistent {
                    session: name.clone(),
                    key: key.to_owned(),
                    in_profile,
                    in_session,
                }));
            }
            resolved.push((key.to_owned(), in_session));
        }
    }
    let get = |key: &str| {
        resolved
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| value(section, key))
    };
    let missing: Vec<&'static str> = SSO_KEYS.into_iter().filter(|k| get(k).is_none()).collect();
    if !missing.is_empty() {
        return Err(problem(SsoProblem::Missing(missing)));
    }
    Ok(SsoSource {
        profile: profile.to_owned(),
        account_id: get("sso_account_id").unwrap_or_default(),
        role_name: get("sso_role_name").unwrap_or_default(),
        start_url: get("sso_start_url").unwrap_or_default(),
        region: get("sso_region").unwrap_or_default(),
        session,
    })
}
