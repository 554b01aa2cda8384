//! Which credentials, through which hops: resolved as data from the environment and the
//! shared files before anything is sent, in the AWS CLI's order. `--debug` prints the plan.
//!
//! The top: environment keys (unless `--profile` names a profile), then the selected
//! profile, then `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`. Within a profile, as
//! botocore orders its providers: `role_arn` (with `source_profile`, `credential_source`
//! or `web_identity_token_file`), then SSO, then keys from the credentials file, then
//! `credential_process`, then keys from the config file; then the container credentials
//! endpoint, then the instance metadata service. A `source_profile` chain is
//! followed to its end; a cycle is an error naming the path, except a profile that is its
//! own source and has keys, which the AWS CLI allows.
//!
//! Pure: the environment and the parsed files come in.

use std::fmt;

use crate::config::{FileKind, Section, SharedConfig};

/// Where the chain starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    Environment,
    /// A profile's `aws_access_key_id` / `aws_secret_access_key`.
    StaticKeys {
        /// The profile.
        profile: String,
    },
    /// A profile's `credential_process`.
    Process {
        /// The profile.
        profile: String,
        /// The command line.
        command: String,
    },
    /// AssumeRoleWithWebIdentity with a token file.
    WebIdentity {
        /// The role.
        role_arn: String,
        /// The token file.
        token_file: String,
        /// The session name, if set.
        session_name: Option<String>,
        /// `profile NAME`, or `environment`.
        from: String,
    },
    /// A profile's SSO settings (`sso_session` or `sso_start_url`).
    Sso {
        /// The profile.
        profile: String,
    },
    /// The container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_*_URI`).
    Container,
    /// The EC2 instance metadata service (IMDSv2).
    Imds {
        /// Reached as the chain's last resort (rather than named by `credential_source`).
        fallback: bool,
    },
}

impl Base {
    /// Whether asking this source again can give newer credentials (the environment and a
    /// profile's keys give the same ones every time).
    pub fn can_refresh(&self) -> bool {
        !matches!(self, Self::Environment | Self::StaticKeys { .. })
    }
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base::Environment => f.write_str("environment variables"),
            Base::StaticKeys { profile } => write!(f, "keys of profile {profile:?}"),
            Base::Process { profile, .. } => write!(f, "credential_process of profile {profile:?}"),
            Base::WebIdentity { role_arn, from, .. } => {
                write!(f, "web identity token ({from}) for {role_arn}")
            }
            Base::Sso { profile } => write!(f, "SSO of profile {profile:?}"),
            Base::Container => f.write_str("the container credentials endpoint"),
            Base::Imds { .. } => f.write_str("the instance metadata service (IMDSv2)"),
        }
    }
}

/// One AssumeRole on top of the previous credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleHop {
    /// The profile the hop comes from.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `role_session_name`.
    pub role_session_name: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `mfa_serial`.
    pub mfa_serial: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<u32>,
    /// `source_identity`.
    pub source_identity: Option<String>,
}

/// A resolved plan: a base and the role hops applied to it, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Where the chain starts.
    pub base: Base,
    /// The hops, first applied first.
    pub hops: Vec<RoleHop>,
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.base)?;
        for hop in &self.hops {
            write!(
                f,
                " -> AssumeRole {} (profile {:?})",
                hop.role_arn, hop.profile
            )?;
        }
        Ok(())
    }
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanError {
    /// No source of credentials at all.
    NoCredentials,
    /// A named profile is in neither file.
    ProfileNotFound(String),
    /// A `source_profile` names a profile that does not exist.
    SourceProfileNotFound {
        /// The profile with the `source_profile`.
        profile: String,
        /// The missing one.
        source_profile: String,
    },
    /// `source_profile` links loop.
    Cycle(Vec<String>),
    /// A profile has `role_arn` but says nowhere where the source credentials come from.
    RoleWithoutSource(String),
    /// A profile has both `source_profile` and `credential_source`.
    ConflictingSources(String),
    /// A `credential_source` value AWS does not define.
    UnknownCredentialSource {
        /// The profile.
        profile: String,
        /// The value.
        value: String,
    },
    /// A profile has nothing that gives credentials.
    EmptyProfile(String),
    /// A setting has a value that does not parse (`duration_seconds = soon`).
    InvalidValue {
        /// The profile.
        profile: String,
        /// The key.
        key: &'static str,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCredentials => f.write_str(
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile, AWS_PROFILE) that has them",
            ),
            Self::ProfileNotFound(p) => write!(f, "profile {p:?} not found in the shared config or credentials file"),
            Self::SourceProfileNotFound { profile, source_profile } => write!(
                f,
                "profile {profile:?} has source_profile = {source_profile}, which does not exist"
            ),
            Self::Cycle(path) => write!(f, "source_profile links loop: {}", path.join(" -> ")),
            Self::RoleWithoutSource(p) => write!(
                f,
                "profile {p:?} has role_arn but no source_profile, credential_source or web_identity_token_file"
            ),
            Self::ConflictingSources(p) => {
                write!(f, "profile {p:?} has both source_profile and credential_source; keep one")
            }
            Self::UnknownCredentialSource { profile, value } => write!(
                f,
                "profile {profile:?} has credential_source = {value}; expected Environment, Ec2InstanceMetadata or EcsContainer"
            ),
            Self::EmptyProfile(p) => write!(f, "profile {p:?} has no credentials (no keys, role_arn, SSO or credential_process)"),
            Self::InvalidValue { profile, key } => write!(f, "profile {profile:?} has an invalid {key}"),
        }
    }
}

impl std::error::Error for PlanError {}

fn value(section: &Section, key: &str) -> Option<String> {
    section
        .get(key)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn has_keys(section: &Section, origin: Option<FileKind>) -> bool {
    let key = section.origin("aws_access_key_id");
    value(section, "aws_access_key_id").is_some()
        && value(section, "aws_secret_access_key").is_some()
        && (origin.is_none() || key == origin)
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
        profile: profile.to_owned(),
        role_arn: value(section, "role_arn").unwrap_or_default(),
        role_session_name: value(section, "role_session_name"),
        external_id: value(section, "external_id"),
        mfa_serial: value(section, "mfa_serial"),
        duration_seconds,
        source_identity: value(section, "source_identity"),
    })
}

/// The base a profile without `role_arn` gives, in botocore's order.
fn leaf(profile: &str, section: &Section) -> Option<Base> {
    if value(section, "sso_session").is_some() || value(section, "sso_start_url").is_some() {
        return Some(Base::Sso {
            profile: profile.to_owned(),
        });
    }
    if has_keys(section, Some(FileKind::Credentials)) {
        return Some(Base::StaticKeys {
            profile: profile.to_owned(),
        });
    }
    if let Some(command) = value(section, "credential_process") {
        return Some(Base::Process {
            profile: profile.to_owned(),
            command,
        });
    }
    has_keys(section, None).then(|| Base::StaticKeys {
        profile: profile.to_owned(),
    })
}

/// The plan for one profile, following `source_profile` links.
pub fn plan_profile(shared: &SharedConfig, profile: &str) -> Result<Plan, PlanError> {
    let mut visited: Vec<String> = Vec::new();
    let mut hops = Vec::new();
    let mut current = profile.to_owned();
    let base = loop {
        let section = match shared.profile(&current) {
            Some(s) => s,
            None if visited.is_empty() => return Err(PlanError::ProfileNotFound(current)),
            None => {
                return Err(PlanError::SourceProfileNotFound {
                    profile: visited.last().cloned().unwrap_or_default(),
                    source_profile: current,
                });
            }
        };
        if visited.contains(&current) {
            visited.push(current);
            return Err(PlanError::Cycle(visited));
        }
        visited.push(current.clone());
        if value(section, "role_arn").is_none() {
            break leaf(&current, section)
                .ok_or_else(|| PlanError::EmptyProfile(current.clone()))?;
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
                hops.push(hop(&current, section)?);
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
                hops.push(hop(&current, section)?);
                if source == current && has_keys(section, None) {
                    // A profile that is its own source: its keys assume its role.
                    break Base::StaticKeys { profile: current };
                }
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
    if !flag && set("AWS_ACCESS_KEY_ID").is_some() && set("AWS_SECRET_ACCESS_KEY").is_some() {
        return Ok(Plan {
            base: Base::Environment,
            hops: Vec::new(),
        });
    }
    let section = shared.profile(profile);
    if named && section.is_none() {
        return Err(PlanError::ProfileNotFound(profile.to_owned()));
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
        if let Some(base) = leaf(profile, section) {
            return Ok(Plan {
                base,
                hops: Vec::new(),
            });
        }
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
        Some(_) if named => Err(PlanError::EmptyProfile(profile.to_owned())),
        _ => Err(PlanError::NoCredentials),
    }
}
