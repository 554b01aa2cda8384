//! The command line: argh structs that only hold what the user typed, one file per
//! command, and the dispatch. Commands get the environment and the time as values, and
//! return their output, so they are tested without a process.

use std::fmt;

use argh::FromArgs;
use chrono::{DateTime, Utc};

pub mod presign;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the command failed (bad input, missing credentials...).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status: the command line could not be parsed.
pub const EXIT_USAGE: u8 = 2;

/// Get, move and use AWS credentials: one static binary with its own SigV4 signer.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    error_code(1, "the command failed (bad input, missing credentials)"),
    error_code(2, "usage error: the command line could not be parsed")
)]
pub struct Cli {
    /// print the version and exit
    #[argh(switch)]
    pub version: bool,

    #[argh(subcommand)]
    /// the command to run
    pub command: Option<Command>,
}

/// The commands.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand)]
pub enum Command {
    /// `presign`
    Presign(presign::PresignArgs),
}

/// Reads an environment variable; the binary passes the process environment, tests a map.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What a command prints: `stdout` is the result (credentials, URLs), `stderr` is status.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// The command's result.
    pub stdout: String,
    /// Status and debugging text.
    pub stderr: String,
}

/// A command that failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum CliError {
    /// The command line parsed but does not make sense.
    Usage(String),
    /// `presign` failed.
    Presign(presign::PresignError),
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Presign(_) => EXIT_FAILURE,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(msg) => f.write_str(msg),
            CliError::Presign(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Usage(_) => None,
            CliError::Presign(e) => e.source(),
        }
    }
}

/// The version line `--version` prints.
pub fn version_line() -> String {
    format!("aws-login {}\n", env!("CARGO_PKG_VERSION"))
}

/// Runs the parsed command line.
pub fn run(cli: &Cli, env: EnvLookup<'_>, now: DateTime<Utc>) -> Result<Output, CliError> {
    if cli.version {
        return Ok(Output {
            stdout: version_line(),
            stderr: String::new(),
        });
    }
    match &cli.command {
        Some(Command::Presign(args)) => presign::run(args, env, now).map_err(CliError::Presign),
        None => Err(CliError::Usage(
            "no command given; run `aws-login --help` for the list".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, argh::EarlyExit> {
        Cli::from_args(&["aws-login"], args)
    }

    #[test]
    fn version_switch_prints_the_version() {
        let cli = parse(&["--version"]).ok();
        let out = cli.map(|c| run(&c, &|_| None, DateTime::UNIX_EPOCH).ok());
        let expected = format!("aws-login {}\n", env!("CARGO_PKG_VERSION"));
        assert_eq!(out.flatten().map(|o| o.stdout), Some(expected));
    }

    #[test]
    fn help_lists_commands_and_exit_codes() {
        let early = parse(&["--help"]).unwrap_err();
        let text = early.output;
        assert_eq!(early.status, Ok(()));
        assert!(text.contains("presign"), "{text}");
        assert!(text.contains("usage error"), "{text}");
    }

    #[test]
    fn no_command_is_a_usage_error() {
        let cli = parse(&[]).ok();
        let err = cli.and_then(|c| run(&c, &|_| None, DateTime::UNIX_EPOCH).err());
        assert_eq!(err.map(|e| e.exit_code()), Some(EXIT_USAGE));
    }
}
