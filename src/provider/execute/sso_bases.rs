//! The SSO bases: a profile's (the cached token, refreshed when due) and the command
//! line's (`--sso-acct-id`/`--sso-role-name` with a token from a sign-in, a flag, a file
//! or the cache); both end in GetRoleCredentials on the region's portal.

use super::{ExecuteError, Executor};
use crate::credentials::Credentials;
use crate::endpoints::{self, Endpoint, EndpointConfig, Service};
use crate::provider::plan::{SsoFlagSource, SsoSource};
use crate::services::sso;

/// An SSO access token ready to use, from [`Executor::sso_token`].
pub struct SsoToken {
    /// The access token (a secret).
    pub access_token: crate::secret::SecretString,
    /// The Identity Center region it is for.
    pub region: String,
    /// The start URL it was signed in at, when known.
    pub start_url: Option<String>,
    /// The portal's endpoint in that region.
    pub portal: Endpoint,
}

impl Executor<'_, '_> {
    /// SSO: the AWS CLI's cached token for the source's session (or start URL), then
    /// GetRoleCredentials on the portal of its region.
    pub(super) async fn sso(&self, source: &SsoSource) -> Result<Credentials, ExecuteError> {
        let home_of = crate::config::files::system_home_of(self.env);
        let dir = crate::config::files::expand_user("~/.aws/sso/cache", &home_of)
            .ok_or(ExecuteError::NoHome)?;
        let path = crate::provider::sso_token_cache::cache_path(&dir, source.cache_key());
        let section = self.shared.profile(&source.profile);
        let lookup = |k: &str| {
            section
                .and_then(|s| s.get(k))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let endpoint_config =
            EndpointConfig::gather(Some(source.region.clone()), None, self.env, &lookup);
        let services = |k: &str| self.shared.service_endpoint(&source.profile, k);
        let endpoint = endpoints::resolve(Service::Sso, &endpoint_config, self.env, &services)
            .map_err(ExecuteError::Endpoint)?;
        let oidc = endpoints::resolve(Service::SsoOidc, &endpoint_config, self.env, &services)
            .map_err(ExecuteError::Endpoint)?;
        let refresher = crate::provider::sso_token::Refresher {
            caller: self.caller,
            oidc: &oidc,
            sleep: &crate::time::TokioSleep,
            trace: self.trace,
            warn: self.warn,
        };
        let token = refresher
            .access_token(&path, self.sso_refresh)
            .await
            .map_err(|e| ExecuteError::SsoToken {
                profile: source.profile.clone(),
                source: e,
            })?;
        sso::get_role_credentials(
            self.caller,
            &endpoint,
            &token,
            &source.account_id,
            &source.role_name,
        )
        .await
        .map_err(|e| {
            ExecuteError::call(
                format!(
                    "SSO GetRoleCredentials for {}/{} (profile {:?})",
                    source.account_id, source.role_name, source.profile
                ),
                e,
            )
        })
    }

    /// The portal and OIDC endpoints of an Identity Center region (the selected
    /// profile's `services` section and `AWS_ENDPOINT_URL_*` apply).
    fn sso_endpoints(&self, region: &str) -> Result<(Endpoint, Endpoint), ExecuteError> {
        let lookup = |k: &str| {
            self.profile
                .and_then(|s| s.get(k))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let config = EndpointConfig::gather(Some(region.to_owned()), None, self.env, &lookup);
        let none = |_: &str| None;
        let portal = endpoints::resolve(Service::Sso, &config, self.env, &none)
            .map_err(ExecuteError::Endpoint)?;
        let oidc = endpoints::resolve(Service::SsoOidc, &config, self.env, &none)
            .map_err(ExecuteError::Endpoint)?;
        Ok((portal, oidc))
    }

    /// The SSO role of the command line: its token from where the flags say, then
    /// GetRoleCredentials.
    pub(super) async fn sso_flags(
        &self,
        source: &SsoFlagSource,
    ) -> Result<Credentials, ExecuteError> {
        let token = self.sso_token(&source.token, source.region.clone()).await?;
        sso::get_role_credentials(
            self.caller,
            &token.portal,
            &token.access_token,
            &source.account_id,
            &source.role_name,
        )
        .await
        .map_err(|e| {
            ExecuteError::call(
                format!(
                    "SSO GetRoleCredentials for {}/{}",
                    source.account_id, source.role_name
                ),
                e,
            )
        })
    }

    /// An access token from where the command line's flags say (a sign-in, `--sso-access-token`,
    /// `--accesstoken-cache`, the shared cache), with the Identity Center region it is for
    /// (`flag_region`, else the cached token's, else `us-east-1`), the start URL when known
    /// and the portal's endpoint.
    pub async fn sso_token(
        &self,
        source: &crate::provider::plan::SsoTokenSource,
        flag_region: Option<String>,
    ) -> Result<SsoToken, ExecuteError> {
        use crate::provider::plan::SsoTokenSource;
        let home_of = crate::config::files::system_home_of(self.env);
        let dir = || {
            crate::config::files::expand_user("~/.aws/sso/cache", &home_of)
                .ok_or(ExecuteError::NoHome)
        };
        let default_region = || {
            flag_region
                .clone()
                .unwrap_or_else(|| "us-east-1".to_owned())
        };
        let refresher = |oidc| crate::provider::sso_token::Refresher {
            caller: self.caller,
            oidc,
            sleep: &crate::time::TokioSleep,
            trace: self.trace,
            warn: self.warn,
        };
        let token_error = |from: String| move |source| ExecuteError::SsoFlagToken { from, source };
        let (token, region, start_url) = match source {
            SsoTokenSource::Given(token) => (token.clone(), default_region(), None),
            SsoTokenSource::File(path) => {
                // The file's region, unless --sso-region says otherwise.
                let cached = crate::provider::sso_token_cache::load(path).ok();
                let start_url = cached.as_ref().and_then(|t| t.start_url.clone());
                let region = flag_region
                    .clone()
                    .or_else(|| cached.and_then(|t| t.region))
                    .unwrap_or_else(default_region);
                let (_, oidc) = self.sso_endpoints(&region)?;
                let (_, token) = refresher(&oidc)
                    .access_token_in_memory(path, self.sso_refresh)
                    .await
                    .map_err(token_error(format!(
                        "--accesstoken-cache {}",
                        path.display()
                    )))?;
                (token, region, start_url)
            }
            SsoTokenSource::Cache => {
                let (path, cached) = newest_sign_in(&dir()?)?;
                let start_url = cached.start_url.clone();
                let region = flag_region
                    .clone()
                    .or(cached.region)
                    .unwrap_or_else(default_region);
                let (_, oidc) = self.sso_endpoints(&region)?;
                let token = refresher(&oidc)
                    .access_token(&path, self.sso_refresh)
                    .await
                    .map_err(token_error("the SSO cache (--use-cache)".to_owned()))?;
                (token, region, start_url)
            }
            SsoTokenSource::SignIn { start_url, store } => {
                let region = default_region();
                let (_, oidc) = self.sso_endpoints(&region)?;
                let dir = dir()?;
                let path = crate::provider::sso_token_cache::cache_path(&dir, start_url);
                // With --use-cache, a cached sign-in (refreshed when due) spares a new one.
                let cached = if *store && path.exists() {
                    refresher(&oidc)
                        .access_token(&path, self.sso_refresh)
                        .await
                        .ok()
                } else {
                    None
                };
                let token = match cached {
                    Some(token) => token,
                    None => {
                        let kit = self.sign_in.ok_or(ExecuteError::SignInNeeded)?;
                        let target = crate::sso::login::Target {
                            start_url: start_url.clone(),
                            region: region.clone(),
                            session_name: None,
                            scopes: None,
                            no_refresh_token: kit.no_refresh_token,
                        };
                        let login = crate::sso::login::Login {
                            caller: self.caller,
                            oidc: &oidc,
                            cache_dir: &dir,
                            sleep: &crate::time::TokioSleep,
                            random: kit.random,
                            ui: kit.ui,
                            trace: self.trace,
                        };
                        let signed_in = if *store {
                            login.sign_in(&target, kit.flow, false).await
                        } else {
                            login.sign_in_stateless(&target, kit.flow).await
                        };
                        signed_in.map_err(ExecuteError::SsoSignIn)?.access_token
                    }
                };
                (token, region, Some(start_url.clone()))
            }
        };
        let (portal, _) = self.sso_endpoints(&region)?;
        Ok(SsoToken {
            access_token: token,
            region,
            start_url,
            portal,
        })
    }
}

/// The one sign-in the shared cache holds (`--use-cache` without `--start-url`): the
/// newest file with a start URL, when every such file is for the same start URL.
fn newest_sign_in(
    dir: &std::path::Path,
) -> Result<
    (
        std::path::PathBuf,
        crate::provider::sso_token_cache::CachedToken,
    ),
    ExecuteError,
> {
    let mut found: Vec<(
        std::time::SystemTime,
        std::path::PathBuf,
        crate::provider::sso_token_cache::CachedToken,
    )> = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let Ok(token) = crate::provider::sso_token_cache::load(&path) else {
            continue;
        };
        if token.start_url.is_none() {
            continue;
        }
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        found.push((modified, path, token));
    }
    let mut urls: Vec<String> = found
        .iter()
        .filter_map(|(_, _, t)| t.start_url.clone())
        .collect();
    urls.sort();
    urls.dedup();
    match urls.len() {
        0 => Err(ExecuteError::NoCachedSignIn),
        1 => found
            .into_iter()
            .max_by_key(|(modified, _, _)| *modified)
            .map(|(_, path, token)| (path, token))
            .ok_or(ExecuteError::NoCachedSignIn),
        _ => Err(ExecuteError::SeveralCachedSignIns(urls)),
    }
}
