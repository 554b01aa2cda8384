//! `credential_process`: the command line split as the AWS CLI splits it (POSIX shell
//! words, no shell run), the program run with its stderr passed through and a time limit,
//! and its `Version: 1` JSON read into credentials.
//!
//! The splitting and the JSON reading are pure; `run` is the thin part that spawns.

use std::fmt;
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::AsyncReadExt;

use super::Credentials;
use crate::secret::SecretString;

/// How long a credential process may run.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The most output read from it.
const MAX_OUTPUT: usize = 1024 * 1024;

/// Why a credential process gave no credentials. Never includes its output.
#[derive(Debug)]
#[non_exhaustive]
pub enum ProcessError {
    /// The command line does not split (an unclosed quote) or is empty.
    CommandLine(&'static str),
    /// The program could not be started.
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
    /// It ran longer than allowed (and was killed).
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        after: Duration,
    },
    /// Its output is not the expected JSON.
    BadOutput(String),
}

impl fmt::Display for ProcessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CommandLine(why) => write!(f, "invalid credential_process command line: {why}"),
            Self::Spawn { program, .. } => write!(f, "cannot run credential_process {program:?}"),
            Self::Failed { program, status } => {
                write!(f, "credential_process {program:?} failed ({status})")
            }
            Self::Timeout { program, after } => {
                write!(
                    f,
                    "credential_process {program:?} did not finish within {}s",
                    after.as_secs()
                )
            }
            Self::BadOutput(why) => write!(f, "credential_process output is not valid: {why}"),
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
    let bad = |why: &str| ProcessError::BadOutput(why.to_owned());
    let json: serde_json::Value = serde_json::from_slice(stdout).map_err(|_| bad("not JSON"))?;
    match json.get("Version").and_then(serde_json::Value::as_u64) {
        Some(1) => {}
        Some(_) => return Err(bad("Version is not 1")),
        None => return Err(bad("no Version")),
    }
    let text = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let key_id = text("AccessKeyId").ok_or_else(|| bad("no AccessKeyId"))?;
    let secret = text("SecretAccessKey").ok_or_else(|| bad("no SecretAccessKey"))?;
    let token = text("SessionToken").map(SecretString::new);
    let expiration = match text("Expiration") {
        Some(e) => Some(
            DateTime::parse_from_rfc3339(e)
                .map_err(|_| bad("Expiration is not RFC 3339"))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    Ok(Credentials::new(key_id, secret, token, expiration))
}

/// Runs the command line (no shell), its stderr passed through, within `timeout`.
pub async fn run(command_line: &str, timeout: Duration) -> Result<Credentials, ProcessError> {
    let words = split(command_line)?;
    let program = words[0].clone();
    let mut child = tokio::process::Command::new(&program)
        .args(&words[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| ProcessError::Spawn {
            program: program.clone(),
            source,
        })?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or(ProcessError::CommandLine("no stdout"))?;
    let work = async {
        let mut out = Vec::new();
        (&mut stdout)
            .take(MAX_OUTPUT as u64 + 1)
            .read_to_end(&mut out)
            .await?;
        let status = child.wait().await?;
        Ok::<_, std::io::Error>((out, status))
    };
    let (out, status) = match tokio::time::timeout(timeout, work).await {
        Ok(result) => result.map_err(|source| ProcessError::Spawn {
            program: program.clone(),
            source,
        })?,
        Err(_) => {
            return Err(ProcessError::Timeout {
                program,
                after: timeout,
            });
        }
    };
    if !status.success() {
        return Err(ProcessError::Failed {
            program,
            status: status.to_string(),
        });
    }
    if out.len() > MAX_OUTPUT {
        return Err(ProcessError::BadOutput("more than 1 MiB of output".into()));
    }
    parse_output(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_botocore_does_without_running_a_shell() {
        let ok = |line: &str| split(line).unwrap();
        assert_eq!(
            ok("aws-login dumpcreds --credential-helper"),
            ["aws-login", "dumpcreds", "--credential-helper"]
        );
        assert_eq!(
            ok("  a\t'b c'  \"d \\\"e\\\" $f\" g\\ h "),
            ["a", "b c", "d \"e\" $f", "g h"]
        );
        assert_eq!(
            ok("'/path with space/bin' --x=\"1 2\""),
            ["/path with space/bin", "--x=1 2"]
        );
        assert_eq!(ok("a''b \"\""), ["ab", ""]);
        assert_eq!(ok("echo \"\\n\""), ["echo", "\\n"]);
        // Python's shlex keeps a backslash before `$` inside double quotes.
        assert_eq!(ok("echo \"\\$HOME\""), ["echo", "\\$HOME"]);
        assert!(split("a 'b").is_err());
        assert!(split("a \"b").is_err());
        assert!(split("   ").is_err());
    }

    #[test]
    fn reads_version_1_json() {
        let c = parse_output(br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","SessionToken":"T","Expiration":"2030-01-02T03:04:05Z"}"#).unwrap();
        assert_eq!(c.access_key_id(), "AK");
        assert_eq!(c.session_token().unwrap().expose(), "T");
        assert_eq!(c.expiration().map(|e| e.timestamp()), Some(1_893_553_445));
        let c =
            parse_output(br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK"}"#).unwrap();
        assert!(c.session_token().is_none() && c.expiration().is_none());
        for (bad, why) in [
            (&b"nope"[..], "not JSON"),
            (br#"{"AccessKeyId":"AK","SecretAccessKey":"SK"}"#, "no Version"),
            (br#"{"Version":2,"AccessKeyId":"AK","SecretAccessKey":"SK"}"#, "Version is not 1"),
            (br#"{"Version":1,"SecretAccessKey":"TOPSECRET"}"#, "no AccessKeyId"),
            (br#"{"Version":1,"AccessKeyId":"AK","SecretAccessKey":"TOPSECRET","Expiration":"soon"}"#, "RFC 3339"),
        ] {
            let err = parse_output(bad).unwrap_err().to_string();
            assert!(err.contains(why) && !err.contains("TOPSECRET"), "{err}");
        }
    }

    #[tokio::test]
    async fn a_process_that_hangs_is_stopped_at_the_timeout() {
        let err = run("/bin/sh -c 'exec sleep 30'", Duration::from_millis(200))
            .await
            .unwrap_err();
        assert!(matches!(err, ProcessError::Timeout { .. }), "{err:?}");
        assert!(err.to_string().contains("/bin/sh"), "{err}");
    }
}
