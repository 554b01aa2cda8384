//! `aws-login console`: the AWS Management Console as the acquired identity. The
//! credentials at the end of the plan (a profile, a role chain, an SSO role, the
//! instance's role, a federation token) go to the partition's federation endpoint for a
//! sign-in token (`getSigninToken`, [`crate::services::signin`]); the link that carries
//! it opens in the browser, or is printed with `--no-browser`.
//!
//! The link, the token and the session are bearer secrets: the link goes to stdout only
//! (or to the browser as an argument), never to stderr or the `--debug` trace, which
//! shows the endpoint's host and path only.
//!
//! The rules AWS sets (IAM User Guide, "Enable custom identity broker access to the AWS
//! console"): only temporary credentials from AssumeRole* or GetFederationToken sign in;
//! `SessionDuration` (900-43200 s) sets the console session of a role's credentials, but
//! a role chain's is held to one hour and takes none; a federation token's session lasts
//! as long as the token (its `DurationSeconds`, which `--duration-seconds` sets).

use argh::FromArgs;

use super::identity::{command_with_identity, transitions};
use super::session::Session;
use super::{CliError, Context, Output, UsageError};
use crate::endpoints::{Partition, Service, partition_named, partition_of};
use crate::error_kind::ErrorKind;
use crate::provider::execute::{Acquired, Provenance};
use crate::provider::plan::Hop;
use crate::secret::SecretString;
use crate::services::ServiceError;
use crate::services::signin::{self, BadDestination, SigninRefused};
use crate::sso::browser;

/// The longest getSigninToken path and query sent (servers take URLs of up to 64 KiB).
const MAX_PATH: usize = 60 * 1024;

/// The `Issuer` of the link when `--issuer` is not given: what the console names as
/// where the session came from.
pub const DEFAULT_ISSUER: &str = "aws-login";

command_with_identity! {
    /// open the AWS Management Console as the acquired identity (a federation sign-in
    /// link; --no-browser prints it). --duration-seconds also sets the console session
    /// (SessionDuration, 900-43200), except for a role chain's credentials, which AWS
    /// holds to one hour.
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "console",
        example = "{command_name} --profile dev --destination ec2",
        example = "{command_name} --assume-roles arn:aws:iam::222222222222:role/TargetRole --logout-first",
        example = "{command_name} --get-federation-token --federation-policy-arns arn:aws:iam::aws:policy/ReadOnlyAccess",
        example = "{command_name} --no-browser --start-url https://d-987654321d.awsapps.com/start --sso-acct-id 111111111111 --sso-role-name SSO_TargetRole"
    )]
    pub struct ConsoleArgs {
        /// the page to open: a console URL, or a service name such as ec2, s3 or
        /// cloudwatch (default: the console's home page)
        #[argh(option)]
        pub destination: [Option<String>],
        /// the Issuer of the link, which the console names when the session ends
        /// (default aws-login)
        #[argh(option)]
        pub issuer: [Option<String>],
        /// go through the console's logout first, so that a console session already open
        /// in the browser is replaced instead of kept
        #[argh(switch)]
        pub logout_first: [bool],
    }
}

/// Why the console cannot be opened with these credentials: refused before anything was
/// sent to the federation endpoint, or by it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConsoleError {
    /// The federation endpoint would refuse the request (long-term keys, a
    /// `SessionDuration` out of range).
    Refused(SigninRefused),
    /// Credentials from GetSessionToken cannot sign in to the console.
    SessionTokenCredentials,
    /// The credentials have expired.
    Expired(chrono::DateTime<chrono::Utc>),
    /// `--destination` is neither a URL nor a service name.
    Destination(BadDestination),
    /// The partition has no console aws-login knows, and no full `--destination` says
    /// where to go.
    NoConsole(&'static str),
    /// The `Session` JSON is too long for a URL (a session token of tens of kilobytes).
    SessionTooLong(usize),
    /// The federation endpoint refused the session (a 4xx answer).
    Rejected(Box<ServiceError>),
}

impl ConsoleError {
    /// Its kind: a bad flag is a usage error, the rest a failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Refused(SigninRefused::Duration(_)) | Self::Destination(_) => ErrorKind::Usage,
            // A 4xx answer is AWS saying no, whatever its body.
            Self::Rejected(_) => ErrorKind::Aws,
            _ => ErrorKind::Failure,
        }
    }
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(e) => e.fmt(f),
            Self::SessionTokenCredentials => f.write_str(
                "credentials from GetSessionToken cannot sign in to the console: use --get-federation-token instead, or assume a role (--assume-roles)",
            ),
            Self::Expired(at) => write!(
                f,
                "the credentials expired at {}: the console would refuse them",
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            Self::Destination(e) => e.fmt(f),
            Self::NoConsole(partition) => write!(
                f,
                "aws-login knows no console for partition {partition}: give --destination a full console URL (and AWS_ENDPOINT_URL_SIGNIN the partition's federation endpoint)"
            ),
            Self::SessionTooLong(n) => write!(
                f,
                "the session is too long for the federation endpoint's URL ({n} characters): these credentials cannot sign in"
            ),
            Self::Rejected(_) => f.write_str(
                "the console federation endpoint refused the session (getSigninToken); hint: it refuses credentials that are invalid or expired, that came from GetSessionToken, and a SessionDuration (--duration-seconds) for credentials of a role chain",
            ),
        }
    }
}

impl std::error::Error for ConsoleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Rejected(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl From<ConsoleError> for CliError {
    fn from(e: ConsoleError) -> Self {
        CliError::Console(e)
    }
}

/// Where the link goes and what it asks for, worked out from the credentials before
/// anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The partition (of the credentials when their ARN is known, else of the region).
    pub partition: &'static str,
    /// The console's region.
    pub region: String,
    /// The console page (`Destination`).
    pub destination: String,
    /// `SessionDuration`, when it applies.
    pub session_duration: Option<u32>,
    /// What the user is told on stderr (a duration that cannot be honoured, a region
    /// outside the credentials' partition).
    pub notes: Vec<String>,
}

/// Works out the [`Target`] for credentials made by `provenance`, whose last hop
/// answered with `arn` (if any), for `region` (the configured one, if any), the
/// `destination` flag and the `--duration-seconds` flag. Pure.
pub fn target(
    provenance: Provenance,
    arn: Option<&str>,
    region: Option<&str>,
    destination: Option<&str>,
    duration: Option<u32>,
) -> Result<Target, ConsoleError> {
    let mut notes = Vec::new();
    let region = region.map(str::trim).filter(|r| !r.is_empty());
    let of_credentials = arn
        .and_then(|a| a.split(':').nth(1))
        .and_then(partition_named);
    let partition: Partition = match (of_credentials, region) {
        (Some(p), Some(r)) if partition_of(r).name != p.name => {
            notes.push(format!(
                "the region {r} is not in the credentials' partition ({}): the console opens in {}",
                p.name,
                p.console_region.unwrap_or("its default region")
            ));
            p
        }
        (Some(p), _) => p,
        (None, r) => partition_of(r.unwrap_or("us-east-1")),
    };
    let full = destination
        .map(str::trim)
        .filter(|d| d.contains("://"))
        .map(|d| signin::full_url(d).ok_or_else(|| BadDestination(d.to_owned())))
        .transpose()
        .map_err(ConsoleError::Destination)?;
    // A partition without a known console still works with a full --destination and
    // its own federation endpoint (AWS_ENDPOINT_URL_SIGNIN).
    let region = region
        .filter(|r| partition_of(r).name == partition.name)
        .or(partition.console_region)
        .unwrap_or("us-east-1")
        .to_owned();
    let destination = match (full, partition.console_host) {
        (Some(full), host) => {
            let uri: Option<hyper::Uri> = full.parse().ok();
            let shown = uri.as_ref().and_then(|u| u.host()).unwrap_or_default();
            let loopback = shown == "localhost"
                || shown
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if let Some(host) = host
                && !loopback
                && !(shown.eq_ignore_ascii_case(host)
                    || shown.to_ascii_lowercase().ends_with(&format!(".{host}")))
            {
                notes.push(format!(
                    "the destination's host {shown} is not the {} console ({host}): the sign-in may refuse it",
                    partition.name
                ));
            }
            full.to_owned()
        }
        (None, Some(host)) => signin::destination_url(host, destination, &region)
            .map_err(ConsoleError::Destination)?,
        (None, None) => return Err(ConsoleError::NoConsole(partition.name)),
    };
    let session_duration = match provenance {
        Provenance::SessionToken => return Err(ConsoleError::SessionTokenCredentials),
        Provenance::Base | Provenance::AssumedRole => duration,
        Provenance::RoleChain => {
            if let Some(seconds) = duration {
                notes.push(format!(
                    "--duration-seconds {seconds} cannot set the console session of a role chain (AWS holds it to one hour): SessionDuration left out"
                ));
            }
            None
        }
        // The token's own DurationSeconds (set by --duration-seconds) is the session's.
        Provenance::FederationToken => None,
    };
    Ok(Target {
        partition: partition.name,
        region,
        destination,
        session_duration,
        notes,
    })
}

/// Runs `console`: the link, opened in the browser (`Output` says so on stderr) or, with
/// `--no-browser` or when no browser can be started, printed on stdout.
pub fn run(args: &ConsoleArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let mut identity = args.identity();
    let duration = identity.duration_seconds;
    if transitions(&identity).is_empty() {
        // No hop of the flags' to take it: --duration-seconds is the console session's
        // alone, checked now rather than by the endpoint.
        identity.duration_seconds = None;
        if let Some(seconds) = duration
            && !(signin::MIN_SESSION_SECONDS..=signin::MAX_SESSION_SECONDS).contains(&seconds)
        {
            return Err(ConsoleError::Refused(SigninRefused::Duration(seconds)).into());
        }
    }
    for (flag, value) in [
        ("--destination", &args.destination),
        ("--issuer", &args.issuer),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(UsageError::Empty(flag).into());
        }
    }
    let session = Session::open(&identity, ctx)?;
    // What can be known from the plan is refused before anything is sent.
    if let Some(Hop::SessionToken(_)) = session.plan().hops.last() {
        return Err(ConsoleError::SessionTokenCredentials.into());
    }
    if session.plan().hops.is_empty()
        && let Some(Ok(keys)) = crate::provider::execute::at_hand(&session.plan().base, ctx.env)
        && keys.session_token().is_none()
    {
        return Err(ConsoleError::Refused(SigninRefused::LongTermKeys).into());
    }
    signin::destination_url("console.aws.amazon.com", args.destination.as_deref(), "")
        .map_err(ConsoleError::Destination)?;
    let (link, target, arn) = super::block_on(async {
        let caller = session.caller()?;
        let Acquired {
            credentials,
            provenance,
            arn,
        } = session.acquire_with(&caller, ctx.interactive).await?;
        if let Some(at) = credentials.expiration()
            && credentials.is_expired(ctx.clock.now())
        {
            return Err(ConsoleError::Expired(at).into());
        }
        let region = session.region();
        let target = target(
            provenance,
            arn.as_deref(),
            region.as_deref(),
            args.destination.as_deref(),
            duration,
        )?;
        for note in &target.notes {
            (ctx.stderr)(note);
        }
        let path = signin::get_signin_token_path(&credentials, target.session_duration)
            .map_err(ConsoleError::Refused)?;
        // URLs past 64 KiB are refused by every HTTP stack on the way.
        if path.expose().len() > MAX_PATH {
            return Err(ConsoleError::SessionTooLong(path.expose().len()).into());
        }
        let endpoint = session.endpoint_in(Service::Signin, Some(target.region.clone()))?;
        let token = signin::get_signin_token(&caller, &endpoint, &path)
            .await
            .map_err(|e| match &e {
                ServiceError::Response(r) if (400..500).contains(&r.status()) => {
                    ConsoleError::Rejected(Box::new(e)).into()
                }
                _ => CliError::call("getSigninToken")(e),
            })?;
        let issuer = args
            .issuer
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .unwrap_or(DEFAULT_ISSUER);
        let link = signin::login_url(
            &endpoint,
            issuer,
            &target.destination,
            &token,
            args.logout_first,
        );
        Ok::<_, CliError>((link, target, arn))
    })??;
    let who = arn.map_or_else(String::new, |a| format!(" as {a}"));
    let page = match args.destination.as_deref().map(str::trim) {
        Some(full) if full.contains("://") => {
            let host = full
                .parse::<hyper::Uri>()
                .ok()
                .and_then(|u| u.host().map(str::to_owned))
                .unwrap_or_default();
            format!("the console page on {host}{who}")
        }
        _ => format!("the AWS console{who} ({})", target.region),
    };
    Ok(deliver(&link, &page, args.no_browser, ctx))
}

/// How long a browser command is watched for a failure (a launcher that finds no
/// browser exits at once; a browser that shows the page keeps running).
const BROWSER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The link opened in the browser, or printed (with `--no-browser`, or when no browser
/// can be started here: the reason on stderr). `what`: what the link opens, for stderr.
fn deliver(link: &SecretString, what: &str, no_browser: bool, ctx: &Context<'_>) -> Output {
    let printed = || Output::stdout(format!("{}\n", link.expose()));
    if no_browser {
        return printed();
    }
    let keep = "open this link yourself (it signs in; keep it private)";
    let commands = match browser::browser_commands(link.expose(), ctx.env, browser::Os::current()) {
        Ok(commands) if commands.is_empty() => {
            (ctx.stderr)(&format!(
                "No browser can be opened here (no display, or an SSH session): {keep}:"
            ));
            return printed();
        }
        Ok(commands) => commands,
        Err(e) => {
            (ctx.stderr)(&format!("{e}: {keep}:"));
            return printed();
        }
    };
    let start = |command: &[String]| browser::open_checked(command, BROWSER_GRACE);
    match browser::open_first(&commands, link.expose(), &start) {
        Ok(program) => {
            (ctx.stderr)(&format!("Opened {what} in the browser ({program})."));
            Output::default()
        }
        Err(failures) => {
            (ctx.stderr)(&format!(
                "The browser could not be started ({}): {keep}:",
                failures.join("; ")
            ));
            printed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_follows_the_credentials_and_aws_rules() {
        let t = target(Provenance::AssumedRole, None, None, None, Some(7200)).unwrap();
        assert_eq!(t.partition, "aws");
        assert_eq!(t.region, "us-east-1");
        assert_eq!(
            t.destination,
            "https://console.aws.amazon.com/console/home?region=us-east-1"
        );
        assert_eq!(t.session_duration, Some(7200));
        assert!(t.notes.is_empty());

        // A role chain: no SessionDuration, and the user is told.
        let t = target(
            Provenance::RoleChain,
            Some("arn:aws:sts::1:assumed-role/r/s"),
            Some("eu-west-1"),
            Some("ec2"),
            Some(3600),
        )
        .unwrap();
        assert_eq!(t.session_duration, None);
        assert_eq!(
            t.destination,
            "https://console.aws.amazon.com/ec2/home?region=eu-west-1"
        );
        assert!(t.notes[0].contains("role chain"), "{:?}", t.notes);
        // Without a duration asked for, nothing to tell.
        let t = target(Provenance::RoleChain, None, None, None, None).unwrap();
        assert!(t.notes.is_empty());

        // The credentials' partition wins over a region outside it.
        let t = target(
            Provenance::AssumedRole,
            Some("arn:aws-us-gov:sts::1:assumed-role/r/s"),
            Some("eu-west-1"),
            Some("s3"),
            None,
        )
        .unwrap();
        assert_eq!(t.partition, "aws-us-gov");
        assert_eq!(t.region, "us-gov-west-1");
        assert_eq!(
            t.destination,
            "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1"
        );
        assert!(t.notes[0].contains("not in the credentials' partition"));
        // The region's partition when the credentials' is unknown.
        let t = target(Provenance::Base, None, Some("cn-northwest-1"), None, None).unwrap();
        assert_eq!(t.partition, "aws-cn");
        assert_eq!(
            t.destination,
            "https://console.amazonaws.cn/console/home?region=cn-northwest-1"
        );

        // A federation token's session is the token's: no SessionDuration.
        let t = target(Provenance::FederationToken, None, None, None, Some(7200)).unwrap();
        assert_eq!(t.session_duration, None);
        assert!(t.notes.is_empty());

        assert!(matches!(
            target(Provenance::SessionToken, None, None, None, None),
            Err(ConsoleError::SessionTokenCredentials)
        ));
        assert!(matches!(
            target(Provenance::Base, None, Some("us-iso-east-1"), None, None),
            Err(ConsoleError::NoConsole("aws-iso"))
        ));
        assert!(matches!(
            target(Provenance::Base, None, None, Some("not a service"), None),
            Err(ConsoleError::Destination(_))
        ));
    }
}
