//! `aws-login metadata [PATH]`: the instance metadata service for scripts, where user data
//! would `curl http://169.254.169.254/...` and break on an instance that requires IMDSv2.
//! One session token, reused (or IMDSv1 by the chain's rules); the chain's settings
//! (`AWS_EC2_METADATA_SERVICE_ENDPOINT[_MODE]`, `AWS_EC2_METADATA_V1_DISABLED`,
//! `AWS_METADATA_SERVICE_TIMEOUT`, `AWS_METADATA_SERVICE_NUM_ATTEMPTS` and the profile's
//! `ec2_metadata_*`); `--wait` for early boot.
//!
//! Paths (the EC2 User Guide's "Instance metadata categories"): a name under `meta-data/`
//! (`instance-id`, `placement/region`, `tags/instance/Name`), or `meta-data/...`,
//! `user-data`, `dynamic/...`; a leading `/` or `latest/` is dropped. A path ending in `/`
//! is a listing.

use std::fmt;
use std::time::Duration;

use argh::FromArgs;

use super::connection::Connection;
use super::identity::IdentityArgs;
use super::settings::Settings;
use super::{CliError, Context, Output};
use crate::http::call::Caller;
use crate::http::retry::{RetryKind, XorShiftJitter, backoff};
use crate::services::imds::{ImdsConfig, ImdsError, MetadataSession};
use crate::time::Sleep as _;

/// read the instance metadata service for scripts: IMDSv2 (one token, reused) with the
/// AWS CLI's settings and v1 fallback rules
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "metadata",
    example = "{command_name} instance-id",
    example = "{command_name} placement/region",
    example = "{command_name} tags/instance/Name",
    example = "{command_name} --json dynamic/instance-identity/document",
    example = "{command_name} --recursive --json placement/",
    example = "{command_name} --wait 120 user-data > /tmp/user-data",
    note = "A missing path exits 1 and names it; no instance metadata service exits 4 (within the timeout, 1 s by default)."
)]
pub struct MetadataArgs {
    /// the path: a name under meta-data/ (instance-id, placement/region,
    /// tags/instance/Name), or user-data, or dynamic/...; ending in / lists it (default:
    /// the meta-data/ listing)
    #[argh(positional)]
    pub path: Option<String>,
    /// print JSON: JSON answers indented, other answers as JSON strings, listings as
    /// arrays
    #[argh(switch)]
    pub json: bool,
    /// with a listing (a path ending in /), walk it into one JSON object (credentials
    /// under security-credentials/ are named, not fetched)
    #[argh(switch)]
    pub recursive: bool,
    /// keep trying for up to this many seconds while the service does not answer yet or
    /// answers 429/5xx (early boot), with jittered backoff
    #[argh(option)]
    pub wait: Option<u64>,
    /// the profile whose ec2_metadata_* settings apply (default: AWS_PROFILE, then
    /// default)
    #[argh(option)]
    pub profile: Option<String>,
    /// trace each request on stderr
    #[argh(switch)]
    pub debug: bool,
}

/// The longest path taken.
const MAX_PATH: usize = 1024;

/// The most requests one `--recursive` walk makes (the whole of `meta-data/` on an
/// instance is a few hundred).
const WALK_LIMIT: usize = 2000;
/// The deepest listing a walk enters.
const WALK_DEPTH: usize = 12;

/// Why `metadata` printed nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum MetadataError {
    /// `AWS_EC2_METADATA_DISABLED=true`.
    Disabled,
    /// A path that is not one (`..`, blanks, control characters).
    BadPath(String),
    /// `--recursive` without a listing.
    RecursiveNeedsListing(String),
    /// IMDS has nothing at this path (404).
    Missing(String),
    /// IMDS failed.
    Imds(ImdsError),
    /// `--wait` ran out while IMDS did not answer.
    GaveUp {
        /// The seconds waited.
        waited: u64,
        /// The last failure.
        last: ImdsError,
    },
    /// A walk went deeper or further than its limits.
    WalkTooLarge(String),
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Disabled => f.write_str(
                "instance metadata is disabled here (AWS_EC2_METADATA_DISABLED=true): unset it to read it",
            ),
            Self::BadPath(p) => write!(
                f,
                "{:?} is not an instance metadata path: printable ASCII without '?', '#', '%', '.' or '..' segments or empty ones, at most {MAX_PATH} characters",
                p.chars().take(80).collect::<String>()
            ),
            Self::RecursiveNeedsListing(p) => write!(
                f,
                "--recursive walks a listing: give a path ending in / (not {p:?})"
            ),
            Self::Missing(p) => write!(f, "no {p} in the instance metadata (HTTP 404)"),
            Self::Imds(e) => e.fmt(f),
            Self::GaveUp { waited, .. } => write!(
                f,
                "the instance metadata service did not answer within --wait {waited} s"
            ),
            Self::WalkTooLarge(p) => write!(
                f,
                "walking {p} went past {WALK_LIMIT} requests or {WALK_DEPTH} levels: walk a smaller listing"
            ),
        }
    }
}

impl std::error::Error for MetadataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Imds(e) => e.source(),
            Self::GaveUp { last, .. } => Some(last),
            _ => None,
        }
    }
}

impl MetadataError {
    /// Its kind: a bad path or flag is a usage error; a missing path or disabled IMDS a
    /// failure; IMDS's own failures by their kind; giving up, the network's.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        use crate::error_kind::ErrorKind;
        match self {
            Self::BadPath(_) | Self::RecursiveNeedsListing(_) => ErrorKind::Usage,
            Self::Disabled | Self::Missing(_) | Self::WalkTooLarge(_) => ErrorKind::Failure,
            Self::Imds(e) => e.kind(),
            Self::GaveUp { .. } => ErrorKind::Network,
        }
    }
}

/// The path under `/latest/` that `arg` names (see the module docs). Pure.
pub fn resolve_path(arg: Option<&str>) -> Result<String, MetadataError> {
    let raw = arg.unwrap_or("meta-data/").trim();
    let path = raw.trim_start_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let bad = raw.is_empty()
        || raw.len() > MAX_PATH
        || !raw.bytes().all(|b| b.is_ascii_graphic())
        || raw.contains(['?', '#', '%'])
        || segments.iter().any(|s| *s == ".." || *s == ".")
        || segments.iter().rev().skip(1).any(|s| s.is_empty());
    if bad {
        return Err(MetadataError::BadPath(raw.to_owned()));
    }
    let path = path.strip_prefix("latest/").unwrap_or(path);
    let known = ["meta-data", "user-data", "dynamic"]
        .iter()
        .any(|root| path == *root || path.starts_with(&format!("{root}/")));
    Ok(match (path, known) {
        ("meta-data", _) => "meta-data/".to_owned(),
        ("dynamic", _) => "dynamic/".to_owned(),
        (_, true) => path.to_owned(),
        (_, false) => format!("meta-data/{path}"),
    })
}

/// The child paths of a listing's entries: `name/` is a listing, `0=my-key` (the
/// `public-keys/` form) is the listing `0/` named `0`, anything else a value. An entry
/// that is not one plain path segment (`..`, `a/b`, blanks, `%`, `?`, `#`, non-ASCII)
/// is left out: an answer must not steer a walk elsewhere.
fn entries(listing: &str) -> Vec<(String, String)> {
    let plain = |name: &str| {
        !name.is_empty()
            && name != "."
            && name != ".."
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !b"/?#%".contains(&b))
    };
    listing
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|l| match l.split_once('=') {
            Some((index, _)) => plain(index).then(|| (index.to_owned(), format!("{index}/"))),
            None => {
                let name = l.strip_suffix('/').unwrap_or(l);
                plain(name).then(|| (name.to_owned(), l.to_owned()))
            }
        })
        .collect()
}

/// A value as JSON: the JSON it is, with `json`; a string otherwise.
fn as_json(body: &[u8], json: bool) -> serde_json::Value {
    let text = String::from_utf8_lossy(body);
    if json && let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
        return value;
    }
    serde_json::Value::String(text.into_owned())
}

/// Reads IMDS for one run: the caller, the settings, the session.
struct Reader<'c, 'a> {
    caller: &'c Caller<'a>,
    config: &'c ImdsConfig,
    session: MetadataSession,
    requests: usize,
}

impl Reader<'_, '_> {
    async fn get(&mut self, path: &str) -> Result<Option<hyper::body::Bytes>, MetadataError> {
        self.requests += 1;
        self.session
            .get(self.caller, self.config, path)
            .await
            .map_err(MetadataError::Imds)
    }

    /// The listing at `path` (ending in `/`) as one JSON object.
    async fn walk(
        &mut self,
        path: &str,
        depth: usize,
        json: bool,
    ) -> Result<serde_json::Value, MetadataError> {
        if depth > WALK_DEPTH || self.requests >= WALK_LIMIT {
            return Err(MetadataError::WalkTooLarge(path.to_owned()));
        }
        let Some(listing) = self.get(path).await? else {
            // The walk's start must be there; a listing below it that is not is null.
            return if depth == 0 {
                Err(MetadataError::Missing(path.to_owned()))
            } else {
                Ok(serde_json::Value::Null)
            };
        };
        let mut object = serde_json::Map::new();
        for (name, child) in entries(&String::from_utf8_lossy(&listing)) {
            if object.contains_key(&name) {
                continue;
            }
            let full = format!("{path}{child}");
            let value = if child.ends_with('/') {
                Box::pin(self.walk(&full, depth + 1, json)).await?
            } else if full.contains("/security-credentials/") {
                // Credentials are printed when asked for by their path, not by a walk
                // (which ends up in logs).
                serde_json::Value::String(format!(
                    "(credentials, not shown by a walk: aws-login metadata {full})"
                ))
            } else {
                match self.get(&full).await? {
                    Some(body) => as_json(&body, json),
                    None => serde_json::Value::Null,
                }
            };
            object.insert(name, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

/// Opens the session, again and again while IMDS does not answer and `--wait` allows.
async fn open_waiting(
    caller: &Caller<'_>,
    config: &ImdsConfig,
    wait: Option<u64>,
    ctx: &Context<'_>,
) -> Result<MetadataSession, MetadataError> {
    let Some(limit) = wait else {
        return MetadataSession::open(caller, config)
            .await
            .map_err(MetadataError::Imds);
    };
    let started = std::time::Instant::now();
    let mut jitter = XorShiftJitter::new(ctx.seed);
    let mut attempt = 0u32;
    let mut told = false;
    loop {
        attempt += 1;
        let last = match MetadataSession::open(caller, config).await {
            Ok(session) => {
                if let Some(progress) = ctx.progress {
                    progress("");
                }
                return Ok(session);
            }
            // Not up yet: no answer, or an error status while it starts.
            Err(
                e @ (ImdsError::Unreachable(_)
                | ImdsError::TokenTimeout { .. }
                | ImdsError::Status {
                    status: 429 | 500..=599,
                    ..
                }),
            ) => e,
            Err(e) => return Err(MetadataError::Imds(e)),
        };
        let elapsed = started.elapsed();
        let left = Duration::from_secs(limit).saturating_sub(elapsed);
        if left.is_zero() {
            if let Some(progress) = ctx.progress {
                progress("");
            }
            return Err(MetadataError::GaveUp {
                waited: limit,
                last,
            });
        }
        match ctx.progress {
            Some(progress) => progress(&format!(
                "waiting for the instance metadata service at {}: {} s of {limit}",
                config.endpoint,
                elapsed.as_secs()
            )),
            None if !told => {
                (ctx.stderr)(&format!(
                    "Waiting up to {limit} s for the instance metadata service at {}.",
                    config.endpoint
                ));
                told = true;
            }
            None => {}
        }
        let pause = backoff(attempt, RetryKind::Throttling, None, &mut jitter).min(left);
        crate::time::TokioSleep.sleep(pause).await;
    }
}

/// Runs `metadata`.
pub fn run(args: &MetadataArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let path = resolve_path(args.path.as_deref()).map_err(Box::new)?;
    if args.recursive && !path.ends_with('/') {
        return Err(Box::new(MetadataError::RecursiveNeedsListing(path)).into());
    }
    let identity = IdentityArgs {
        profile: args.profile.clone(),
        debug: args.debug,
        ..IdentityArgs::default()
    };
    let settings = Settings::resolve(&identity, ctx);
    if let Some(name) = &args.profile
        && settings.profile().is_none()
    {
        return Err(super::UsageError::NoSuchProfile(name.clone()).into());
    }
    let profile = |key: &str| settings.value(key);
    let config =
        ImdsConfig::from_env(ctx.env, &profile).ok_or(Box::new(MetadataError::Disabled))?;
    let connection = Connection::open(&identity, &settings, ctx, Connection::sink(&identity, ctx))?;
    let caller = connection.caller()?;
    let out = super::block_on(async {
        let session = open_waiting(&caller, &config, args.wait, ctx).await?;
        let mut reader = Reader {
            caller: &caller,
            config: &config,
            session,
            requests: 0,
        };
        if args.recursive {
            let value = reader.walk(&path, 0, args.json).await?;
            return Ok(Answer::Text(pretty(&value)));
        }
        let body = reader
            .get(&path)
            .await?
            .ok_or_else(|| MetadataError::Missing(path.clone()))?;
        Ok(answer(&path, &body, args.json))
    })?
    .map_err(|e: MetadataError| CliError::from(Box::new(e)))?;
    match out {
        Answer::Text(text) => Ok(Output::stdout(text)),
        Answer::Bytes(bytes) => {
            use std::io::Write as _;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .map_err(|source| CliError::WriteFile {
                    what: "the answer".into(),
                    path: "stdout".into(),
                    source,
                })?;
            Ok(Output::default())
        }
    }
}

/// What to print.
enum Answer {
    /// Text, printed as it is (see [`answer`]).
    Text(String),
    /// Bytes exactly as IMDS gave them (user data that is not UTF-8, such as gzip).
    Bytes(Vec<u8>),
}

fn pretty(value: &serde_json::Value) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

/// The answer at `path` as printed: with `json`, JSON (a listing an array); otherwise
/// the text with a final newline, except user data, which is printed exactly as it is.
fn answer(path: &str, body: &[u8], json: bool) -> Answer {
    if json {
        let value = if path.ends_with('/') {
            serde_json::Value::Array(
                entries(&String::from_utf8_lossy(body))
                    .into_iter()
                    .map(|(_, child)| serde_json::Value::String(child))
                    .collect(),
            )
        } else {
            as_json(body, true)
        };
        return Answer::Text(pretty(&value));
    }
    match std::str::from_utf8(body) {
        Ok(text) if path == "user-data" => Answer::Text(text.to_owned()),
        Ok(text) if text.is_empty() || text.ends_with('\n') => Answer::Text(text.to_owned()),
        Ok(text) => Answer::Text(format!("{text}\n")),
        Err(_) => Answer::Bytes(body.to_vec()),
    }
}

#[cfg(test)]
mod tests;
