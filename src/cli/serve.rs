//! `aws-login serve`: the credentials endpoint of `runas --credentials-server` as a
//! process of its own, a relay for containers and tools. It serves the container
//! credentials protocol (`AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`, as ECS and EKS Pod Identity do) for the acquired
//! identity, whatever its source (a role chain, SSO, a console session, the instance),
//! renewed 5 minutes before it expires; with `--imds`, also the IMDSv2 paths SDKs use for
//! credentials and region (`server::imds_emulation`). It prints the variables to export
//! (or writes them to `--env-file`, 0600) and runs until stopped (INT, TERM, HUP), then
//! removes its env file.
//!
//! A server nobody local can stall: connections are bounded and a new one takes the
//! place of the oldest that has not proven itself (`server::credentials_endpoint`), every
//! connection has seconds to send its headers, and tokens are compared in constant time.
//! Loopback by default; any other address needs `--allow-remote`, and `--imds` (which,
//! as IMDS, gives credentials to whoever asks for a session token) stays on loopback.

use std::net::SocketAddr;

use argh::FromArgs;

use super::identity::command_with_identity;
use super::session::Session;
use super::{CliError, Context, Output, UsageError};
use crate::credentials::Credentials;
use crate::output::container_credentials_json;
use crate::server::credentials_endpoint::{self as endpoint, Connections, Reply};
use crate::server::imds_emulation::{ImdsEmulation, Step, document};

command_with_identity! {
    /// serve the acquired credentials to containers and tools until stopped: a container
    /// credentials endpoint (and with --imds the IMDSv2 credential paths), renewed 5
    /// minutes before they expire
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "serve",
        example = "eval \"$({command_name} --profile dev &)\"  # exports the variables; serve keeps running",
        example = "{command_name} --profile ci --env-file /run/aws.env & docker run --env-file /run/aws.env --network host IMAGE",
        example = "{command_name} --imds --listen 127.0.0.1:9911  # then AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9911/"
    )]
    pub struct ServeArgs {
        /// also answer the IMDSv2 paths SDKs use for credentials and region (a session
        /// token required, as on EC2); loopback only
        #[argh(switch)]
        pub imds: [bool],
        /// the address and port to listen on (default 127.0.0.1 and a free port)
        #[argh(option)]
        pub listen: [Option<String>],
        /// allow --listen on an address other machines can reach (whoever has the token
        /// has the credentials)
        #[argh(switch)]
        pub allow_remote: [bool],
        /// write the variables to FILE, a new file (0600, KEY=VALUE lines as `docker
        /// --env-file` reads them), instead of printing them; removed when serve stops
        #[argh(option)]
        pub env_file: [Option<String>],
    }
}

/// Where to listen, checked against `--allow-remote` and `--imds`.
fn listen_address(args: &ServeArgs) -> Result<SocketAddr, UsageError> {
    let addr = match &args.listen {
        None => SocketAddr::from(([127, 0, 0, 1], 0)),
        Some(text) => text.trim().parse::<SocketAddr>().map_err(|_| {
            UsageError::Listen(
                text.clone(),
                "not ADDRESS:PORT (127.0.0.1:9911, [::1]:9911)",
            )
        })?,
    };
    let loopback = addr.ip().is_loopback();
    if !loopback && args.imds {
        return Err(UsageError::Listen(
            addr.to_string(),
            "--imds gives credentials to whoever asks for a session token, as IMDS does: it stays on loopback",
        ));
    }
    if !loopback && !args.allow_remote {
        return Err(UsageError::Listen(
            addr.to_string(),
            "other machines can reach it: add --allow-remote if that is meant (whoever has the token then has the credentials; the endpoint is plain HTTP)",
        ));
    }
    Ok(addr)
}

/// The variables a client needs.
fn variables(url: &str, token: &str, imds: Option<SocketAddr>) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url.to_owned()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token.to_owned()),
    ];
    if let Some(addr) = imds {
        vars.push((
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://{addr}/"),
        ));
    }
    vars
}

/// A renewal being carried out: the whole plan again.
type Renewal<'a> = std::pin::Pin<Box<dyn Future<Output = Result<Credentials, CliError>> + 'a>>;

/// How long a request for expired credentials waits for their renewal.
const RENEWAL_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a request for due (still working) credentials waits for their renewal
/// before it gets the current ones: under the 2 s SDKs give a credentials endpoint.
const RENEWAL_GRACE: std::time::Duration = std::time::Duration::from_secs(1);
/// After a failed renewal, how long until the next try.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(15);

/// The credentials served and their renewal, which runs beside the requests (in the
/// serve loop), one at a time: a request waits at most [`RENEWAL_GRACE`] for a renewal
/// while the credentials it would get still work, so an STS that hangs cannot hold up a
/// client; only expired credentials make it wait longer ([`RENEWAL_WAIT`]).
struct Relay {
    current: std::cell::RefCell<Credentials>,
    /// A request found them due: the loop starts a renewal.
    wanted: tokio::sync::Notify,
    /// A renewal ended (renewed or not).
    ended: tokio::sync::Notify,
    /// When the next renewal may start: after a failed one, [`RETRY_AFTER`] later
    /// (requests do not wait for a renewal meanwhile).
    next_try: std::cell::Cell<tokio::time::Instant>,
    /// Why the last renewal failed, while the current credentials are expired.
    failure: std::cell::RefCell<Option<String>>,
}

impl Relay {
    /// The container JSON to answer with: the current credentials while they work (once
    /// due, after a renewal of at most [`RENEWAL_GRACE`]); once expired, whatever a
    /// renewal gives within [`RENEWAL_WAIT`].
    async fn json(&self, ctx: &Context<'_>) -> Result<String, String> {
        let deadline = tokio::time::Instant::now() + RENEWAL_WAIT;
        let mut waited = false;
        loop {
            let now = ctx.clock.now();
            let creds = self.current.borrow().clone();
            let due = creds.needs_refresh(now);
            let usable = !creds.is_expired(now);
            let backing_off = self.next_try.get() > tokio::time::Instant::now();
            if !due || (usable && (waited || backing_off)) {
                return container_credentials_json(&creds)
                    .ok_or_else(|| "the credentials have no session token or expiry".to_owned());
            }
            if !usable && let Some(failure) = self.failure.borrow().clone() {
                self.wanted.notify_one();
                return Err(failure);
            }
            // Registered before the renewal is asked for, so its end is not missed.
            let ended = self.ended.notified();
            self.wanted.notify_one();
            let until = if usable {
                tokio::time::Instant::now() + RENEWAL_GRACE
            } else {
                deadline
            };
            waited = true;
            if tokio::time::timeout_at(until, ended).await.is_err() && !usable {
                return Err("the credentials expired and their renewal has not finished".into());
            }
        }
    }
}

/// Runs `serve` until a stop signal.
pub async fn run(args: &ServeArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let addr = listen_address(args)?;
    // The env file is serve's own: never one that is there already (it is removed on
    // stop, which must not take a file of the user's with it).
    if let Some(file) = &args.env_file
        && std::fs::symlink_metadata(file).is_ok()
    {
        return Err(UsageError::EnvFileExists(file.clone()).into());
    }
    let session = Session::open(&args.identity(), ctx)?;
    let caller = session.caller()?;
    let creds = session.credentials(&caller).await?;
    if container_credentials_json(&creds).is_none() {
        return Err(UsageError::ServeNeedsTemporary.into());
    }
    let listening = endpoint::bind_to(addr)
        .await
        .map_err(|source| CliError::Listen {
            addr: addr.to_string(),
            source,
        })?;
    let bound = listening.local_addr().map_err(|source| CliError::Listen {
        addr: addr.to_string(),
        source,
    })?;
    let imds = args.imds.then(|| ImdsEmulation::new(session.region()));
    let vars = variables(
        &listening.url,
        listening.token.expose(),
        args.imds.then_some(bound),
    );
    let mut stop = Stop::new().map_err(CliError::Serve)?;
    match &args.env_file {
        Some(file) => {
            let text: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            crate::private_file::write_private(std::path::Path::new(file), text.as_bytes())
                .map_err(|source| CliError::WriteFile {
                    what: "the env file".into(),
                    path: file.clone(),
                    source,
                })?;
            (ctx.stderr)(&format!(
                "aws-login serve: credentials at {} (its variables are in {file}); stop with Ctrl-C or SIGTERM.",
                listening.url
            ));
        }
        None => {
            let text: String = vars
                .iter()
                .map(|(k, v)| format!("export {k}={}\n", crate::output::shell::posix_quote(v)))
                .collect();
            write_now(&text)?;
            // Let go of stdout: `eval "$(aws-login serve &)"` reads until it is closed.
            if let Ok(null) = std::fs::File::open("/dev/null") {
                let _ = nix::unistd::dup2_stdout(null);
            }
            (ctx.stderr)(&format!(
                "aws-login serve: credentials at {}; stop with Ctrl-C or SIGTERM.",
                listening.url
            ));
        }
    }
    if !bound.ip().is_loopback() {
        (ctx.stderr)(&format!(
            "aws-login serve: listening on {bound}, which other machines can reach (--allow-remote). The SDKs take an http:// container endpoint only on loopback (or ECS's and EKS's link-local addresses): a client elsewhere reaches it through a tunnel or proxy that it sees on loopback, with the host in the URI replaced."
        ));
    }

    // The program's terminal signals are ours now: no helper ender that would end
    // aws-login before the env file is removed.
    let _ours = crate::provider::job::passing_on();
    let relay = Relay {
        current: std::cell::RefCell::new(creds),
        wanted: tokio::sync::Notify::new(),
        ended: tokio::sync::Notify::new(),
        next_try: std::cell::Cell::new(tokio::time::Instant::now()),
        failure: std::cell::RefCell::new(None),
    };
    let provide = async || relay.json(ctx).await;
    // The renewal being carried out (one at a time).
    let mut renewal: Option<Renewal<'_>> = None;
    let token = listening.token.expose();
    let answer = async |method: &hyper::Method, path: &str, headers: &hyper::HeaderMap| {
        let Some(imds) = imds.as_ref().filter(|_| ImdsEmulation::handles(path)) else {
            return endpoint::container_answer(method, path, headers, token, &provide).await;
        };
        let make = || endpoint::random_token().ok().map(|t| t.expose().to_owned());
        match imds.step(method, path, headers, std::time::Instant::now(), make) {
            Step::Reply(reply) => {
                let proven = reply.status == 200 && method == hyper::Method::GET;
                (reply, proven)
            }
            Step::Credentials => match provide().await {
                Ok(json) => {
                    let now = ctx
                        .clock
                        .now()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    match document(&json, &now) {
                        Some(doc) => (Reply::text(200, doc), true),
                        None => (Reply::text(500, String::new()), false),
                    }
                }
                Err(_) => (Reply::text(500, String::new()), false),
            },
        }
    };
    let mut serving = Connections::new();
    let mut accept_paused_until: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            () = stop.next() => break,
            () = async {
                tokio::time::sleep_until(relay.next_try.get()).await;
                relay.wanted.notified().await;
            }, if renewal.is_none() => {
                // Not interactive: a helper does not get the terminal of a background relay.
                renewal = Some(Box::pin(session.credentials_with(&caller, false)));
            }
            result = async {
                match renewal.as_mut() {
                    Some(running) => running.await,
                    None => std::future::pending().await,
                }
            }, if renewal.is_some() => {
                renewal = None;
                match result {
                    Ok(renewed) => {
                        *relay.current.borrow_mut() = renewed;
                        *relay.failure.borrow_mut() = None;
                    }
                    Err(error) => {
                        let message = super::cause_chain(&error);
                        let expired = relay.current.borrow().is_expired(ctx.clock.now());
                        (ctx.stderr)(&format!(
                            "aws-login serve: renewing the credentials failed{}: {message}",
                            if expired { "" } else { ", serving the current ones until they expire" }
                        ));
                        if expired {
                            *relay.failure.borrow_mut() = Some(message);
                        }
                        relay.next_try.set(tokio::time::Instant::now() + RETRY_AFTER);
                    }
                }
                relay.ended.notify_waiters();
            }
            accepted = async {
                if let Some(until) = accept_paused_until {
                    tokio::time::sleep_until(until).await;
                }
                listening.accept().await
            }, if serving.has_room() => match accepted {
                Ok(stream) => {
                    accept_paused_until = None;
                    serving.add(|proven| endpoint::serve_with(stream, &answer, proven));
                }
                Err(error) => {
                    if accept_paused_until.is_none() {
                        (ctx.stderr)(&format!(
                            "aws-login serve: could not accept a connection ({error}); trying again every 100 ms"
                        ));
                    }
                    accept_paused_until =
                        Some(tokio::time::Instant::now() + std::time::Duration::from_millis(100));
                }
            },
            () = serving.next_ended() => {}
        }
    }
    if let Some(file) = &args.env_file {
        let _ = std::fs::remove_file(file);
    }
    (ctx.stderr)("aws-login serve: stopped.");
    Ok(Output::default())
}

/// Writes `text` to stdout now (the command keeps running after it).
fn write_now(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|source| CliError::WriteFile {
            what: "the variables".into(),
            path: "stdout".into(),
            source,
        })
}

/// The stop signals: INT, TERM, HUP.
struct Stop {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

impl Stop {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
            _ = self.hangup.recv() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(listen: Option<&str>, imds: bool, allow_remote: bool) -> ServeArgs {
        let mut all: Vec<&str> = Vec::new();
        if let Some(l) = listen {
            all.extend(["--listen", l]);
        }
        if imds {
            all.push("--imds");
        }
        if allow_remote {
            all.push("--allow-remote");
        }
        ServeArgs::from_args(&["serve"], &all).unwrap()
    }

    #[test]
    fn loopback_by_default_and_remote_only_when_allowed() {
        assert_eq!(
            listen_address(&args(None, false, false))
                .unwrap()
                .to_string(),
            "127.0.0.1:0"
        );
        assert!(listen_address(&args(Some("[::1]:9911"), true, false)).is_ok());
        assert!(listen_address(&args(Some("0.0.0.0:9911"), false, false)).is_err());
        assert!(listen_address(&args(Some("0.0.0.0:9911"), false, true)).is_ok());
        assert!(listen_address(&args(Some("0.0.0.0:9911"), true, true)).is_err());
        assert!(listen_address(&args(Some("localhost"), false, false)).is_err());
    }
}
