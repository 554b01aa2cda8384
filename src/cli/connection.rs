//! What every command that sends a request shares, without any credentials: the
//! transport settings (CA bundle, proxies, timeouts), the retry policy, the operation
//! limit, the `--debug` trace, and the one HTTP client, built on the first request.

use std::cell::OnceCell;
use std::time::Duration;

use super::identity::IdentityArgs;
use super::settings::{Settings, debug_enabled, transport_config};
use super::{CliError, Context, UsageError};
use crate::http::call::{Caller, DEFAULT_OPERATION_TIMEOUT};
use crate::http::client::{HttpClient, TransportConfig};
use crate::http::retry::{RetryPolicy, XorShiftJitter};

/// A trace sink (`--debug`): one line at a time, never a secret.
pub type Trace<'a> = &'a (dyn Fn(&str) + Sync);

/// The connection's own trace sink: lines to the context's stderr, after `debug: `.
type Sink<'a> = Box<dyn Fn(&str) + Sync + 'a>;

/// Checked transport settings; the client is built on the first [`Connection::caller`].
pub struct Connection<'a> {
    ctx: &'a Context<'a>,
    transport: TransportConfig,
    policy: RetryPolicy,
    operation_timeout: Option<Duration>,
    sink: Option<Sink<'a>>,
    client: OnceCell<HttpClient>,
}

impl<'a> Connection<'a> {
    /// The trace sink alone (before the settings are read, so that reading them can be
    /// traced).
    pub fn sink(args: &IdentityArgs, ctx: &'a Context<'a>) -> Option<Sink<'a>> {
        debug_enabled(args, ctx)
            .then(|| Box::new(|line: &str| (ctx.stderr)(&format!("debug: {line}"))) as _)
    }

    /// Checks the transport and retry settings of `args` and the profile (`settings`):
    /// the CA bundle is read, `AWS_MAX_ATTEMPTS`/`max_attempts` parsed. Nothing is sent.
    pub fn open(
        args: &IdentityArgs,
        settings: &Settings,
        ctx: &'a Context<'a>,
        sink: Option<Sink<'a>>,
    ) -> Result<Self, CliError> {
        let transport = transport_config(args, settings, ctx)?;
        let policy = RetryPolicy::resolve(
            (ctx.env)("AWS_MAX_ATTEMPTS").as_deref(),
            settings.value("max_attempts").as_deref(),
        )
        .map_err(UsageError::MaxAttempts)?;
        let operation_timeout = match args.operation_timeout {
            Some(0) => None,
            Some(s) => Some(Duration::from_secs(s)),
            None => Some(DEFAULT_OPERATION_TIMEOUT),
        };
        Ok(Self {
            ctx,
            transport,
            policy,
            operation_timeout,
            sink,
            client: OnceCell::new(),
        })
    }

    /// The trace sink, when `--debug` asks for one.
    pub fn trace(&self) -> Option<Trace<'_>> {
        self.sink.as_deref().map(|t| t as Trace<'_>)
    }

    /// Whether the HTTP client has been built.
    pub fn client_built(&self) -> bool {
        self.client.get().is_some()
    }

    /// The caller: the one transport (built on first use), the retry policy, the clock,
    /// the trace. Make one per command and pass it to every call.
    pub fn caller(&self) -> Result<Caller<'_>, CliError> {
        let client = match self.client.get() {
            Some(client) => client,
            None => {
                let client =
                    HttpClient::new(self.transport.clone()).map_err(CliError::Transport)?;
                self.client.get_or_init(|| client)
            }
        };
        let caller = Caller::new(
            client,
            self.ctx.clock,
            self.policy,
            Box::new(XorShiftJitter::new(self.ctx.seed)),
        )
        .with_operation_timeout(self.operation_timeout);
        Ok(match self.trace() {
            Some(t) => caller.with_trace(t),
            None => caller,
        })
    }
}
