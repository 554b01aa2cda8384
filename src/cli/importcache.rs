//! `aws-login importcache --accesstoken-cache file://PATH`: copies an SSO token cache file
//! (one `aws sso login` wrote, say) into the shared cache under the name aws-login and
//! the AWS CLI look it up by: the SHA-1 of `--sso-session-name` when given, else of the
//! file's `startUrl` (or `--start-url`). The file must be a token: a JSON object with an
//! `accessToken` and a valid `expiresAt` (what botocore requires); anything else is
//! refused with the reason, never with its content. Written atomically, mode 0600.

use argh::FromArgs;

use super::{CliError, Context, Output};
use crate::provider::sso_token_cache::{self, CacheProblem, CachedToken};

/// The largest file taken (a token file is a few kilobytes).
pub const MAX_BYTES: u64 = 1024 * 1024;

/// copy an SSO token cache file into the shared cache (~/.aws/sso/cache)
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "importcache",
    example = "{command_name} --accesstoken-cache file://$(ls -t ~/.aws/sso/cache/*.json | head -1)"
)]
pub struct ImportCacheArgs {
    /// the file to import (file://PATH, or a path)
    #[argh(option)]
    pub accesstoken_cache: String,
    /// the start URL to file it under when the file has no startUrl
    #[argh(option)]
    pub start_url: Option<String>,
    /// file it under this sso-session name (as `aws sso login --sso-session` does)
    #[argh(option)]
    pub sso_session_name: Option<String>,
}

/// Runs `importcache`.
pub fn run(args: &ImportCacheArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let path = args
        .accesstoken_cache
        .strip_prefix("file://")
        .unwrap_or(&args.accesstoken_cache);
    let path = std::path::Path::new(path);
    let invalid = |problem| CliError::Import {
        path: path.display().to_string(),
        problem,
    };
    let unreadable = |source| CliError::File {
        what: "the token cache file to import".into(),
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() || meta.len() > MAX_BYTES {
        return Err(invalid(CacheProblem::NotATokenFile));
    }
    let text = std::fs::read_to_string(path).map_err(unreadable)?;
    let token = CachedToken::parse(&text).map_err(invalid)?;
    if token.expires_at <= ctx.clock.now() && !token.refreshable(ctx.clock.now()) {
        return Err(invalid(CacheProblem::ExpiredForGood));
    }
    // Filed under a session the config names, it must be that session's sign-in.
    if let Some(name) = &args.sso_session_name {
        let shared = crate::config::files::load(ctx.env);
        if let Some(configured) = shared
            .sso_sessions
            .get(name)
            .and_then(|s| s.get("sso_start_url"))
            .map(str::trim)
            && let Some(url) = token.start_url.as_deref().or(args.start_url.as_deref())
            && url != configured
        {
            return Err(invalid(CacheProblem::OtherStartUrl));
        }
    }
    let key = match (&args.sso_session_name, &token.start_url, &args.start_url) {
        (Some(session), _, _) => session.clone(),
        (None, Some(url), _) | (None, None, Some(url)) => url.clone(),
        (None, None, None) => return Err(invalid(CacheProblem::NoStartUrl)),
    };
    let token = CachedToken {
        start_url: token.start_url.clone().or_else(|| args.start_url.clone()),
        ..token
    };
    let dir = super::sso::cache_dir(ctx)?;
    let target = sso_token_cache::cache_path(&dir, &key);
    sso_token_cache::store(&target, &token).map_err(|source| CliError::WriteFile {
        what: "the SSO token cache".into(),
        path: target.display().to_string(),
        source,
    })?;
    let refreshable = if token.refreshable(ctx.clock.now()) {
        "refreshable"
    } else {
        "not refreshable"
    };
    Ok(Output {
        stderr: format!(
            "Imported into {} (token valid until {}, {refreshable}).",
            target.display(),
            sso_token_cache::document::format_time(token.expires_at)
        ),
        ..Output::default()
    })
}
