//! Why no plan could be made, as typed values with the text the user reads.

use std::fmt;

use crate::config::{ConfigProblem, FileKind};

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
    /// A profile's SSO settings cannot be used (botocore's `InvalidConfigError`).
    Sso {
        /// The profile.
        profile: String,
        /// What is wrong.
        problem: SsoProblem,
    },
}

/// What is wrong with a profile's SSO settings, as botocore's `SSOProvider` checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SsoProblem {
    /// Required settings are missing: the profile's `sso_account_id` and
    /// `sso_role_name`, and `sso_start_url` and `sso_region` (from the profile, or from
    /// its `sso_session` section).
    Missing(Vec<&'static str>),
    /// `sso_session` names a section that is not in the config file.
    SessionNotFound(String),
    /// The profile and its `sso_session` section set one key to different values.
    Inconsistent {
        /// The section.
        session: String,
        /// The key.
        key: String,
        /// The profile's value.
        in_profile: String,
        /// The section's value.
        in_session: String,
    },
}

impl fmt::Display for SsoProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(keys) => write!(
                f,
                "it is configured to use SSO but is missing required configuration: {}",
                keys.join(", ")
            ),
            Self::SessionNotFound(name) => write!(
                f,
                "its sso_session = {name} names a section that does not exist (add [sso-session {name}] to the config file)"
            ),
            Self::Inconsistent {
                session,
                key,
                in_profile,
                in_session,
            } => write!(
                f,
                "the value for {key} is inconsistent between the profile ({in_profile}) and sso-session {session} ({in_session})"
            ),
        }
    }
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
                "profile {profile:?} has no credentials (no keys, role_arn, SSO, login_session or credential_process){}",
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
            Self::Sso { profile, problem } => {
                write!(f, "profile {profile:?} cannot be used: {problem}")
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
