//! The plan from the shared files and the environment, in botocore's order.

use super::sso::sso;
use super::{Base, Hop, Origin, Plan, PlanError, RoleHop};
use crate::config::{Affects, ConfigProblem, FileKind, Section, SharedConfig};
use crate::credentials::Credentials;
use crate::secret::SecretString;

const ACCESS_KEY_ID: &str = "aws_access_key_id";
const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";

pub(super) fn value(section: &Section, key: &str) -> Option<String> {
    section
        .get(key)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The profile a command uses, and what named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChoice {
    /// The profile's name.
    pub name: String,
    /// `--profile`, `AWS_DEFAULT_PROFILE`, `AWS_PROFILE`, or `default` (nothing named one).
    pub from: &'static str,
}

/// The variables that name a profile, in botocore's order (its `profile` setting: the
/// first of them that is set wins).
pub const PROFILE_VARIABLES: [&str; 2] = ["AWS_DEFAULT_PROFILE", "AWS_PROFILE"];

/// `--profile`, else the first of [`PROFILE_VARIABLES`] that is set, else `default`. An
/// empty variable counts as unset (botocore would look for a profile named "").
pub fn selected_profile(flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>) -> ProfileChoice {
    if let Some(name) = flag {
        return ProfileChoice {
            name: name.to_owned(),
            from: "--profile",
        };
    }
    PROFILE_VARIABLES
        .iter()
        .find_map(|var| {
            env(var)
                .filter(|v| !v.trim().is_empty())
                .map(|name| ProfileChoice { name, from: var })
        })
        .unwrap_or_else(|| ProfileChoice {
            name: "default".to_owned(),
            from: "default",
        })
}

/// Whether the environment gives a key pair (botocore's `EnvProvider`: it answers when
/// `AWS_ACCESS_KEY_ID` is set, and then wants the secret). A secret alone is refused
/// too, where botocore would pass over it.
pub fn env_keys(env: &dyn Fn(&str) -> Option<String>) -> Result<bool, PlanError> {
    let set = |k: &str| env(k).is_some_and(|v| !v.trim().is_empty());
    match (set("AWS_ACCESS_KEY_ID"), set("AWS_SECRET_ACCESS_KEY")) {
        (true, true) => Ok(true),
        (false, false) => Ok(false),
        (true, false) => Err(PlanError::PartialEnvironment {
            missing: "AWS_SECRET_ACCESS_KEY",
        }),
        (false, true) => Err(PlanError::PartialEnvironment {
            missing: "AWS_ACCESS_KEY_ID",
        }),
    }
}

/// Whether a profile holds static credentials in either file (botocore's
/// `_has_static_credentials`: any of the key id, the secret, the session token).
fn has_static_keys(section: &Section) -> bool {
    [ACCESS_KEY_ID, SECRET_ACCESS_KEY, "aws_session_token"]
        .iter()
        .any(|k| section.get(k).is_some())
}

/// The key pair of one file, botocore's way: absent when that file has no key id; an
/// error when it has one without a secret (or either is empty).
fn keys_in(profile: &str, section: &Section, file: FileKind) -> Result<Option<Base>, PlanError> {
    let filled = |k: &str, f: FileKind| section.get_in(k, f).is_some_and(|v| !v.trim().is_empty());
    if section.get_in(ACCESS_KEY_ID, file).is_none() {
        return Ok(None);
    }
    let other = match file {
        FileKind::Config => FileKind::Credentials,
        FileKind::Credentials => FileKind::Config,
    };
    let (missing, present) = if !filled(ACCESS_KEY_ID, file) {
        (ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    } else if !filled(SECRET_ACCESS_KEY, file) {
        (SECRET_ACCESS_KEY, ACCESS_KEY_ID)
    } else {
        let Some(keys) = profile_keys(section, file) else {
            return Ok(None);
        };
        return Ok(Some(Base::StaticKeys {
            profile: profile.to_owned(),
            file,
            keys,
        }));
    };
    Err(PlanError::PartialKeys {
        profile: profile.to_owned(),
        file,
        missing,
        present,
        empty: section.get_in(missing, file).is_some(),
        in_other_file: filled(missing, other),
    })
}

/// Fails when the shared files had parts of `profile` (or of what it names) that
/// aws-login could not read or will not use, or parts that may belong to any profile: a
/// file that could not be read, a `[DEFAULT]` line, a broken header, a line outside any
/// section.
pub fn readable(shared: &SharedConfig, profile: &str) -> Result<(), PlanError> {
    let mut skipped: Vec<ConfigProblem> = shared
        .skipped(&Affects::Unknown)
        .into_iter()
        .cloned()
        .collect();
    skipped.extend(shared.skipped_for_profile(profile));
    skipped.sort_by_key(|p| (p.path.clone(), p.line));
    if skipped.is_empty() {
        Ok(())
    } else {
        Err(PlanError::Unreadable {
            profile: profile.to_owned(),
            skipped,
        })
    }
}

/// What was skipped that might have held `profile`: whole files, lines outside any
/// section, broken headers, what was skipped in it.
pub fn skipped_around(shared: &SharedConfig, profile: &str) -> Vec<ConfigProblem> {
    let mut out: Vec<ConfigProblem> = shared
        .skipped(&Affects::Unknown)
        .into_iter()
        .cloned()
        .collect();
    out.extend(
        shared
            .skipped(&Affects::Profile(profile.to_owned()))
            .into_iter()
            .cloned(),
    );
    out
}

/// [`skipped_around`], and the warnings about `profile` that may explain why it is not
/// there (`[dev]` in the config file, `[profile dev]` in the credentials file, an indented
/// `[dev]`).
fn with_hints(shared: &SharedConfig, profile: &str) -> Vec<ConfigProblem> {
    let mut out = skipped_around(shared, profile);
    let about = Affects::Profile(profile.to_owned());
    out.extend(
        shared
            .problems
            .iter()
            .filter(|p| !p.skipped && p.affects == about)
            .cloned(),
    );
    out
}

fn hop(profile: &str, section: &Section) -> Result<RoleHop, PlanError> {
    let duration_seconds = match value(section, "duration_seconds") {
        Some(v) => Some(v.parse().map_err(|_| PlanError::InvalidValue {
            profile: profile.to_owned(),
            key: "duration_seconds",
        })?),
        None => None,
    };
    Ok(RoleHop {
        origin: Origin::Profile(profile.to_owned()),
        role_arn: value(section, "role_arn").unwrap_or_default(),
        role_session_name: value(section, "role_session_name"),
        external_id: value(section, "external_id"),
        mfa_serial: value(section, "mfa_serial"),
        duration_seconds,
        source_identity: value(section, "source_identity"),
    })
}

/// The session-token keys of a profile in botocore's order: the first that is present
/// wins, even when empty (then there is no token).
const SESSION_TOKEN_KEYS: [&str; 2] = ["aws_security_token", "aws_session_token"];

/// A profile's static keys from one file, with the session token from the same file
/// (botocore's `SharedCredentialProvider` and `ConfigProvider` each read one file).
pub fn profile_keys(section: &Section, file: FileKind) -> Option<Credentials> {
    let get = |k: &str| section.get_in(k, file).map(str::trim);
    let key = get(ACCESS_KEY_ID).filter(|v| !v.is_empty())?;
    let secret = get(SECRET_ACCESS_KEY).filter(|v| !v.is_empty())?;
    let token = SESSION_TOKEN_KEYS
        .iter()
        .find_map(|k| get(k))
        .filter(|v| !v.is_empty())
        .map(SecretString::new);
    Some(Credentials::new(key, secret, token, None))
}

/// The base a profile's own settings give (no `role_arn`, or a source profile with
/// static keys), in botocore's order: SSO (a profile with `sso_account_id` or
/// `sso_role_name`), the credentials file's keys, `login_session`, `credential_process`,
/// the config file's keys. Half a key pair is an error where botocore raises one (a key id without
/// its secret), and also, at the end, when only a secret is there (botocore would pass
/// over it to another source); so are SSO settings that give nothing (an `sso_session`
/// or `sso_start_url` without the account and role), where botocore would go on to the
/// instance's identity.
fn leaf(
    shared: &SharedConfig,
    profile: &str,
    section: &Section,
) -> Result<Option<Base>, PlanError> {
    if value(section, "sso_account_id").is_some() || value(section, "sso_role_name").is_some() {
        return Ok(Some(Base::Sso(sso(shared, profile, section)?)));
    }
    if let Some(base) = keys_in(profile, section, FileKind::Credentials)? {
        return Ok(Some(base));
    }
    // botocore 1.44's order: the credentials file, then `login_session`, then
    // `credential_process`.
    if let Some(session) = value(section, "login_session") {
        return Ok(Some(Base::LoginSession {
            profile: profile.to_owned(),
            session,
            region: value(section, "region"),
        }));
    }
    if let Some(command) = value(section, "credential_process") {
        return Ok(Some(Base::Process {
            profile: profile.to_owned(),
            command,
        }));
    }
    if let Some(base) = keys_in(profile, section, FileKind::Config)? {
        return Ok(Some(base));
    }
    // A secret or a session token without a key id: half a pair, not a reason to take
    // the container's or the instance's identity instead.
    let orphan = [SECRET_ACCESS_KEY, "aws_session_token", "aws_security_token"]
        .into_iter()
        .find(|k| value(section, k).is_some());
    if let Some(present) = orphan {
        return Err(PlanError::PartialKeys {
            profile: profile.to_owned(),
            file: section.origin(present).unwrap_or(FileKind::Config),
            missing: ACCESS_KEY_ID,
            present,
            empty: false,
            in_other_file: false,
        });
    }
    // Half of the SSO settings: the same (an error naming what is missing).
    if value(section, "sso_session").is_some() || value(section, "sso_start_url").is_some() {
        return sso(shared, profile, section).map(|s| Some(Base::Sso(s)));
    }
    Ok(None)
}

/// The plan for one profile, following `source_profile` links (botocore's
/// `AssumeRoleProvider`): the first profile's role is assumed; a source profile that
/// holds static keys gives them (its own `role_arn` is then not used); one without
/// assumes its role in turn. A link back to an earlier profile is a cycle, unless a
/// profile names itself and has keys.
pub fn plan_profile(shared: &SharedConfig, profile: &str) -> Result<Plan, PlanError> {
    let mut visited: Vec<String> = Vec::new();
    let mut hops = Vec::new();
    let mut current = profile.to_owned();
    let base = loop {
        let section = match shared.profile(&current) {
            Some(s) => s,
            None if visited.is_empty() => {
                return Err(PlanError::ProfileNotFound {
                    skipped: with_hints(shared, &current),
                    profile: current,
                    from: None,
                });
            }
            None => {
                return Err(PlanError::SourceProfileNotFound {
                    profile: visited.last().cloned().unwrap_or_default(),
                    skipped: with_hints(shared, &current),
                    source_profile: current,
                });
            }
        };
        readable(shared, &current)?;
        let first = visited.is_empty();
        let self_source = visited.last() == Some(&current) && has_static_keys(section);
        if visited.contains(&current) && !self_source {
            visited.push(current);
            return Err(PlanError::Cycle(visited));
        }
        visited.push(current.clone());
        if (!first && has_static_keys(section)) || value(section, "role_arn").is_none() {
            break leaf(shared, &current, section)?.ok_or_else(|| PlanError::EmptyProfile {
                profile: current.clone(),
                skipped: Vec::new(),
            })?;
        }
        let source_profile = value(section, "source_profile");
        let credential_source = value(section, "credential_source");
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => return Err(PlanError::ConflictingSources(current)),
            (None, None) => {
                let Some(token_file) = value(section, "web_identity_token_file") else {
                    return Err(PlanError::RoleWithoutSource(current));
                };
                break Base::WebIdentity {
                    role_arn: value(section, "role_arn").unwrap_or_default(),
                    token_file,
                    session_name: value(section, "role_session_name"),
                    from: format!("profile {current}"),
                };
            }
            (None, Some(source)) => {
                hops.push(Hop::AssumeRole(hop(&current, section)?));
                break match source.as_str() {
                    "Environment" => Base::Environment,
                    "Ec2InstanceMetadata" => Base::Imds { fallback: false },
                    "EcsContainer" => Base::Container,
                    _ => {
                        return Err(PlanError::UnknownCredentialSource {
                            profile: current,
                            value: source,
                        });
                    }
                };
            }
            (Some(source), None) => {
                hops.push(Hop::AssumeRole(hop(&current, section)?));
                current = source;
            }
        }
    };
    hops.reverse();
    Ok(Plan { base, hops })
}

/// The plan for the command line and environment: `profile` is the selected profile,
/// `named` whether it was named (flag or `AWS_PROFILE`), `flag` whether `--profile` named
/// it (which passes over environment keys).
///
/// botocore's order: environment keys; the profile's `role_arn` with a source; web
/// identity (`AWS_WEB_IDENTITY_TOKEN_FILE`/`AWS_ROLE_ARN`, else the profile's settings);
/// then the profile's SSO, keys (credentials file), `credential_process`, keys (config
/// file).
pub fn plan(
    shared: &SharedConfig,
    profile: &str,
    named: bool,
    flag: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Plan, PlanError> {
    let set = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if !flag && env_keys(env)? {
        return Ok(Plan {
            base: Base::Environment,
            hops: Vec::new(),
        });
    }
    let section = shared.profile(profile);
    if named && section.is_none() {
        return Err(PlanError::ProfileNotFound {
            profile: profile.to_owned(),
            from: None,
            skipped: with_hints(shared, profile),
        });
    }
    if section.is_some() {
        readable(shared, profile)?;
    }
    let from_profile = |key: &str| section.and_then(|s| value(s, key));
    let assumes_with_source = from_profile("role_arn").is_some()
        && (from_profile("source_profile").is_some()
            || from_profile("credential_source").is_some());
    if assumes_with_source {
        return plan_profile(shared, profile);
    }
    let token_file =
        set("AWS_WEB_IDENTITY_TOKEN_FILE").or_else(|| from_profile("web_identity_token_file"));
    let role_arn = set("AWS_ROLE_ARN").or_else(|| from_profile("role_arn"));
    if let (Some(token_file), Some(role_arn)) = (token_file, role_arn) {
        let from = if set("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() {
            "environment".to_owned()
        } else {
            format!("profile {profile}")
        };
        return Ok(Plan {
            base: Base::WebIdentity {
                role_arn,
                token_file,
                session_name: set("AWS_ROLE_SESSION_NAME")
                    .or_else(|| from_profile("role_session_name")),
                from,
            },
            hops: Vec::new(),
        });
    }
    if let Some(section) = section {
        if from_profile("role_arn").is_some() {
            return Err(PlanError::RoleWithoutSource(profile.to_owned()));
        }
        if let Some(base) = leaf(shared, profile, section)? {
            return Ok(Plan {
                base,
                hops: Vec::new(),
            });
        }
    }
    // What could not be read may hold this profile's credentials: not a reason to take
    // another identity (botocore, reading such files as empty, would).
    let skipped = skipped_around(shared, profile);
    if !skipped.is_empty() {
        return Err(PlanError::MayBeInSkipped {
            profile: profile.to_owned(),
            skipped,
        });
    }
    // The chain's last resorts, as in botocore: container credentials, then IMDS.
    let container = set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some();
    if container {
        return Ok(Plan {
            base: Base::Container,
            hops: Vec::new(),
        });
    }
    let imds_disabled =
        set("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if !imds_disabled {
        return Ok(Plan {
            base: Base::Imds { fallback: true },
            hops: Vec::new(),
        });
    }
    match section {
        Some(_) if named => Err(PlanError::EmptyProfile {
            profile: profile.to_owned(),
            skipped,
        }),
        _ => Err(PlanError::NoCredentials { skipped }),
    }
}
