//! `aws-login configure sso`: one SSO profile, set up as `aws configure sso` sets it up.
//! The questions (session name, start URL, region, registration scopes; the default
//! region, output format and profile name) are asked on the terminal with the defaults in
//! brackets, each answerable by a flag instead, so scripts and tests need no terminal.
//! Between them: the sign-in (cached under the session's name, as the AWS CLI caches
//! it), the accounts, then the account's roles (the only one is taken, as the AWS CLI
//! takes it; otherwise a numbered choice). The `[sso-session]` and `[profile]` go into
//! the config file through `dumpconfig`'s merge, so nothing else in it changes.

use argh::FromArgs;

mod ask;

use crate::cli::config_file::ConfigFile;
use crate::cli::connection::Connection;
use crate::cli::dumpconfig::DumpConfigError;
use crate::cli::identity::IdentityArgs;
use crate::cli::settings::Settings;
use crate::cli::sign_in::{StderrUi, choose_flow, system_random};
use crate::cli::{CliError, Context, Output};
use crate::config::edit;
use crate::config::generate::{self, Generated, Section};
use crate::endpoints::{self, EndpointConfig, Service};
use crate::services::sso::{self, AccountInfo};
use crate::sso::login::{Login, Target};
use ask::{Asker, Check, check_name, check_output, check_region, check_scopes};

/// set up aws-login or the AWS CLI
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand, name = "configure")]
pub struct ConfigureArgs {
    #[argh(subcommand)]
    /// what to set up
    pub command: ConfigureCommand,
}

/// The `configure` commands.
#[derive(FromArgs, Debug, PartialEq)]
#[argh(subcommand)]
pub enum ConfigureCommand {
    /// `configure sso`
    Sso(ConfigureSsoArgs),
}

/// set up an SSO profile in the config file, as `aws configure sso` does
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "sso",
    example = "{command_name}",
    example = "{command_name} --sso-session-name corp --start-url https://d-987654321d.awsapps.com/start --sso-region eu-west-1 --account-id 111111111111 --role-name ReadOnly --region eu-west-1 --output json --profile-name dev"
)]
pub struct ConfigureSsoArgs {
    /// the [sso-session NAME] (asked when not given; default my-sso)
    #[argh(option)]
    pub sso_session_name: Option<String>,
    /// the start URL (asked when not given)
    #[argh(option)]
    pub start_url: Option<String>,
    /// the Identity Center region (asked when not given)
    #[argh(option)]
    pub sso_region: Option<String>,
    /// the registration scopes (asked when not given; default sso:account:access)
    #[argh(option)]
    pub sso_registration_scopes: Option<String>,
    /// the account (asked when several are assigned)
    #[argh(option)]
    pub account_id: Option<String>,
    /// the role (asked when the account has several)
    #[argh(option)]
    pub role_name: Option<String>,
    /// the profile's region (asked when not given; empty for none)
    #[argh(option)]
    pub region: Option<String>,
    /// the profile's output format: json, yaml, yaml-stream, text, table (asked when not given)
    #[argh(option)]
    pub output: Option<String>,
    /// the profile's name (asked when not given; default ROLE-ACCOUNT)
    #[argh(option)]
    pub profile_name: Option<String>,
    /// sign in with the device code flow instead of the browser redirect
    #[argh(switch)]
    pub use_device_code: bool,
    /// do not open a browser for the sign-in; print its URL
    #[argh(switch)]
    pub no_browser: bool,
    /// the loopback port of the sign-in's browser redirect (default: any free one)
    #[argh(option)]
    pub listen_port: Option<u16>,
    /// trace each request to stderr (secrets redacted); also AWS_LOGIN_DEBUG=1
    #[argh(switch)]
    pub debug: bool,
}

/// Why `configure sso` stopped (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigureError {
    /// A question with no default has no answer (no terminal, or an empty line).
    Unanswered {
        /// What was asked.
        what: &'static str,
        /// The flag that answers it.
        flag: &'static str,
    },
    /// An answer that cannot be used.
    Invalid {
        /// What was asked.
        what: &'static str,
        /// The answer.
        answer: String,
        /// What is expected.
        expected: String,
    },
    /// Identity Center assigns nothing to choose from.
    NothingAssigned(String),
    /// The profile's name is taken by a hand-written profile.
    ProfileTaken(String),
}

impl std::fmt::Display for ConfigureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unanswered { what, flag } => {
                write!(f, "no answer for the {what}: type one, or give {flag}")
            }
            Self::Invalid {
                what,
                answer,
                expected,
            } => write!(f, "{answer:?} is not a valid {what}: expected {expected}"),
            Self::NothingAssigned(what) => write!(f, "Identity Center assigns you no {what}"),
            Self::ProfileTaken(name) => write!(
                f,
                "the config file already has a profile {name:?} (written by hand, or for another account or role): choose another name (--profile-name)"
            ),
        }
    }
}

impl ConfigureError {
    /// Its kind: nothing to choose from is a failure, the rest usage errors.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        match self {
            Self::NothingAssigned(_) => crate::error_kind::ErrorKind::Failure,
            _ => crate::error_kind::ErrorKind::Usage,
        }
    }
}

impl std::error::Error for ConfigureError {}

impl From<ConfigureError> for CliError {
    fn from(e: ConfigureError) -> Self {
        CliError::Configure(e)
    }
}

/// Runs `configure sso`.
pub fn run(args: &ConfigureArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let ConfigureCommand::Sso(args) = &args.command;
    let identity = IdentityArgs {
        debug: args.debug,
        ..IdentityArgs::default()
    };
    let settings = Settings::resolve(&identity, ctx);
    let asker = Asker { ctx };
    let session_name = asker.require(
        args.sso_session_name.as_deref(),
        "SSO session name",
        Some("my-sso"),
        "SSO session name",
        "--sso-session-name",
    )?;
    if generate::sanitise(&session_name) != session_name {
        return Err(ConfigureError::Invalid {
            what: "SSO session name",
            answer: session_name,
            expected: "a name without spaces, brackets, quotes, # or ;".into(),
        }
        .into());
    }
    // An existing session gives the defaults, as in the AWS CLI.
    let existing = settings.shared.sso_sessions.get(&session_name);
    let existing_value = |key: &str| {
        existing
            .and_then(|s| s.get(key))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let start_url = asker.require(
        args.start_url.as_deref(),
        "SSO start URL",
        existing_value("sso_start_url").as_deref(),
        "SSO start URL",
        "--start-url",
    )?;
    if !(start_url.starts_with("https://") || start_url.starts_with("http://"))
        || start_url.contains(char::is_whitespace)
    {
        return Err(ConfigureError::Invalid {
            what: "start URL",
            answer: start_url,
            expected: "https://... (e.g. https://d-1234567890.awsapps.com/start)".into(),
        }
        .into());
    }
    let sso_region = asker.require(
        args.sso_region.as_deref(),
        "SSO region",
        existing_value("sso_region").as_deref(),
        "SSO region",
        "--sso-region",
    )?;
    crate::endpoints::check_region(&sso_region)?;
    let scopes = asker.require(
        args.sso_registration_scopes.as_deref(),
        "SSO registration scopes",
        Some(
            existing_value("sso_registration_scopes")
                .as_deref()
                .unwrap_or(generate::REGISTRATION_SCOPES),
        ),
        "registration scopes",
        "--sso-registration-scopes",
    )?;
    check_scopes(&scopes).map_err(|expected| ConfigureError::Invalid {
        what: "registration scopes",
        answer: scopes.clone(),
        expected,
    })?;
    // What the flags say is checked before the sign-in.
    for (flag, value, check) in [
        ("region", &args.region, check_region as Check),
        ("output format", &args.output, check_output),
        ("profile name", &args.profile_name, check_name),
    ] {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            check(value).map_err(|expected| ConfigureError::Invalid {
                what: flag,
                answer: value.to_owned(),
                expected,
            })?;
        }
    }
    // An existing session of this name for another start URL: its profiles would get
    // this sign-in's token (the cache is by session name), so stop before it.
    if let Some(existing) = existing_value("sso_start_url")
        && existing.trim_end_matches('/') != start_url.trim_end_matches('/')
    {
        return Err(ConfigureError::Invalid {
            what: "SSO session name",
            answer: session_name,
            expected: format!("a new name: this one is the session of {existing}"),
        }
        .into());
    }
    let target = Target {
        start_url: start_url.clone(),
        region: sso_region.clone(),
        session_name: Some(session_name.clone()),
        scopes: Some(
            scopes
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        no_refresh_token: false,
    };
    let connection = Connection::open(&identity, &settings, ctx, Connection::sink(&identity, ctx))?;
    let none = |_: &str| None;
    let config = EndpointConfig::gather(Some(sso_region.clone()), None, ctx.env, &none);
    let oidc = endpoints::resolve(Service::SsoOidc, &config, ctx.env, &none)?;
    let portal = endpoints::resolve(Service::Sso, &config, ctx.env, &none)?;
    let dir = super::sso::cache_dir(ctx)?;
    let flow = choose_flow(ctx, args.use_device_code, args.no_browser, args.listen_port);
    let ui = StderrUi::new(ctx, !args.no_browser);
    let call = |step: &'static str| CliError::call(step);
    let (account, role) = super::block_on(async {
        let caller = connection.caller()?;
        let login = Login {
            caller: &caller,
            oidc: &oidc,
            cache_dir: &dir,
            sleep: &crate::time::TokioSleep,
            random: &system_random,
            ui: &ui,
            trace: connection.trace(),
        };
        let token = login
            .sign_in(&target, flow, true)
            .await
            .map_err(CliError::Login)?
            .access_token;
        let mut accounts = sso::list_accounts(&caller, &portal, &token)
            .await
            .map_err(call("ListAccounts"))?;
        accounts.sort_by_key(|a| {
            (
                a.account_name.clone().unwrap_or_default().to_lowercase(),
                a.account_id.clone(),
            )
        });
        let account: AccountInfo = asker.choose(
            accounts,
            args.account_id.as_deref(),
            |a| a.account_id.clone(),
            |a| {
                format!(
                    "{} ({}, {})",
                    a.account_name.as_deref().unwrap_or("-"),
                    a.account_id,
                    a.email_address.as_deref().unwrap_or("-")
                )
            },
            "account",
            "--account-id",
        )?;
        let mut roles = sso::list_account_roles(&caller, &portal, &token, &account.account_id)
            .await
            .map_err(call("ListAccountRoles"))?;
        roles.sort();
        let role = asker.choose(
            roles,
            args.role_name.as_deref(),
            String::clone,
            String::clone,
            "role",
            "--role-name",
        )?;
        Ok::<_, CliError>((account, role))
    })??;
    let region = asker.ask_checked(
        args.region.as_deref(),
        "Default client Region",
        None,
        "region",
        check_region,
    )?;
    let output = asker.ask_checked(
        args.output.as_deref(),
        "CLI default output format",
        None,
        "output format",
        check_output,
    )?;
    let default_name = generate::sanitise(&format!("{role}-{}", account.account_id));
    let profile_name = asker
        .ask_checked(
            args.profile_name.as_deref(),
            "CLI profile name",
            Some(&default_name),
            "profile name",
            check_name,
        )?
        .unwrap_or(default_name);
    let mut keys = vec![
        ("sso_session".to_owned(), session_name.clone()),
        ("sso_account_id".to_owned(), account.account_id.clone()),
        ("sso_role_name".to_owned(), role.clone()),
    ];
    keys.extend(region.map(|r| ("region".to_owned(), r)));
    keys.extend(output.map(|o| ("output".to_owned(), o)));
    let generated = Generated {
        sso_session: session_name.clone(),
        session: Section {
            header: format!("sso-session {session_name}"),
            name: session_name.clone(),
            comment_above: None,
            keys: vec![
                ("sso_start_url".to_owned(), start_url),
                ("sso_region".to_owned(), sso_region),
                ("sso_registration_scopes".to_owned(), scopes),
            ],
            trailing: Vec::new(),
            assignment: None,
            named_by_user: false,
        },
        profiles: vec![Section {
            header: format!("profile {profile_name}"),
            name: profile_name.clone(),
            comment_above: None,
            keys,
            trailing: Vec::new(),
            assignment: Some(format!("{}/{role}", account.account_id)),
            // Matched by the name the user chose, not by an older profile of the role.
            named_by_user: true,
        }],
    };
    let (config_path, _) =
        crate::config::files::paths(ctx.env, &crate::config::files::system_home_of(ctx.env));
    let config_path = config_path.ok_or(ConfigureError::Unanswered {
        what: "config file (AWS_CONFIG_FILE is empty)",
        flag: "AWS_CONFIG_FILE",
    })?;
    let file = ConfigFile::open(&config_path.display().to_string(), ctx)?;
    let shown = file.path.display().to_string();
    let (text, report) = edit::merge(file.text.as_deref().unwrap_or_default(), &generated, false)
        .map_err(|source| DumpConfigError::Merge {
        path: shown,
        source,
    })?;
    if !report.repointed.is_empty()
        || report
            .hand_written
            .iter()
            .any(|h| h.starts_with(&format!("{profile_name} ")))
    {
        return Err(ConfigureError::ProfileTaken(profile_name).into());
    }
    file.write(&text, ctx)?;
    (ctx.stderr)(&format!(
        "Profile {profile_name} is set up. Try: aws-login getcallerid --profile {profile_name}"
    ));
    Ok(Output::default())
}
