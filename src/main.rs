//! The `aws-login` binary: parse the command line, run the command, print its output or
//! the error with its causes, and exit with the command's status. Nothing else.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use argh::FromArgs;
use aws_login::cli::{self, Cli, EXIT_USAGE};

fn write_or_ignore_broken_pipe(mut w: impl Write, text: &str) -> bool {
    match w.write_all(text.as_bytes()).and_then(|()| w.flush()) {
        Ok(()) => true,
        // `aws-login ... | head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(_) => false,
    }
}

fn main() -> ExitCode {
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
    let cli = match Cli::from_args(&["aws-login"], &args) {
        Ok(cli) => cli,
        Err(early) => {
            return match early.status {
                Ok(()) => {
                    write_or_ignore_broken_pipe(std::io::stdout(), &early.output);
                    ExitCode::SUCCESS
                }
                Err(()) => {
                    write_or_ignore_broken_pipe(std::io::stderr(), &format!("{}\n", early.output));
                    ExitCode::from(EXIT_USAGE)
                }
            };
        }
    };
    #[allow(clippy::disallowed_methods)] // the one place that reads the clock
    let now = chrono::Utc::now();
    match cli::run(&cli, &|name| std::env::var(name).ok(), now) {
        Ok(output) => {
            let ok = write_or_ignore_broken_pipe(std::io::stderr(), &output.stderr)
                & write_or_ignore_broken_pipe(std::io::stdout(), &output.stdout);
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(cli::EXIT_FAILURE)
            }
        }
        Err(err) => {
            let mut text = format!("error: {err}\n");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                text.push_str(&format!("caused by: {cause}\n"));
                source = cause.source();
            }
            write_or_ignore_broken_pipe(std::io::stderr(), &text);
            ExitCode::from(err.exit_code())
        }
    }
}
