//! `aws-login dumpconfig`: an `~/.aws/config` for every account and role IAM Identity
//! Center assigns (ListAccounts, then ListAccountRoles of each account, a few at a time),
//! printed as the Python tool prints it, or merged into a file (`--merge`, with `--prune`
//! and `--diff`). The text comes from [`crate::config::generate`], the merge from
//! [`crate::config::edit`]; this file gets the token, lists, and writes.

use std::path::PathBuf;

use argh::FromArgs;

mod listing;

use crate::cli::config_file::ConfigFile;
use crate::cli::identity::IdentityArgs;
use crate::cli::session::Session;
use crate::cli::{CliError, Context, Output, UsageError};
use crate::config::edit::{self, MergeError};
use crate::config::generate::{self, GenerateError, Options};
use crate::error_kind::ErrorKind;
use crate::provider::plan::SsoTokenSource;
use crate::secret::SecretString;
use crate::services::ServiceError;
use listing::{assignments, tell};

/// How many ListAccountRoles calls run at once: a few, as the AWS CLI's paginators and
/// the portal's throttling allow.
pub const CONCURRENT_LISTS: usize = 4;

/// generate ~/.aws/config profiles for every account and role IAM Identity Center assigns
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "dumpconfig",
    example = "{command_name} --start-url https://d-987654321d.awsapps.com/start --sso-session-name my-sso --sso-region us-east-1",
    example = "{command_name} --use-cache --start-url https://d-987654321d.awsapps.com/start --merge ~/.aws/config --diff",
    example = "{command_name} --use-cache --merge ~/.aws/config --prune"
)]
pub struct DumpConfigArgs {
    /// IAM Identity Center start URL: sign in (and the sso_start_url written)
    #[argh(option)]
    pub start_url: Option<String>,
    /// the Identity Center region (default us-east-1, or the cached token's)
    #[argh(option)]
    pub sso_region: Option<String>,
    /// the [sso-session NAME] written (default my-sso)
    #[argh(option)]
    pub sso_session_name: Option<String>,
    /// an OIDC access token to use instead of signing in
    #[argh(option)]
    pub sso_access_token: Option<SecretString>,
    /// a token cache file to use (file://PATH, e.g. one `aws sso login` wrote)
    #[argh(option)]
    pub accesstoken_cache: Option<String>,
    /// keep the token in the shared cache (~/.aws/sso/cache) and use it from there
    #[argh(switch)]
    pub use_cache: bool,
    /// token refresh: auto (default), on or off; with --use-cache or --accesstoken-cache
    #[argh(option)]
    pub refresh: Option<crate::provider::sso_token::RefreshMode>,
    /// sign in for a token that cannot be refreshed (register without scopes)
    #[argh(switch)]
    pub nrt: bool,
    /// sign in with the device code flow instead of the browser redirect
    #[argh(switch)]
    pub use_device_code: bool,
    /// do not open a browser for the sign-in; print its URL
    #[argh(switch)]
    pub no_browser: bool,
    /// the loopback port of the sign-in's browser redirect (default: any free one)
    #[argh(option)]
    pub listen_port: Option<u16>,
    /// every profile's region (default: a commented-out #region at the SSO region)
    #[argh(option)]
    pub region: Option<String>,
    /// comma-separated role ARNs to also write assume-role profiles for
    #[argh(option)]
    pub target_arn_profiles: Option<String>,
    /// the generated profile the --target-arn-profiles profiles start from (default: the first)
    #[argh(option)]
    pub target_source_profile: Option<String>,
    /// profile names: {account_name}, {account_id}, {role_name}, {account_email},
    /// {sso_session} (default {account_name}-{role_name})
    #[argh(option)]
    pub profile_name_template: Option<String>,
    /// merge into this file (usually ~/.aws/config) instead of printing: adds and updates
    /// what aws-login generated, keeps everything else byte for byte, leaves FILE.bak
    #[argh(option)]
    pub merge: Option<String>,
    /// with --merge: remove the profiles aws-login generated whose assignment is gone
    #[argh(switch)]
    pub prune: bool,
    /// with --merge: print what would change (a unified diff) and write nothing
    #[argh(switch)]
    pub diff: bool,
    /// the longest wait, in seconds, for a connection to open (default 10; 0: no limit)
    #[argh(option)]
    pub cli_connect_timeout: Option<u64>,
    /// the longest wait, in seconds, for the next bytes from a server (default 60; 0: no limit)
    #[argh(option)]
    pub cli_read_timeout: Option<u64>,
    /// the longest an AWS call may take, in seconds, retries included (default 120; 0: no limit)
    #[argh(option)]
    pub operation_timeout: Option<u64>,
    /// trace each request to stderr (secrets redacted); also AWS_LOGIN_DEBUG=1
    #[argh(switch)]
    pub debug: bool,
}

/// Why `dumpconfig` failed, apart from the sign-in and the calls.
#[derive(Debug)]
#[non_exhaustive]
pub enum DumpConfigError {
    /// The names or ARNs cannot make a config.
    Generate(GenerateError),
    /// The file cannot take the merge.
    Merge {
        /// The file.
        path: String,
        /// Why.
        source: MergeError,
    },
    /// The file is not UTF-8 text.
    NotText(String),
    /// The file cannot be edited safely (not a regular file, read-only, hard-linked,
    /// locked by another edit).
    NotEditable {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// `--merge` without a start URL to write.
    NoStartUrl,
    /// `--prune` when Identity Center assigns nothing (it would remove every profile).
    NothingAssigned,
    /// The portal refused the token: sign in again.
    SignInAgain {
        /// The command that signs in again.
        command: String,
        /// The portal's answer.
        source: Box<ServiceError>,
    },
}

impl DumpConfigError {
    /// Its kind.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Generate(_) | Self::NoStartUrl => ErrorKind::Usage,
            Self::SignInAgain { .. } => ErrorKind::Aws,
            _ => ErrorKind::Failure,
        }
    }
}

impl std::fmt::Display for DumpConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Generate(e) => e.fmt(f),
            Self::Merge { path, source } => write!(f, "cannot merge into {path}: {source}"),
            Self::NotEditable { path, why } => {
                write!(f, "aws-login does not edit {path}: {why}")
            }
            Self::NotText(path) => write!(
                f,
                "{path} is not UTF-8 text: aws-login does not edit it"
            ),
            Self::NothingAssigned => f.write_str(
                "Identity Center assigns no role to this sign-in: --prune would remove every generated profile, so nothing was changed",
            ),
            Self::NoStartUrl => f.write_str(
                "--merge needs the start URL to write (--start-url): the access token alone does not say it",
            ),
            Self::SignInAgain { command, .. } => write!(
                f,
                "Identity Center refused the access token (expired or signed out): sign in again with {command}"
            ),
        }
    }
}

impl std::error::Error for DumpConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Their own text says it all.
            Self::Generate(_) | Self::Merge { .. } => None,
            Self::SignInAgain { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<DumpConfigError> for CliError {
    fn from(e: DumpConfigError) -> Self {
        CliError::DumpConfig(e)
    }
}

/// The token source the flags name, checked as the SSO sign-in checks them.
fn token_source(args: &DumpConfigArgs) -> Result<SsoTokenSource, UsageError> {
    let given = [
        ("--sso-access-token", args.sso_access_token.is_some()),
        ("--accesstoken-cache", args.accesstoken_cache.is_some()),
        ("--use-cache", args.use_cache),
    ];
    let named: Vec<&'static str> = given.iter().filter(|(_, g)| *g).map(|(f, _)| *f).collect();
    if let [a, b, ..] = named.as_slice() {
        return Err(UsageError::Exclusive(a, b));
    }
    if args.refresh.is_some() && !args.use_cache && args.accesstoken_cache.is_none() {
        return Err(UsageError::FlagWithoutHop {
            flag: "--refresh",
            needs: "--use-cache or --accesstoken-cache",
        });
    }
    for (flag, given) in [("--prune", args.prune), ("--diff", args.diff)] {
        if given && args.merge.is_none() {
            return Err(UsageError::FlagWithoutHop {
                flag,
                needs: "--merge FILE",
            });
        }
    }
    let start_url = args
        .start_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    Ok(if let Some(token) = &args.sso_access_token {
        if token.expose().trim().is_empty() {
            return Err(UsageError::Empty("--sso-access-token"));
        }
        if token.expose().trim().contains(char::is_control) {
            return Err(UsageError::Empty(
                "--sso-access-token (a control character in it)",
            ));
        }
        SsoTokenSource::Given(SecretString::new(token.expose().trim()))
    } else if let Some(file) = &args.accesstoken_cache {
        let path = file.strip_prefix("file://").unwrap_or(file);
        SsoTokenSource::File(PathBuf::from(path))
    } else {
        match start_url {
            Some(url) => SsoTokenSource::SignIn {
                start_url: url.to_owned(),
                store: args.use_cache,
            },
            None if args.use_cache => SsoTokenSource::Cache,
            None => return Err(UsageError::NeedsSsoToken("dumpconfig")),
        }
    })
}

/// The identity flags the session needs (the SSO ones and the transport's).
fn identity(args: &DumpConfigArgs) -> IdentityArgs {
    IdentityArgs {
        start_url: args.start_url.clone(),
        sso_region: args.sso_region.clone(),
        sso_access_token: args.sso_access_token.clone(),
        accesstoken_cache: args.accesstoken_cache.clone(),
        use_cache: args.use_cache,
        refresh: args.refresh,
        nrt: args.nrt,
        use_device_code: args.use_device_code,
        no_browser: args.no_browser,
        listen_port: args.listen_port,
        cli_connect_timeout: args.cli_connect_timeout,
        cli_read_timeout: args.cli_read_timeout,
        operation_timeout: args.operation_timeout,
        debug: args.debug,
        ..IdentityArgs::default()
    }
}

/// The comma-separated list of `--target-arn-profiles`.
fn target_arns(args: &DumpConfigArgs) -> Vec<String> {
    args.target_arn_profiles
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Runs `dumpconfig`.
pub fn run(args: &DumpConfigArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let source = token_source(args)?;
    let template = args
        .profile_name_template
        .clone()
        .unwrap_or_else(|| generate::DEFAULT_TEMPLATE.to_owned());
    if template.trim().is_empty() {
        return Err(UsageError::Empty("--profile-name-template").into());
    }
    generate::check_template(&template).map_err(DumpConfigError::Generate)?;
    // Every value written is checked before anything is sent.
    if let Some(url) = args.start_url.as_deref().map(str::trim)
        && !crate::cli::sso::valid_start_url(url)
    {
        return Err(CliError::SsoConfig(
            crate::cli::sso::SsoConfigError::BadStartUrl(url.to_owned()),
        ));
    }
    for region in [&args.region, &args.sso_region].into_iter().flatten() {
        crate::endpoints::check_region(region.trim())?;
    }
    let arns = target_arns(args);
    for arn in &arns {
        generate::check_role_arn(arn).map_err(DumpConfigError::Generate)?;
    }
    if args.target_source_profile.is_some() && arns.is_empty() {
        return Err(UsageError::FlagWithoutHop {
            flag: "--target-source-profile",
            needs: "--target-arn-profiles",
        }
        .into());
    }
    let sso_session = args
        .sso_session_name
        .as_deref()
        .map_or("my-sso", str::trim)
        .to_owned();
    if sso_session.is_empty() || generate::sanitise(&sso_session) != sso_session {
        return Err(DumpConfigError::Generate(GenerateError::BadSessionName(sso_session)).into());
    }
    if args.merge.is_some()
        && args.start_url.is_none()
        && matches!(source, SsoTokenSource::Given(_))
    {
        return Err(DumpConfigError::NoStartUrl.into());
    }
    let session = Session::open_for_sso_token(&identity(args), ctx, source.clone())?;
    let region_flag = args
        .sso_region
        .as_deref()
        .map(str::trim)
        .filter(|r| *r != "us-east-1")
        .map(|r| format!(" --sso-region {r}"))
        .unwrap_or_default();
    let command = match (&source, args.start_url.as_deref().map(str::trim)) {
        (SsoTokenSource::SignIn { store: false, .. }, Some(url)) => {
            format!("`aws-login dumpconfig --start-url {url}{region_flag}`")
        }
        (SsoTokenSource::SignIn { .. } | SsoTokenSource::Given(_), Some(url)) => {
            format!("`aws-login sso login --start-url {url}{region_flag}`")
        }
        _ => "`aws-login sso login` (or `aws sso login`)".to_owned(),
    };
    let sign_in_again = |e: ServiceError| -> CliError {
        if e.aws()
            .is_some_and(|a| a.status == 401 || a.code == "UnauthorizedException")
        {
            DumpConfigError::SignInAgain {
                command: command.clone(),
                source: Box::new(e),
            }
            .into()
        } else {
            CliError::call("ListAccounts/ListAccountRoles")(e)
        }
    };
    let (token, assignments) = crate::cli::block_on(async {
        let caller = session.caller()?;
        let token = session.sso_token(&caller).await?;
        let assignments = assignments(&caller, &token, ctx, &sign_in_again).await?;
        Ok::<_, CliError>((token, assignments))
    })??;
    let start_url = args
        .start_url
        .as_deref()
        .map(str::trim)
        .map(str::to_owned)
        .or(token.start_url.clone());
    if args.merge.is_some() && start_url.is_none() {
        return Err(DumpConfigError::NoStartUrl.into());
    }
    let options = Options {
        sso_session,
        sso_region: token.region.clone(),
        start_url,
        region: args
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        template,
        target_arns: arns,
        target_source_profile: args.target_source_profile.clone(),
    };
    if args.prune && assignments.is_empty() {
        return Err(DumpConfigError::NothingAssigned.into());
    }
    let generated =
        generate::generate(&assignments, &options).map_err(DumpConfigError::Generate)?;
    if options.start_url.is_none() {
        (ctx.stderr)(
            "The start URL is unknown (the token alone does not say it): sso_start_url is left commented out; run again with --start-url.",
        );
    }
    match &args.merge {
        None => Ok(Output::stdout(generated.render())),
        Some(file) => merge_into(file, &generated, args, ctx),
    }
}

/// `--merge FILE`: the merged text, as a diff (`--diff`) or written, and what changed on
/// stderr.
fn merge_into(
    file: &str,
    generated: &generate::Generated,
    args: &DumpConfigArgs,
    ctx: &Context<'_>,
) -> Result<Output, CliError> {
    let config = ConfigFile::open(file, ctx)?;
    let shown = config.path.display().to_string();
    let before = config.text.clone().unwrap_or_default();
    let (after, report) =
        edit::merge(&before, generated, args.prune).map_err(|source| DumpConfigError::Merge {
            path: shown.clone(),
            source,
        })?;
    tell(&report, args.prune, ctx);
    if args.diff {
        let diff = similar::TextDiff::from_lines(&before, &after)
            .unified_diff()
            .context_radius(3)
            .header(&shown, &format!("{shown} (merged)"))
            .to_string();
        return Ok(Output::stdout(diff));
    }
    config.write(&after, ctx)?;
    Ok(Output::default())
}
