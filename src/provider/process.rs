//! `credential_process`: the command line split as the AWS CLI splits it (Python's
//! `shlex.split`, no shell run), the program run as botocore runs it (aws-login's stdin
//! and terminal, its stderr passed through), with a time limit and a cap on its output
//! past which it is ended with everything it started (see `job`), and its `Version: 1`
//! JSON read into credentials.
//!
//! A helper that is aws-login itself for the same profile (`credential_process =
//! aws-login dumpcreds --credential-helper` with `AWS_PROFILE` naming that profile) would
//! start itself without end: each helper gets [`CHAIN_VARIABLE`], the profiles and
//! commands of the helpers it runs inside, and an aws-login that finds its own step there
//! refuses (as the AWS CLI's `export-credentials` guards with `_AWS_CLI_PROFILE_CHAIN`).
//!
//! The splitting, the chain and the JSON reading are pure; `run` is the part that spawns.

use std::fmt;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::Signal;
use nix::unistd::Pid;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use super::job::{helper_tree, signal_all};
use crate::credentials::Credentials;
use crate::services::metadata::{DocumentError, credentials_in};

/// How long a credential process may run when nobody can answer it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long it may run when aws-login's stdin is a terminal (a person may be typing a
/// code, or signing in in a browser it opened).
pub const TERMINAL_TIMEOUT: Duration = Duration::from_secs(300);
/// The variable that sets the time limit, in seconds.
pub const TIMEOUT_VARIABLE: &str = "AWS_LOGIN_CREDENTIAL_PROCESS_TIMEOUT";
/// The most output read from it.
pub const MAX_OUTPUT: usize = 1024 * 1024;
/// How long a helper that is being ended has, after `SIGTERM`, before `SIGKILL`.
pub(crate) const GRACE: Duration = Duration::from_secs(1);
/// The variable a helper gets: the helpers it runs inside, outermost first (JSON).
pub const CHAIN_VARIABLE: &str = "AWS_LOGIN_CREDENTIAL_PROCESS_CHAIN";
/// How deep helpers may nest, whatever they run.
pub const MAX_DEPTH: usize = 8;

/// Why a credential process gave no credentials. Never includes its output.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProcessError {
    /// The command line does not split (an unclosed quote) or is empty.
    CommandLine(&'static str),
    /// The program could not be started, or its output not read.
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// It exited unsuccessfully.
    Failed {
        /// The program.
        program: String,
        /// Its exit status.
        status: String,
    },
    /// It ran longer than allowed (it and what it started were ended).
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        after: Duration,
        /// Whether the program itself had exited, leaving a process it started holding
        /// its output open.
        exited: bool,
    },
    /// It printed more than [`MAX_OUTPUT`] (it and what it started were ended at once).
    TooMuchOutput {
        /// The program.
        program: String,
        /// How much was read before stopping.
        read: usize,
    },
    /// Its output is not the expected JSON.
    BadOutput(DocumentError),
    /// [`TIMEOUT_VARIABLE`] is not a number of seconds.
    BadTimeout(String),
    /// Running it would start the same helper again: aws-login runs as this very
    /// profile's helper already.
    Recursion {
        /// The profile.
        profile: String,
        /// The profiles of the helpers this aws-login runs inside, outermost first.
        chain: Vec<String>,
    },
    /// Helpers nest deeper than [`MAX_DEPTH`].
    TooDeep {
        /// The profiles of the helpers this aws-login runs inside, outermost first.
        chain: Vec<String>,
    },
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CommandLine(why) => write!(f, "invalid credential_process command line: {why}"),
            Self::Spawn { program, .. } => write!(f, "cannot run credential_process {program:?}"),
            Self::Failed { program, status } => {
                write!(f, "credential_process {program:?} failed ({status})")
            }
            Self::Timeout {
                program,
                after,
                exited,
            } => {
                write!(
                    f,
                    "credential_process {program:?} did not finish within {}s{}; it was ended with what it started (set {TIMEOUT_VARIABLE} to give it longer)",
                    after.as_secs_f64(),
                    if *exited {
                        " (it exited, but a process it started kept its output open)"
                    } else {
                        ""
                    }
                )
            }
            Self::TooMuchOutput { program, read } => write!(
                f,
                "credential_process {program:?} printed more than 1 MiB ({read} bytes read): it was ended with what it started"
            ),
            Self::BadOutput(why) => write!(f, "credential_process output is not valid: {why}"),
            Self::BadTimeout(value) => write!(
                f,
                "{TIMEOUT_VARIABLE}={value:?} is not a number of seconds greater than 0"
            ),
            Self::Recursion { profile, chain } => write!(
                f,
                "aws-login is running as the credential_process of profile {profile:?} (helpers: {}), and that profile needs the same credential_process again: it would start itself without end. Give the helper another profile to resolve, e.g. `credential_process = aws-login dumpcreds --credential-helper --profile SOURCE` where SOURCE has the keys or role",
                chain.join(" -> ")
            ),
            Self::TooDeep { chain } => write!(
                f,
                "credential_process helpers nest {MAX_DEPTH} deep{}: aws-login is running as the credential_process of a credential_process... and stops here rather than start itself without end",
                if chain.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", chain.join(" -> "))
                }
            ),
        }
    }
}

impl std::error::Error for ProcessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Spawn { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The time limit from [`TIMEOUT_VARIABLE`] (seconds, fractions allowed), or `None` for
/// the defaults.
pub fn timeout_from_env(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Duration>, ProcessError> {
    let Some(value) = env(TIMEOUT_VARIABLE).filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && s.is_finite())
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .map(Some)
        .ok_or(ProcessError::BadTimeout(value))
}

/// The helpers an aws-login runs inside: (profile, digest of the command line, run id),
/// outermost first, as [`CHAIN_VARIABLE`] carries them. The run id marks everything a
/// helper starts, so that it can be found and ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain(Vec<(String, String, String)>);

fn digest(command: &str) -> String {
    hex::encode(&Sha256::digest(command.as_bytes())[..8])
}

impl Chain {
    /// From [`CHAIN_VARIABLE`]; a value that does not parse counts as none.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        Self(
            env(CHAIN_VARIABLE)
                .and_then(|v| serde_json::from_str(&v).ok())
                .unwrap_or_default(),
        )
    }

    /// Whether running `command` for `profile` may go on: not when a helper this runs
    /// inside is that very step, nor past [`MAX_DEPTH`] helpers (counted from the chain, or
    /// as `ancestors`, the aws-login processes above this one, for helpers that cleared
    /// their environment).
    pub fn check(
        &self,
        profile: &str,
        command: &str,
        ancestors: usize,
    ) -> Result<(), ProcessError> {
        let profiles = || self.0.iter().map(|(p, _, _)| p.clone()).collect::<Vec<_>>();
        let step = digest(command);
        if self.0.iter().any(|(p, d, _)| p == profile && *d == step) {
            let mut chain = profiles();
            chain.push(profile.to_owned());
            return Err(ProcessError::Recursion {
                profile: profile.to_owned(),
                chain,
            });
        }
        if self.0.len().max(ancestors) >= MAX_DEPTH {
            return Err(ProcessError::TooDeep { chain: profiles() });
        }
        Ok(())
    }

    /// The value of [`CHAIN_VARIABLE`] for the helper that runs `command` for `profile`,
    /// marked with `run_id`.
    pub fn child_value(&self, profile: &str, command: &str, run_id: &str) -> String {
        let mut steps = self.0.clone();
        steps.push((profile.to_owned(), digest(command), run_id.to_owned()));
        serde_json::to_string(&steps).unwrap_or_default()
    }
}

/// How to run a helper.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The time limit; `None`: [`TERMINAL_TIMEOUT`] when it gets a terminal on stdin,
    /// else [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// Give it aws-login's stdin (botocore does). `false`: stdin is empty (while
    /// `runas`'s program, whose stdin it is, runs).
    pub interactive: bool,
    /// Variables added to its environment.
    pub env: Vec<(String, String)>,
    /// The run id in its environment that marks what it starts (found and ended with it).
    pub run_id: Option<String>,
}

/// Splits a command line into words as botocore does (Python's `shlex.split`; see
/// [`crate::shlex`]); an empty line is an error.
pub fn split(line: &str) -> Result<Vec<String>, ProcessError> {
    let words = crate::shlex::split(line).map_err(|e| ProcessError::CommandLine(e.reason()))?;
    if words.is_empty() {
        return Err(ProcessError::CommandLine("empty"));
    }
    Ok(words)
}

/// Reads the `Version: 1` JSON a credential process prints.
pub fn parse_output(stdout: &[u8]) -> Result<Credentials, ProcessError> {
    let bad = ProcessError::BadOutput;
    let json: serde_json::Value =
        serde_json::from_slice(stdout).map_err(|_| bad(DocumentError::NotJson))?;
    match json.get("Version").and_then(serde_json::Value::as_u64) {
        Some(1) => {}
        Some(_) => return Err(bad(DocumentError::WrongVersion)),
        None => return Err(bad(DocumentError::NoVersion)),
    }
    credentials_in(&json, "SessionToken").map_err(bad)
}

/// Runs the command line (no shell): its stdin aws-login's (when interactive), its stderr
/// passed through, its stdout read up to [`MAX_OUTPUT`], within the time limit. A helper
/// that goes over either is ended at once with what it started (`SIGTERM`, then `SIGKILL`
/// a second later).
pub async fn run(command_line: &str, options: &Options) -> Result<Credentials, ProcessError> {
    use std::io::IsTerminal;
    let words = split(command_line)?;
    let program = words[0].clone();
    let spawn_error = |source| ProcessError::Spawn {
        program: program.clone(),
        source,
    };
    // Before it starts: a signal that ends aws-login must find it listed (by its run id
    // until its pid is known).
    super::job::end_helpers_on_signals();
    let running = super::job::running(options.run_id.clone());
    let mut child = tokio::process::Command::new(&program)
        .args(&words[1..])
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .stdin(if options.interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(spawn_error)?;
    if let Some(pid) = child.id().and_then(|id| i32::try_from(id).ok()) {
        running.spawned(Pid::from_raw(pid));
    }
    let timeout =
        options
            .timeout
            .unwrap_or(if options.interactive && std::io::stdin().is_terminal() {
                TERMINAL_TIMEOUT
            } else {
                DEFAULT_TIMEOUT
            });
    let mut stdout = child
        .stdout
        .take()
        .ok_or(ProcessError::CommandLine("no stdout"))?;
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut status = None;
    let mut eof = false;
    let ended = loop {
        if eof && let Some(status) = status {
            break Ok(status);
        }
        tokio::select! {
            read = stdout.read(&mut chunk), if !eof => match read {
                Ok(0) => eof = true,
                Ok(n) => {
                    out.extend_from_slice(&chunk[..n]);
                    if out.len() > MAX_OUTPUT {
                        break Err(ProcessError::TooMuchOutput { program: program.clone(), read: out.len() });
                    }
                }
                Err(e) => break Err(spawn_error(e)),
            },
            waited = child.wait(), if status.is_none() => match waited {
                Ok(s) => status = Some(s),
                Err(e) => break Err(spawn_error(e)),
            },
            () = &mut deadline => break Err(ProcessError::Timeout {
                program: program.clone(),
                after: timeout,
                exited: status.is_some(),
            }),
        }
    };
    let status = match ended {
        Ok(status) => status,
        Err(e) => {
            end(&mut child, options.run_id.as_deref()).await;
            return Err(e);
        }
    };
    if !status.success() {
        return Err(ProcessError::Failed {
            program,
            status: status.to_string(),
        });
    }
    parse_output(&out)
}

/// Ends a helper and what it started (its descendants, and every process its run id
/// marks): `SIGTERM`, then `SIGKILL` after [`GRACE`] (sooner when the helper is gone), and
/// reaps it.
async fn end(child: &mut tokio::process::Child, run_id: Option<&str>) {
    let helper = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(Pid::from_raw);
    let mut started = helper_tree(helper, run_id);
    signal_all(&helper.into_iter().collect::<Vec<_>>(), Signal::SIGTERM);
    signal_all(&started, Signal::SIGTERM);
    let _ = tokio::time::timeout(GRACE, child.wait()).await;
    let _ = child.start_kill();
    started.extend(helper_tree(None, run_id));
    signal_all(&started, Signal::SIGKILL);
    let _ = child.wait().await;
}

#[cfg(test)]
mod tests;
