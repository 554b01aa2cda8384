//! The command line: argh structs that only hold what the user typed, one file per
//! command, and the dispatch. Commands get the environment, the clock and the terminal as
//! values in a [`Context`], and return their output, so they are tested without a process.

use argh::FromArgs;

use crate::time::Clock;

mod args;
pub mod configure;
pub mod connection;
pub mod console;
pub mod decode;
pub mod dumpconfig;
pub mod dumpcreds;
mod error;
pub mod getcallerid;
pub mod identity;
pub mod importcache;
pub mod presign;
pub mod runas;
pub mod session;
pub mod settings;
mod sign_in;
pub mod sso;

pub use args::{argparse_style, parse_args};
pub use error::{CliError, UsageError};

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the command failed (bad input, missing credentials...).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status: the command line could not be parsed or makes no sense.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: AWS answered with an error (access denied, expired token...).
pub const EXIT_AWS: u8 = 3;
/// Exit status: AWS could not be reached, or answered with something unreadable.
pub const EXIT_NETWORK: u8 = 4;

/// Get, move and use AWS credentials: one static binary with its own SigV4 signer.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    error_code(1, "the command failed (bad input, missing credentials)"),
    error_code(
        2,
        "usage error: the command line could not be parsed or makes no sense"
    ),
    error_code(
        3,
        "AWS answered with an error (its code, message and request id are shown)"
    ),
    error_code(
        4,
        "network error: AWS could not be reached or its answer was unreadable"
    )
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
    /// `console`
    Console(console::ConsoleArgs),
    /// `configure sso`
    Configure(configure::ConfigureArgs),
    /// `getcallerid`
    GetCallerId(getcallerid::GetCallerIdArgs),
    /// `dumpcreds`
    DumpCreds(dumpcreds::DumpCredsArgs),
    /// `dumpconfig`
    DumpConfig(dumpconfig::DumpConfigArgs),
    /// `decode-authorization-message`
    Decode(decode::DecodeArgs),
    /// `runas`
    RunAs(runas::RunAsArgs),
    /// `presign`
    Presign(presign::PresignArgs),
    /// `sso login`, `sso logout`
    Sso(sso::SsoArgs),
    /// `importcache`
    ImportCache(importcache::ImportCacheArgs),
}

/// Reads an environment variable; the binary passes the process environment, tests a map.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The world a command runs in, passed in by the binary (or a test).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Environment variables.
    pub env: EnvLookup<'a>,
    /// The wall clock.
    pub clock: &'a dyn Clock,
    /// A seed for retry jitter.
    pub seed: u64,
    /// Asks a question on the terminal (the text as given, e.g. `MFA code for ARN: `)
    /// and reads one line, trimmed (`None`: no terminal, or nothing entered).
    pub prompt: identity::Prompt<'a>,
    /// Whether there is a terminal to ask on: without one and without `--token-code`, a
    /// plan that needs an MFA code fails before it sends anything.
    pub can_prompt: bool,
    /// Writes a status line to stderr as it happens (`--debug` traces).
    pub stderr: &'a (dyn Fn(&str) + Sync),
    /// Rewrites one live status line in place (a wait's elapsed time), when stderr is a
    /// terminal; `None` elsewhere (then a wait says once what it waits for). The text is
    /// written as given after a carriage return; an empty text clears the line.
    pub progress: Option<&'a (dyn Fn(&str) + Sync)>,
    /// Whether helpers (`credential_process`) may use aws-login's stdin and terminal, as
    /// botocore lets them; `false` while `runas` runs its program, whose they are.
    pub interactive: bool,
}

/// `text` safe to show on a terminal: control characters (escape sequences, line
/// breaks, C1 controls) and the bidirectional overrides that reorder what is shown are
/// written as `\u{..}` escapes. Server messages and file contents pass through here
/// before they reach stderr.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// An error and its causes on one line, `error: cause: cause`.
pub fn cause_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What a command prints: `stdout` is the result (credentials, JSON, URLs), `stderr` is
/// status; and the exit status (`runas` passes on its child's).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// The command's result.
    pub stdout: String,
    /// Status and debugging text.
    pub stderr: String,
    /// The process exit status.
    pub exit_code: u8,
    /// Lines to append to a file once `stdout` is written, and only then: `dumpcreds
    /// --outform github` puts the credentials in `$GITHUB_ENV` only after the runner has
    /// read the `::add-mask::` commands for them, so a step that could not print the masks
    /// leaves no unmasked secret for the next steps.
    pub append_after: Option<AppendAfter>,
}

/// Lines (secret) to append to a file.
#[derive(Debug, PartialEq, Eq)]
pub struct AppendAfter {
    /// What the file is, for errors.
    pub what: String,
    /// Its path.
    pub path: String,
    /// The lines, each ending in a newline.
    pub lines: crate::secret::SecretString,
}

impl AppendAfter {
    /// Appends the lines (creating the file if it is missing).
    pub fn apply(&self) -> Result<(), CliError> {
        use std::io::Write;
        let file_error = |source| CliError::WriteFile {
            what: self.what.clone(),
            path: self.path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(file_error)?;
        file.write_all(self.lines.expose().as_bytes())
            .map_err(file_error)
    }
}

impl Output {
    /// Output that is only a result.
    pub fn stdout(text: String) -> Self {
        Self {
            stdout: text,
            ..Self::default()
        }
    }
}

/// The version line `--version` prints.
pub fn version_line() -> String {
    format!("aws-login {}\n", env!("CARGO_PKG_VERSION"))
}

/// Runs `future` to its end on a single-threaded runtime, built only now: commands
/// whose work needs no request (`dumpcreds` from keys at hand) never start one.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    Ok(runtime.block_on(future))
}

/// Runs the parsed command line.
pub fn run(cli: &Cli, ctx: &Context<'_>) -> Result<Output, CliError> {
    if cli.version {
        return Ok(Output::stdout(version_line()));
    }
    match &cli.command {
        Some(Command::Console(args)) => console::run(args, ctx),
        Some(Command::Configure(args)) => configure::run(args, ctx),
        Some(Command::GetCallerId(args)) => getcallerid::run(args, ctx),
        Some(Command::DumpCreds(args)) => dumpcreds::run(args, ctx),
        Some(Command::DumpConfig(args)) => dumpconfig::run(args, ctx),
        Some(Command::Decode(args)) => decode::run(args, ctx),
        Some(Command::RunAs(args)) => block_on(runas::run(args, ctx))?,
        Some(Command::Presign(args)) => presign::run(args, ctx),
        Some(Command::Sso(args)) => sso::run(args, ctx),
        Some(Command::ImportCache(args)) => importcache::run(args, ctx),
        None => Err(UsageError::NoCommand.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    struct Epoch;

    impl Clock for Epoch {
        fn now(&self) -> DateTime<Utc> {
            DateTime::UNIX_EPOCH
        }
    }

    fn parse(args: &[&str]) -> Result<Cli, argh::EarlyExit> {
        Cli::from_args(&["aws-login"], args)
    }

    fn run_now(cli: &Cli) -> Result<Output, CliError> {
        // No instance metadata here: the chain must not reach for 169.254.169.254.
        let env = |k: &str| (k == "AWS_EC2_METADATA_DISABLED").then(|| "true".to_owned());
        let ctx = Context {
            env: &env,
            clock: &Epoch,
            seed: 1,
            prompt: &|_| None,
            can_prompt: false,
            stderr: &|_| {},
            progress: None,
            interactive: false,
        };
        run(cli, &ctx)
    }

    #[test]
    fn exit_codes_come_from_the_kind_of_the_innermost_cause() {
        use crate::provider::execute::ExecuteError;
        use crate::services::{AwsError, ResponseError, ServiceError};
        let sts =
            |source: ServiceError| CliError::Execute(ExecuteError::call("AssumeRole", source));
        // An answer that cannot be read (HTTP 200 without Credentials) is the network's.
        let unreadable = sts(ServiceError::Response(ResponseError::Malformed {
            status: 200,
            detail: "no Credentials".into(),
        }));
        assert_eq!(unreadable.exit_code(), 4);
        let aws = sts(ServiceError::Response(ResponseError::Aws(AwsError {
            status: 403,
            kind: None,
            code: "AccessDenied".into(),
            message: String::new(),
            request_id: None,
        })));
        assert_eq!(aws.exit_code(), 3);
        assert_eq!(CliError::Usage(UsageError::NoCommand).exit_code(), 2);
        // A source the configuration names that does not answer.
        let imds = CliError::Execute(ExecuteError::Imds(
            crate::services::imds::ImdsError::TokenTimeout {
                after: std::time::Duration::from_secs(1),
            },
        ));
        assert_eq!(imds.exit_code(), 4);
        let no_role =
            CliError::Execute(ExecuteError::Imds(crate::services::imds::ImdsError::NoRole));
        assert_eq!(no_role.exit_code(), 1);
    }

    #[test]
    fn a_refused_mfa_code_is_not_quoted_back() {
        let err =
            crate::cli::parse_args(&["dumpcreds", "--token-code", "123456", "--token-code=654321"])
                .err()
                .map(|e| e.output)
                .unwrap_or_default();
        assert!(err.contains("duplicate"), "{err}");
        assert!(!err.contains("123456") && !err.contains("654321"), "{err}");
    }

    #[test]
    fn the_parsed_command_line_does_not_show_the_mfa_code() {
        let cli = parse(&["getcallerid", "--token-code", "493817"]).unwrap();
        let debug = format!("{cli:?}");
        assert!(!debug.contains("493817"), "{debug}");
        let Some(Command::GetCallerId(args)) = &cli.command else {
            panic!("{debug}");
        };
        let code = args.identity().token_code;
        assert_eq!(
            code.as_ref().map(crate::secret::SecretString::expose),
            Some("493817")
        );
    }

    #[test]
    fn text_for_the_terminal_has_no_control_characters() {
        assert_eq!(terminal_safe("plain"), "plain");
        assert_eq!(
            terminal_safe("a\x1b[31mred\nb\u{202e}c\u{9b}"),
            "a\\u{1b}[31mred\\u{a}b\\u{202e}c\\u{9b}"
        );
    }

    #[test]
    fn version_switch_prints_the_version() {
        let out = run_now(&parse(&["--version"]).unwrap()).unwrap();
        assert_eq!(
            out.stdout,
            format!("aws-login {}\n", env!("CARGO_PKG_VERSION"))
        );
    }

    #[test]
    fn help_lists_commands_and_exit_codes() {
        let early = parse(&["--help"]).unwrap_err();
        assert_eq!(early.status, Ok(()));
        for word in [
            "getcallerid",
            "dumpcreds",
            "decode-authorization-message",
            "presign",
            "usage error",
            "network error",
        ] {
            assert!(early.output.contains(word), "{word}: {}", early.output);
        }
    }

    #[test]
    fn every_command_has_examples_and_runas_shows_the_dash_dash_form() {
        for command in [
            "getcallerid",
            "dumpcreds",
            "runas",
            "decode-authorization-message",
            "presign",
        ] {
            let help = parse(&[command, "--help"]).unwrap_err().output;
            let examples = help.split("Examples:").nth(1).unwrap_or_default();
            assert!(
                examples.matches(&format!("aws-login {command}")).count() >= 2,
                "{command}: {help}"
            );
        }
        let help = parse(&["runas", "--help"]).unwrap_err().output;
        assert!(
            help.starts_with("Usage: aws-login runas [options] -- PROGRAM [ARGS...]"),
            "{help}"
        );
    }

    #[test]
    fn flags_parse_after_the_command() {
        let cli = parse(&[
            "dumpcreds",
            "--outform",
            "powershell",
            "--assume-roles",
            "arn:a, arn:b",
            "--debug",
        ])
        .unwrap();
        let Some(Command::DumpCreds(args)) = cli.command else {
            panic!()
        };
        assert_eq!(args.outform, crate::output::OutForm::PowerShell);
        assert_eq!(identity::role_arns(&args.identity()), ["arn:a", "arn:b"]);
        assert!(parse(&["dumpcreds", "--outform", "csv"]).is_err());
    }

    #[test]
    fn name_equals_value_and_dash_h_are_accepted_as_argparse_does() {
        let Ok(Cli {
            command: Some(Command::DumpCreds(args)),
            ..
        }) = parse_args(&["dumpcreds", "--profile=a=b", "--outform=ini"])
        else {
            panic!()
        };
        assert_eq!(args.identity().profile.as_deref(), Some("a=b"));
        assert_eq!(args.outform, crate::output::OutForm::Ini);
        // After `--`, the program's own arguments are left alone.
        let Ok(Cli {
            command: Some(Command::RunAs(args)),
            ..
        }) = parse_args(&["runas", "--profile=p", "--", "prog", "--x=1", "-h"])
        else {
            panic!()
        };
        assert_eq!(args.program, ["prog", "--x=1", "-h"]);
        assert!(parse_args(&["getcallerid", "--=x"]).is_err());
        // An option's value that looks like `--name=value` is a value, wherever the same
        // text comes again as a flag.
        let Ok(Cli {
            command: Some(Command::RunAs(args)),
            ..
        }) = parse_args(&[
            "runas",
            "--role-session-name",
            "--region=eu-west-1",
            "--region=eu-west-1",
            "--",
            "echo",
        ])
        else {
            panic!()
        };
        assert_eq!(
            args.identity().role_session_name.as_deref(),
            Some("--region=eu-west-1")
        );
        assert_eq!(args.identity().region.as_deref(), Some("eu-west-1"));
        let Ok(Cli {
            command: Some(Command::RunAs(args)),
            ..
        }) = parse_args(&["runas", "--external-id=--", "--region=us-west-2", "-c", "x"])
        else {
            panic!()
        };
        assert_eq!(args.identity().external_id.as_deref(), Some("--"));
        assert_eq!(args.identity().region.as_deref(), Some("us-west-2"));
        // A switch given a value is refused by its name.
        let err = parse_args(&["getcallerid", "--debug=true"]).unwrap_err();
        assert!(err.output.contains("--debug=true"), "{}", err.output);
        let Ok(Cli {
            command: Some(Command::DumpCreds(args)),
            ..
        }) = parse_args(&["dumpcreds", "--outform=json", "--role-session-name=me"])
        else {
            panic!()
        };
        assert_eq!(args.outform, crate::output::OutForm::Json);
        assert_eq!(args.identity().role_session_name.as_deref(), Some("me"));
        // A value that looks like `--x=y` stays whole when it is an option's value.
        let Ok(Cli {
            command: Some(Command::RunAs(args)),
            ..
        }) = parse_args(&["runas", "-c", "--x=y", "--profile=p"])
        else {
            panic!()
        };
        assert_eq!(args.command.as_deref(), Some("--x=y"));
        assert_eq!(args.identity().profile.as_deref(), Some("p"));
        let help = parse_args(&["getcallerid", "-h"]).unwrap_err();
        assert_eq!(help.status, Ok(()));
        assert!(parse_args(&["dumpcreds", "--outform=csv"]).is_err());
    }

    #[test]
    fn no_command_and_no_credentials_are_errors_with_their_codes() {
        assert_eq!(
            run_now(&parse(&[]).unwrap()).unwrap_err().exit_code(),
            EXIT_USAGE
        );
        let err = run_now(&parse(&["getcallerid"]).unwrap()).unwrap_err();
        assert_eq!(err.exit_code(), EXIT_FAILURE);
        assert!(err.to_string().contains("no credentials"), "{err}");
        let err = run_now(&parse(&["getcallerid", "--token-code", "123456"]).unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("no credentials") || err.exit_code() == EXIT_USAGE,
            "{err}"
        );
    }
}
