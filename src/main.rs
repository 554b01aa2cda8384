//! The `aws-login` binary: parse the command line, give the command the world it runs in
//! (environment, clock, terminal), print its output or the error with its causes, and
//! exit with the command's status. Nothing else.

use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use aws_login::cli::{self, Context, EXIT_USAGE};
use aws_login::time::{Clock, SystemClock};

fn write_or_ignore_broken_pipe(mut w: impl Write, text: &str) -> bool {
    write_output(&mut w, text).is_ok()
}

/// Writes all of `text`; a reader that went away (`aws-login ... | head`) is not an
/// error, as in ripgrep.
fn write_output(w: &mut impl Write, text: &str) -> std::io::Result<()> {
    match w.write_all(text.as_bytes()).and_then(|()| w.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result,
    }
}

/// Whether fd 1 was closed when aws-login started (`>&-`), as seen before Rust's runtime
/// puts `/dev/null` in its place (`sanitize_standard_fds`), after which it looks exactly
/// like a `/dev/null` given on purpose (a shell's `>/dev/null`, Python's
/// `subprocess.DEVNULL`).
static STDOUT_CLOSED_AT_START: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Runs before `main` and before the runtime's start-up (an ELF constructor; the crate
/// asks for `unsafe` to be acknowledged because std is not set up yet). It only looks at
/// `/proc/self/fd/1`: missing, with `/proc` there, means fd 1 is closed.
#[ctor::ctor(unsafe)]
fn note_whether_stdout_is_closed() {
    let closed = std::fs::symlink_metadata("/proc/self/fd/1")
        .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        && std::fs::symlink_metadata("/proc/self/fd").is_ok();
    STDOUT_CLOSED_AT_START.store(closed, std::sync::atomic::Ordering::Relaxed);
}

/// Writes the command's result to stdout, or says why it could not (a full disk, a
/// broken device, a stdout closed when aws-login started: the result would be lost).
/// `must_arrive`: a reader that went away is an error too (what follows the output
/// depends on its having been read: the `::add-mask::` lines before `$GITHUB_ENV`).
fn write_stdout(text: &str, must_arrive: bool) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    if STDOUT_CLOSED_AT_START.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(
            "stdout is closed (>&-): the output would be lost; send it to a file or a pipe, or to /dev/null to discard it"
                .to_owned(),
        );
    }
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    let written = if must_arrive {
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
    } else {
        write_output(&mut stdout, text)
    };
    written.map_err(|e| format!("the output could not be written to stdout: {e}"))
}

/// Prints an answer that needs no runtime (`--help`, `--version`): success, or exit 1
/// saying why stdout could not take it.
fn print_and_exit(text: &str) -> ExitCode {
    match write_stdout(text, false) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            write_or_ignore_broken_pipe(std::io::stderr(), &format!("error: {why}\n"));
            ExitCode::from(cli::EXIT_FAILURE)
        }
    }
}

/// Asks `question` on the terminal, when there is one, and reads a line.
fn prompt(question: &str) -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    let mut writer = &tty;
    write!(writer, "{question}").ok()?;
    writer.flush().ok()?;
    let mut line = String::new();
    std::io::BufReader::new(&tty).read_line(&mut line).ok()?;
    Some(line.trim().to_owned()).filter(|c| !c.is_empty())
}

/// The exit status after an internal error (a panic): Rust's own for a panic.
const EXIT_PANIC: i32 = 101;

/// Keeps secrets out of what a panic leaves behind: it prints where it happened and that
/// it is a bug, never its message (which could hold a value being formatted), then ends
/// the process with [`EXIT_PANIC`] at once, so that a release build (`panic = "abort"`)
/// never raises SIGABRT, whose core dump would hold the process's memory and its secrets.
fn protect_secrets() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        write_or_ignore_broken_pipe(
            std::io::stderr(),
            &format!(
                "error: aws-login stopped on an internal error{location} (aws-login {}); this is a bug: please report it. Its message is not shown: it may hold a secret.\n",
                env!("CARGO_PKG_VERSION")
            ),
        );
        // No unwinding, no abort: helpers started by this process are not waited for.
        std::process::exit(EXIT_PANIC);
    }));
    // Debug builds only: how the tests make the binary panic with a planted secret.
    #[cfg(debug_assertions)]
    if let Ok(text) = std::env::var("AWS_LOGIN_TEST_PANIC") {
        panic!("{text}");
    }
}

fn main() -> ExitCode {
    protect_secrets();
    let args: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(OsString::into_string)
        .collect()
    {
        Ok(args) => args,
        Err(_) => {
            write_or_ignore_broken_pipe(std::io::stderr(), "error: arguments must be UTF-8\n");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let cli = match cli::parse_args(&args) {
        Ok(cli) => cli,
        Err(early) => {
            return match early.status {
                Ok(()) => print_and_exit(&early.output),
                Err(()) => {
                    write_or_ignore_broken_pipe(std::io::stderr(), &format!("{}\n", early.output));
                    ExitCode::from(EXIT_USAGE)
                }
            };
        }
    };
    // Answered before the runtime is built: nothing to wait for.
    if cli.version {
        return print_and_exit(&cli::version_line());
    }
    let clock = SystemClock;
    let seed = clock.now().timestamp_nanos_opt().unwrap_or_default() as u64
        ^ (u64::from(std::process::id()) << 32);
    let env = |name: &str| std::env::var(name).ok();
    let stderr = |line: &str| {
        write_or_ignore_broken_pipe(
            std::io::stderr(),
            &format!("{}\n", cli::terminal_safe(line)),
        );
    };
    let stderr_is_terminal = std::io::stderr().is_terminal();
    let progress = |text: &str| {
        write_or_ignore_broken_pipe(
            std::io::stderr(),
            &format!("\r{}\x1b[K", cli::terminal_safe(text)),
        );
    };
    let ctx = Context {
        env: &env,
        clock: &clock,
        seed,
        prompt: &prompt,
        can_prompt: std::io::stdin().is_terminal(),
        stderr: &stderr,
        progress: stderr_is_terminal.then_some(&progress as &(dyn Fn(&str) + Sync)),
        interactive: true,
    };
    // A command builds its runtime only when it sends a request (`cli::block_on`).
    let result = cli::run(&cli, &ctx);
    // A signal ending aws-login (its helpers first) decides how it ends, not the result.
    aws_login::provider::job::wait_if_dying();
    match result {
        Ok(output) => {
            let status: String = output
                .stderr
                .lines()
                .map(|line| format!("{}\n", cli::terminal_safe(line)))
                .collect();
            write_or_ignore_broken_pipe(std::io::stderr(), &status);
            match write_stdout(&output.stdout, output.append_after.is_some()) {
                Ok(()) => match output.append_after.as_ref().map(cli::AppendAfter::apply) {
                    Some(Err(err)) => {
                        write_error(&err);
                        ExitCode::from(err.exit_code())
                    }
                    _ => ExitCode::from(output.exit_code),
                },
                Err(why) => {
                    write_or_ignore_broken_pipe(std::io::stderr(), &format!("error: {why}\n"));
                    ExitCode::from(cli::EXIT_FAILURE)
                }
            }
        }
        Err(err) => {
            write_error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

/// Prints `err` and its causes to stderr, once. What a server or a file said is shown
/// escaped, never as terminal codes.
fn write_error(err: &cli::CliError) {
    let mut text = format!("error: {}\n", cli::terminal_safe(&err.to_string()));
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!(
            "caused by: {}\n",
            cli::terminal_safe(&cause.to_string())
        ));
        source = cause.source();
    }
    write_or_ignore_broken_pipe(std::io::stderr(), &text);
}
