//! The command line: argh structs that only hold what the user typed, one file per
//! command, and the dispatch. Commands get the environment, the clock and the terminal as
//! values in a [`Context`], and return their output, so they are tested without a process.

use argh::FromArgs;

use crate::time::Clock;

mod args;
pub mod cache;
mod config_file;
pub mod configure;
pub mod connection;
pub mod console;
pub mod decode;
pub mod dumpconfig;
pub mod dumpcreds;
pub mod ec2;
mod error;
pub mod getcallerid;
pub mod identity;
pub mod importcache;
pub mod login;
pub mod logout;
pub mod metadata;
pub mod presign;
pub mod request;
pub mod runas;
pub mod serve;
pub mod session;
pub mod settings;
mod sign_in;
pub mod sso;
pub mod write_profile;

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
    /// `cache clear`
    Cache(cache::CacheArgs),
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
    /// `ec2 launch|list|terminate|call`
    Ec2(ec2::Ec2Args),
    /// `decode-authorization-message`
    Decode(decode::DecodeArgs),
    /// `runas`
    RunAs(runas::RunAsArgs),
    /// `presign`
    Presign(presign::PresignArgs),
    /// `request`
    Request(request::RequestArgs),
    /// `sso login`, `sso logout`
    Sso(sso::SsoArgs),
    /// `importcache`
    ImportCache(importcache::ImportCacheArgs),
    /// `login`
    Login(login::LoginArgs),
    /// `logout`
    Logout(logout::LogoutArgs),
    /// `metadata`
    Metadata(metadata::MetadataArgs),
    /// `serve`
    Serve(serve::ServeArgs),
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
        Some(Command::Ec2(args)) => ec2::run(args, ctx),
        Some(Command::Decode(args)) => decode::run(args, ctx),
        Some(Command::RunAs(args)) => block_on(runas::run(args, ctx))?,
        Some(Command::Presign(args)) => presign::run(args, ctx),
        Some(Command::Sso(args)) => sso::run(args, ctx),
        Some(Command::ImportCache(args)) => importcache::run(args, ctx),
        Some(Command::Login(args)) => login::run(args, ctx),
        Some(Command::Logout(args)) => logout::run(args, ctx),
        Some(Command::Metadata(args)) => metadata::run(args, ctx),
        Some(Command::Serve(args)) => block_on(serve::run(args, ctx))?,
        Some(Command::Cache(args)) => cache::run(args, ctx),
        Some(Command::Request(args)) => request::run(args, ctx),
        None => Err(UsageError::NoCommand.into()),
    }
}

#[cfg(test)]
mod tests;
