//! Which credentials, through which hops: resolved as data from the environment and the
//! shared files before anything is sent, in the AWS CLI's order. `--debug` prints the plan.
//!
//! The top: environment keys (unless `--profile` names a profile), then the selected
//! profile (`--profile`, else `AWS_DEFAULT_PROFILE`, else `AWS_PROFILE`, else `default`),
//! then `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`. Within a profile, as botocore
//! orders its providers: `role_arn` (with `source_profile`, `credential_source` or
//! `web_identity_token_file`), then SSO, then keys from the credentials file, then
//! `credential_process`, then keys from the config file; then the container credentials
//! endpoint, then the instance metadata service. A `source_profile` chain is followed
//! until a profile with static keys (whose own `role_arn` is then not used) or a base; a
//! cycle is an error naming the path, except a profile that is its own source and has
//! keys, which the AWS CLI allows.
//!
//! Half a key pair is an error naming the missing key, never a step to another source:
//! in the environment (either half) and in one file of a profile (a key pair comes from
//! one file, as botocore's `SharedCredentialProvider` and `ConfigProvider` read them). A
//! profile the plan needs that has lines aws-login could not read is an error naming
//! them; errors that a file aws-login could not read may explain say what it skipped.
//!
//! Pure: the environment and the parsed files come in.

use std::fmt;

use crate::config::{Affects, ConfigProblem, FileKind, Section, SharedConfig};

/// Where the chain starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`.
    Environment,
    /// A profile's `aws_access_key_id` / `aws_secret_access_key` (and
    /// `aws_security_token` or `aws_session_token`), all from one file.
    StaticKeys {
        /// The profile.
        profile: String,
        /// The file the pair is in.
        file: FileKind,
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
            Base::StaticKeys { profile, .. } => write!(f, "keys of profile {profile:?}"),
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

/// Why no plan could be made. Errors that may come from a file aws-login could not
/// read carry what it skipped, and say it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanError {
    /// No source of credentials at all.
    NoCredentials {
        /// What was skipped in the shared files.
        skipped: Vec<ConfigProblem>,
    },
    /// A named profile is in neither file.
    ProfileNotFound {
        /// The profile.
        profile: String,
        /// The variable that named it, when one did (`AWS_DEFAULT_PROFILE`...).
        from: Option<&'static str>,
        /// What was skipped in the shared files.
        skipped: Vec<ConfigProblem>,
    },
    /// A `source_profile` names a profile that does not exist.
    SourceProfileNotFound {
        /// The profile with the `source_profile`.
        profile: String,
        /// The missing one.
        source_profile: String,
        /// What was skipped in the shared files.
        skipped: Vec<ConfigProblem>,
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
    EmptyProfile {
        /// The profile.
        profile: String,
        /// What was skipped in the shared files.
        skipped: Vec<ConfigProblem>,
    },
    /// A setting has a value that does not parse (`duration_seconds = soon`).
    InvalidValue {
        /// The profile.
        profile: String,
        /// The key.
        key: &'static str,
    },
    /// A profile the chain needs has lines aws-login could not read.
    Unreadable {
        /// The profile.
        profile: String,
        /// What was skipped in it.
        skipped: Vec<ConfigProblem>,
    },
    /// Half a key pair in a profile (botocore's `PartialCredentialsError`).
    PartialKeys {
        /// The profile.
        profile: String,
        /// The file the half pair is in.
        file: FileKind,
        /// The key that is missing (or empty).
        missing: &'static str,
        /// A key of the pair (or a session token) that is there.
        present: &'static str,
        /// Whether the missing key is there, but empty.
        empty: bool,
        /// Whether the other file has the missing key (botocore takes a pair from one
        /// file).
        in_other_file: bool,
    },
    /// The profile gives no credentials in what could be read, and what could not be read
    /// may hold them: no falling back to the container or instance in their place.
    MayBeInSkipped {
        /// The profile.
        profile: String,
        /// What was skipped.
        skipped: Vec<ConfigProblem>,
    },
    /// Half a key pair in the environment.
    PartialEnvironment {
        /// The variable that is missing (or empty).
        missing: &'static str,
    },
}

/// `; aws-login skipped what it could not read in the shared files: A; B`, then
/// `; note: C` for what was read but may explain the error (a `[dev]` in the config
/// file), or nothing.
pub fn skipped_note(problems: &[ConfigProblem]) -> String {
    let list = |skipped: bool| {
        problems
            .iter()
            .filter(|p| p.skipped == skipped)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut note = String::new();
    let (skipped, notes) = (list(true), list(false));
    if !skipped.is_empty() {
        note.push_str("; aws-login skipped what it could not read in the shared files: ");
        note.push_str(&skipped);
    }
    if !notes.is_empty() {
        note.push_str("; note: ");
        note.push_str(&notes);
    }
    note
}

fn file_name(file: FileKind) -> &'static str {
    match file {
        FileKind::Config => "config",
        FileKind::Credentials => "credentials",
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCredentials { skipped } => write!(
                f,
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile (--profile, AWS_PROFILE) that has them{}",
                skipped_note(skipped)
            ),
            Self::ProfileNotFound {
                profile,
                from,
                skipped,
            } => write!(
                f,
                "profile {profile:?}{} not found in the shared config or credentials file{}",
                from.map(|v| format!(" (from {v})")).unwrap_or_default(),
                skipped_note(skipped)
            ),
            Self::SourceProfileNotFound {
                profile,
                source_profile,
                skipped,
            } => write!(
                f,
                "profile {profile:?} has source_profile = {source_profile}, which does not exist{}",
                skipped_note(skipped)
            ),
            Self::Cycle(path) => write!(f, "source_profile links loop: {}", path.join(" -> ")),
            Self::RoleWithoutSource(p) => write!(
                f,
                "profile {p:?} has role_arn but no source_profile, credential_source or web_identity_token_file"
            ),
            Self::ConflictingSources(p) => {
                write!(
                    f,
                    "profile {p:?} has both source_profile and credential_source; keep one"
                )
            }
            Self::UnknownCredentialSource { profile, value } => write!(
                f,
                "profile {profile:?} has credential_source = {value}; expected Environment, Ec2InstanceMetadata or EcsContainer"
            ),
            Self::EmptyProfile { profile, skipped } => write!(
                f,
                "profile {profile:?} has no credentials (no keys, role_arn, SSO or credential_process){}",
                skipped_note(skipped)
            ),
            Self::InvalidValue { profile, key } => {
                write!(f, "profile {profile:?} has an invalid {key}")
            }
            Self::Unreadable { profile, skipped } => {
                let list: Vec<String> = skipped.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "profile {profile:?} cannot be used: aws-login could not read all of what it needs: {}",
                    list.join("; ")
                )
            }
            Self::PartialKeys {
                profile,
                file,
                missing,
                empty: true,
                ..
            } => write!(
                f,
                "profile {profile:?} has an empty {missing} in the {} file",
                file_name(*file)
            ),
            Self::PartialKeys {
                profile,
                file,
                missing,
                present,
                in_other_file,
                empty: false,
            } => {
                write!(
                    f,
                    "profile {profile:?} has {present} but no {missing} in the {} file",
                    file_name(*file)
                )?;
                if *in_other_file {
                    write!(
                        f,
                        " (the {} file has one, but a key pair must come from one file, as the AWS CLI reads them)",
                        file_name(match file {
                            FileKind::Config => FileKind::Credentials,
                            FileKind::Credentials => FileKind::Config,
                        })
                    )?;
                }
                Ok(())
            }
            Self::MayBeInSkipped { profile, skipped } => {
                let list: Vec<String> = skipped.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "no credentials for profile {profile:?} in what aws-login could read, and it could not read all of the shared files, which may hold them: {}; it will not use container or instance credentials in their place (if those are what you want, point AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE at files it can read, or at /dev/null)",
                    list.join("; ")
                )
            }
            Self::PartialEnvironment { missing } => {
                let other = if *missing == "AWS_ACCESS_KEY_ID" {
                    "AWS_SECRET_ACCESS_KEY"
                } else {
                    "AWS_ACCESS_KEY_ID"
                };
                write!(
                    f,
                    "{other} is set but {missing} is not: set both, or neither (half a key pair is refused rather than passed over for another identity)"
                )
            }
        }
    }
}

impl PlanError {
    /// Its kind: a profile that does not exist is a usage error; the rest (no
    /// credentials, a profile that cannot give them) a failure.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::ProfileNotFound { .. } => crate::error_kind::ErrorKind::Usage,
            _ => crate::error_kind::ErrorKind::Failure,
        }
    }
}

impl std::error::Error for PlanError {}

const ACCESS_KEY_ID: &str = "aws_access_key_id";
const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";

fn value(section: &Section, key: &str) -> Option<String> {
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
        return Ok(Some(Base::StaticKeys {
            profile: profile.to_owned(),
            file,
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
fn readable(shared: &SharedConfig, profile: &str) -> Result<(), PlanError> {
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
        profile: profile.to_owned(),
        role_arn: value(section, "role_arn").unwrap_or_default(),
        role_session_name: value(section, "role_session_name"),
        external_id: value(section, "external_id"),
        mfa_serial: value(section, "mfa_serial"),
        duration_seconds,
        source_identity: value(section, "source_identity"),
    })
}

/// The base a profile's own settings give (no `role_arn`, or a source profile with
/// static keys), in botocore's order: SSO, the credentials file's keys,
/// `credential_process`, the config file's keys. Half a key pair is an error where
/// botocore raises one (a key id without its secret), and also, at the end, when only a
/// secret is there (botocore would pass over it to another source).
fn leaf(profile: &str, section: &Section) -> Result<Option<Base>, PlanError> {
    if value(section, "sso_session").is_some() || value(section, "sso_start_url").is_some() {
        return Ok(Some(Base::Sso {
            profile: profile.to_owned(),
        }));
    }
    if let Some(base) = keys_in(profile, section, FileKind::Credentials)? {
        return Ok(Some(base));
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
            break leaf(&current, section)?.ok_or_else(|| PlanError::EmptyProfile {
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
        if let Some(base) = leaf(profile, section)? {
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
