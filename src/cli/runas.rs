//! `aws-login runas`: runs a program with the acquired identity in its environment.
//!
//! `-c/--command` runs a shell command line through `sh -c` (as the Python tool did);
//! `runas -- PROGRAM ARGS...` runs the program directly, no shell. The child gets the
//! credentials, `AWS_REGION`/`AWS_DEFAULT_REGION` when known and
//! `AWS_CREDENTIAL_EXPIRATION`; variables that would make an SDK pick other credentials
//! (`AWS_PROFILE`, web identity and container settings...) are removed. aws-login exits
//! with the child's status (128+N when a signal ends it). The child runs in aws-login's
//! process group, so what the terminal sends to the foreground group (Ctrl-C, Ctrl-\,
//! Ctrl-Z) reaches it directly; every catchable terminating signal sent to aws-login alone
//! (`kill`) is passed on, so each reaches the child exactly once. It is passed on as the
//! terminal would send it: to the child and to those of its descendants still in its
//! process group (so `runas -c`'s shell's command gets it too), none escaping by forking
//! at that moment, and not below a nested `runas`, which passes it on itself
//! (`job::signal_tree`). A signal the terminal raised reached the program too, unless the
//! program moved to a process group of its own (coreutils `timeout` does): then it is
//! passed on as well.
//!
//! With `--credentials-server` the child gets no keys: it gets
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN` for a
//! loopback endpoint (see `server::credentials_endpoint`) that renews the credentials, by resolving
//! the identity again, when they come within 5 minutes of expiry. The SDKs and the AWS CLI
//! read that endpoint and ask it again before their credentials expire, so a program can
//! outlive one session.

use argh::FromArgs;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use signal_hook::low_level::siginfo::{Cause, Origin};

use super::identity::command_with_identity;
use super::session::Session;
use super::{CliError, Context, Output, UsageError};
use crate::credentials::Credentials;
use crate::http::call::Caller;
use crate::output::{container_credentials_json, credential_variables};
use crate::provider::refresh::{Refreshing, Served};
use crate::server::credentials_endpoint::{self as credentials_server, CredentialsEndpoint};

command_with_identity! {
    /// run a command with the acquired identity in its environment
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "runas",
        usage = "[options] -- PROGRAM [ARGS...]   or   {command_name} [options] -c 'SHELL COMMAND'",
        example = "{command_name} --profile dev -- terraform plan",
        example = "{command_name} --assume-roles arn:aws:iam::222222222222:role/OperatorRole --region us-east-2 -c 'aws eks list-clusters'",
        example = "{command_name} --profile dev --credentials-server -- ./long-running-job.sh"
    )]
    pub struct RunAsArgs {
        /// a shell command line, run with sh -c (may be several lines)
        #[argh(option, short = 'c')]
        pub command: [Option<String>],
        /// serve the credentials to the program on a loopback container endpoint, renewed
        /// 5 minutes before they expire, instead of putting keys in its environment
        #[argh(switch)]
        pub credentials_server: [bool],
        /// after --: the program to run directly, and its arguments
        #[argh(positional, greedy)]
        pub program: [Vec<String>],
    }
}

/// Variables removed from the child's environment: they would make an SDK or the AWS CLI
/// choose other credentials than the ones given.
pub const REMOVED: [&str; 11] = [
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
];

/// What to set in the child's environment (removals first, see [`REMOVED`]).
pub fn child_environment(creds: &Credentials, region: Option<&str>) -> Vec<(&'static str, String)> {
    let mut vars = credential_variables(creds);
    vars.extend(region_variables(region));
    vars
}

/// `AWS_REGION` and `AWS_DEFAULT_REGION`, when the region is known.
fn region_variables(region: Option<&str>) -> Vec<(&'static str, String)> {
    region
        .map(|r| {
            vec![
                ("AWS_REGION", r.to_owned()),
                ("AWS_DEFAULT_REGION", r.to_owned()),
            ]
        })
        .unwrap_or_default()
}

/// What the child's environment gets instead of keys with `--credentials-server`.
pub fn endpoint_environment(
    endpoint: &CredentialsEndpoint,
    region: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.url.clone()),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            endpoint.token.expose().to_owned(),
        ),
    ];
    vars.extend(region_variables(region));
    vars
}

/// Variables removed from the child's environment with `--credentials-server`, besides
/// [`REMOVED`]: keys would win over the endpoint.
const REMOVED_FOR_ENDPOINT: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The signals `runas` passes on to its program: every terminating one aws-login can
/// catch (SIGKILL and SIGSTOP cannot be; SIGPIPE Rust ignores; the job-control ones, which
/// the terminal sends to the program itself, are left alone; real-time signals are not
/// passed on).
const FORWARDED: [i32; 17] = [
    Signal::SIGHUP as i32,
    Signal::SIGINT as i32,
    Signal::SIGQUIT as i32,
    Signal::SIGTERM as i32,
    Signal::SIGUSR1 as i32,
    Signal::SIGUSR2 as i32,
    Signal::SIGALRM as i32,
    Signal::SIGVTALRM as i32,
    Signal::SIGPROF as i32,
    Signal::SIGXCPU as i32,
    Signal::SIGXFSZ as i32,
    Signal::SIGPWR as i32,
    Signal::SIGIO as i32,
    Signal::SIGSYS as i32,
    Signal::SIGSTKFLT as i32,
    Signal::SIGTRAP as i32,
    Signal::SIGABRT as i32,
];

/// Catches [`FORWARDED`] with their origin, from now on, on a thread of its own that
/// hands them to the returned channel; the handle ends it.
fn watch_signals() -> std::io::Result<(
    signal_hook::iterator::Handle,
    tokio::sync::mpsc::UnboundedReceiver<Origin>,
)> {
    let mut signals = SignalsInfo::<WithOrigin>::new(FORWARDED)?;
    let handle = signals.handle();
    let (send, received) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for origin in signals.forever() {
            if send.send(origin).is_err() {
                break;
            }
        }
    });
    Ok((handle, received))
}

/// The signal to pass on, or `None` when the program got its own copy: one the kernel
/// raised for the terminal's foreground process group (Ctrl-C, Ctrl-\\, a hang-up) reached
/// the program as well while it runs in aws-login's group (it starts there; coreutils
/// `timeout` and others leave it); a signal sent to aws-login (`kill`) did not.
fn forwarded(origin: &Origin, program: Option<Pid>) -> Option<Signal> {
    if matches!(origin.cause, Cause::Kernel) {
        let in_my_group = program.is_none_or(|pid| {
            nix::unistd::getpgid(Some(pid)).is_ok_and(|group| group == nix::unistd::getpgrp())
        });
        if in_my_group {
            return None;
        }
    }
    Signal::try_from(origin.signal).ok()
}

/// The container JSON for the held credentials, renewed (the whole plan carried out
/// again) when they are due.
pub(super) async fn renewed_json(
    held: &tokio::sync::Mutex<Refreshing>,
    session: &Session<'_>,
    caller: &Caller<'_>,
    ctx: &Context<'_>,
) -> Result<String, String> {
    let mut held = held.lock().await;
    // The program holds stdin and the terminal now: a helper must not take them.
    let renew = async || session.credentials_with(caller, false).await;
    let creds = match held.get(ctx.clock.now(), renew).await {
        Served::Fresh(creds) => creds,
        Served::Stale { credentials, error } => {
            (ctx.stderr)(&format!(
                "aws-login: renewing the credentials failed, serving the current ones until they expire: {}",
                super::cause_chain(&error)
            ));
            credentials
        }
        Served::Failed(error) => {
            let message = super::cause_chain(&error);
            (ctx.stderr)(&format!(
                "aws-login: renewing the credentials failed: {message}"
            ));
            return Err(message);
        }
    };
    container_credentials_json(&creds)
        .ok_or_else(|| "the renewed credentials have no session token or expiry".to_owned())
}

/// The program and its arguments.
fn argv(args: &RunAsArgs) -> Result<(String, Vec<String>), CliError> {
    match (&args.command, args.program.as_slice()) {
        (Some(line), []) => Ok(("sh".to_owned(), vec!["-c".to_owned(), line.clone()])),
        (None, [program, rest @ ..]) => Ok((program.clone(), rest.to_vec())),
        (Some(_), [_, ..]) => Err(UsageError::RunBoth.into()),
        (None, []) => Err(UsageError::RunNothing.into()),
    }
}

/// The exit status aws-login passes on: the child's code, or 128+N for signal N.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(255),
        (None, None) => 1,
    }
}

/// Runs `runas`.
pub async fn run(args: &RunAsArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let (program, program_args) = argv(args)?;
    let session = Session::open(&args.identity(), ctx)?;
    let caller = session.caller()?;
    let creds = session.credentials(&caller).await?;
    let region = session.region();
    let endpoint = if args.credentials_server {
        if container_credentials_json(&creds).is_none() {
            return Err(UsageError::ServerNeedsTemporary.into());
        }
        Some(credentials_server::bind().await.map_err(CliError::Serve)?)
    } else {
        None
    };
    let mut command = tokio::process::Command::new(&program);
    command.args(&program_args);
    for name in REMOVED {
        command.env_remove(name);
    }
    match &endpoint {
        Some(endpoint) => {
            for name in REMOVED_FOR_ENDPOINT {
                command.env_remove(name);
            }
            command.envs(endpoint_environment(endpoint, region.as_deref()));
        }
        None => {
            command.envs(child_environment(&creds, region.as_deref()));
        }
    }
    let held = tokio::sync::Mutex::new(Refreshing::new(creds));
    let provide = async || renewed_json(&held, &session, &caller, ctx).await;
    let spawn_error = |source| CliError::Spawn {
        program: program.clone(),
        source,
    };
    // Handlers first: a signal that arrives as soon as the child runs must be forwarded,
    // not end aws-login.
    let (signals, mut received) = watch_signals().map_err(spawn_error)?;
    let _passing_on = crate::provider::job::passing_on();
    let mut child = command.spawn().map_err(spawn_error)?;
    let pid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(Pid::from_raw);
    // Requests served together (bounded), polled beside the child and the signals.
    let mut serving = credentials_server::Connections::new();
    // After a failed accept (out of file descriptors...), when to try again: not a busy
    // loop, and not the end of the endpoint either.
    let mut accept_paused_until: Option<tokio::time::Instant> = None;
    let status = loop {
        let forwarded = tokio::select! {
            status = child.wait() => break status.map_err(spawn_error)?,
            Some(origin) = received.recv() => match forwarded(&origin, pid) {
                Some(signal) => signal,
                None => continue,
            },
            accepted = async {
                if let Some(until) = accept_paused_until {
                    tokio::time::sleep_until(until).await;
                }
                match &endpoint {
                    Some(endpoint) => endpoint.accept().await,
                    None => std::future::pending().await,
                }
            }, if endpoint.is_some() && serving.has_room() => {
                match (accepted, &endpoint) {
                    (Ok(stream), Some(endpoint)) => {
                        accept_paused_until = None;
                        serving.add(|proven| {
                            credentials_server::serve(stream, endpoint.token.expose(), &provide, proven)
                        });
                    }
                    (Err(error), _) => {
                        if accept_paused_until.is_none() {
                            (ctx.stderr)(&format!(
                                "aws-login: the credentials endpoint could not accept a connection ({error}); trying again every 100 ms"
                            ));
                        }
                        accept_paused_until = Some(
                            tokio::time::Instant::now() + std::time::Duration::from_millis(100),
                        );
                    }
                    (Ok(_), None) => {}
                }
                continue;
            }
            () = serving.next_ended() => continue,
        };
        if let Some(pid) = pid {
            // To the program and what it runs in its process group, as the terminal would
            // (`runas -c`'s shell does not pass signals on to its command). The program
            // may have exited meanwhile; its status comes from wait() above.
            crate::provider::job::signal_tree(pid, forwarded);
        }
    };
    signals.close();
    Ok(Output {
        exit_code: exit_code(status),
        ..Output::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretString;

    #[test]
    fn the_child_gets_credentials_and_region() {
        let creds = Credentials::new("AKID", "SECRET", Some(SecretString::new("TOKEN")), None);
        let env = child_environment(&creds, Some("eu-west-1"));
        let names: Vec<&str> = env.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_REGION",
                "AWS_DEFAULT_REGION"
            ]
        );
        assert!(REMOVED.contains(&"AWS_PROFILE"));
    }

    #[test]
    fn command_or_program_but_not_both() {
        let base = RunAsArgs {
            command: None,
            program: vec![],
            ..parse(&["runas", "--", "x"])
        };
        assert!(argv(&base).is_err());
        let both = RunAsArgs {
            command: Some("ls".into()),
            program: vec!["ls".into()],
            ..parse(&["runas", "--", "x"])
        };
        assert!(argv(&both).is_err());
        let parsed = parse(&["runas", "--", "printf", "%s", "-c"]);
        assert_eq!(
            argv(&parsed).ok(),
            Some(("printf".to_owned(), vec!["%s".to_owned(), "-c".to_owned()]))
        );
        let shell = parse(&["runas", "-c", "echo $HOME"]);
        assert_eq!(
            argv(&shell).ok(),
            Some((
                "sh".to_owned(),
                vec!["-c".to_owned(), "echo $HOME".to_owned()]
            ))
        );
    }

    fn parse(args: &[&str]) -> RunAsArgs {
        match super::super::Cli::from_args(&["aws-login"], args)
            .ok()
            .and_then(|c| c.command)
        {
            Some(super::super::Command::RunAs(a)) => a,
            other => panic!("{other:?}"),
        }
    }
}
