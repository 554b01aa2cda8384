//! Where each service lives: the endpoint URL and signing region for STS, SSO, SSO-OIDC,
//! EC2, SSM and the console sign-in federation endpoint, from the region, the partition,
//! FIPS and dual-stack settings, and the user's overrides.
//!
//! Override precedence is the AWS CLI's: `--endpoint-url`, then
//! `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the profile's `[services]`
//! entry, then the profile's `endpoint_url`; `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the
//! profile's `ignore_configured_endpoint_urls`) switches off all but the flag. Default
//! endpoints are always `https://`; `http://` only ever comes from an explicit override.
//!
//! Pure: environment and profile values come in through lookups.

use std::fmt;

pub mod infer;
mod partitions;
mod services;
#[cfg(test)]
mod tests;

pub use partitions::{Partition, STS_LEGACY_GLOBAL_REGIONS, partition_named, partition_of};
pub use services::{SERVICES, Service, ServiceInfo};

/// Where an endpoint came from (shown by `--debug`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointSource {
    /// `--endpoint-url`.
    Flag,
    /// `AWS_ENDPOINT_URL_<SERVICE>`.
    ServiceEnv,
    /// `AWS_ENDPOINT_URL`.
    GlobalEnv,
    /// The profile's `[services]` section.
    ServiceConfig,
    /// The profile's `endpoint_url`.
    GlobalConfig,
    /// The partition's default.
    Default,
}

impl fmt::Display for EndpointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Flag => "--endpoint-url",
            Self::ServiceEnv => "AWS_ENDPOINT_URL_<SERVICE>",
            Self::GlobalEnv => "AWS_ENDPOINT_URL",
            Self::ServiceConfig => "the profile's services section",
            Self::GlobalConfig => "the profile's endpoint_url",
            Self::Default => "the default for the region",
        })
    }
}

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port][/path]`, without a trailing slash.
    pub url: String,
    /// The region to sign for.
    pub signing_region: String,
    /// Where the URL came from.
    pub source: EndpointSource,
    /// Why no request may be sent there, found when resolving but only an error when a
    /// request is made (botocore raises an invalid `AWS_STS_REGIONAL_ENDPOINTS` only when
    /// it creates an STS client, so a command that needs no STS call is not stopped).
    pub refused: Option<EndpointError>,
}

/// Why no endpoint could be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// An override is not an `http(s)://host` URL.
    InvalidUrl {
        /// Where it came from.
        source: EndpointSource,
        /// The URL as given.
        url: String,
    },
    /// The service needs a region and none is known.
    NoRegion(Service),
    /// The region is not a valid region name.
    InvalidRegion(String),
    /// `AWS_STS_REGIONAL_ENDPOINTS` / `sts_regional_endpoints` is neither `legacy` nor
    /// `regional`.
    InvalidStsRegionalEndpoints(String),
    /// The partition has no such variant of the endpoint (dual-stack in an ISO region,
    /// the console outside the known partitions).
    Unsupported {
        /// The service.
        service: Service,
        /// The partition.
        partition: &'static str,
        /// What is missing.
        what: &'static str,
    },
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUrl { source, url } => {
                write!(
                    f,
                    "invalid endpoint URL {:?} from {source}: expected http(s)://host[:port][/path], the port 1-65535",
                    crate::secret::redact_userinfo(url)
                )
            }
            Self::NoRegion(s) => write!(
                f,
                "no region for {}: pass --region, or set AWS_REGION or the profile's region",
                s.env_name()
            ),
            Self::InvalidRegion(r) => write!(
                f,
                "invalid region {r:?}{}",
                if r.contains('\n') {
                    " (it goes on over the indented lines below it in the shared files: an indented line continues the value above it)"
                } else if r.contains([' ', '#', ';']) {
                    " (if it comes from a shared file: there are no comments after a value there, as the AWS CLI reads them; put a comment on a line of its own)"
                } else {
                    ""
                }
            ),
            Self::InvalidStsRegionalEndpoints(v) => write!(
                f,
                "AWS_STS_REGIONAL_ENDPOINTS (or sts_regional_endpoints) is {v:?}: it must be \"legacy\" or \"regional\""
            ),
            Self::Unsupported {
                service,
                partition,
                what,
            } => write!(
                f,
                "{} has no {what} endpoint in partition {partition}; set AWS_ENDPOINT_URL_{}",
                service.env_name(),
                service.env_name()
            ),
        }
    }
}

impl EndpointError {
    /// Its kind: always a usage error (a setting that cannot work; nothing was sent).
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        crate::error_kind::ErrorKind::Usage
    }
}

impl std::error::Error for EndpointError {}

/// STS endpoint style (`AWS_STS_REGIONAL_ENDPOINTS`, profile `sts_regional_endpoints`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StsEndpoints {
    /// `sts.<region>.amazonaws.com` (the default).
    #[default]
    Regional,
    /// The global `sts.amazonaws.com` for the legacy regions.
    Legacy,
}

/// The settings endpoint resolution reads, already gathered from flags, environment and
/// profile.
#[derive(Debug, Clone, Default)]
pub struct EndpointConfig {
    /// The region (`--region`, `AWS_REGION`, profile...).
    pub region: Option<String>,
    /// `--endpoint-url`.
    pub flag_url: Option<String>,
    /// `AWS_ENDPOINT_URL`.
    pub env_url: Option<String>,
    /// The profile's `endpoint_url`.
    pub profile_url: Option<String>,
    /// Ignore every configured endpoint but the flag.
    pub ignore_configured: bool,
    /// `AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`.
    pub use_fips: bool,
    /// `AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`.
    pub use_dual_stack: bool,
    /// `AWS_STS_REGIONAL_ENDPOINTS` / `sts_regional_endpoints`.
    pub sts: StsEndpoints,
    /// That setting's value when it is neither `legacy` nor `regional` (an error for STS,
    /// as in botocore).
    pub invalid_sts_endpoints: Option<String>,
}

fn truthy(value: Option<String>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl EndpointConfig {
    /// Gathers the settings from the environment (which wins) and the profile.
    pub fn gather(
        region: Option<String>,
        flag_url: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
        profile: &dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let either = |env_name: &str, key: &str| {
            non_empty(env(env_name)).or_else(|| non_empty(profile(key)))
        };
        // botocore takes this one exactly as written: `legacy` or `regional`, nothing else
        // (not `Legacy`, not with spaces); empty counts as unset.
        let sts_setting = env("AWS_STS_REGIONAL_ENDPOINTS")
            .filter(|v| !v.is_empty())
            .or_else(|| profile("sts_regional_endpoints").filter(|v| !v.is_empty()));
        Self {
            region: non_empty(region),
            flag_url: non_empty(flag_url),
            env_url: non_empty(env("AWS_ENDPOINT_URL")),
            profile_url: non_empty(profile("endpoint_url")),
            ignore_configured: truthy(either(
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                "ignore_configured_endpoint_urls",
            )),
            use_fips: truthy(either("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")),
            use_dual_stack: truthy(either(
                "AWS_USE_DUALSTACK_ENDPOINT",
                "use_dualstack_endpoint",
            )),
            sts: match sts_setting.as_deref() {
                Some("legacy") => StsEndpoints::Legacy,
                _ => StsEndpoints::Regional,
            },
            invalid_sts_endpoints: sts_setting
                .filter(|v| !matches!(v.as_str(), "legacy" | "regional")),
        }
    }
}

/// The signing name of the service a host belongs to (what `presign` signs for): `s3`
/// for S3 hosts (`bucket.s3.region...`, `s3-region...`), else the first label
/// (`sts.us-east-1.amazonaws.com` is `sts`).
pub fn service_from_host(host: &str) -> &str {
    if host.split('.').any(|l| l == "s3" || l.starts_with("s3-")) {
        "s3"
    } else {
        host.split('.').next().unwrap_or(host)
    }
}

/// Checks an override URL and drops a trailing `/`.
fn check_url(source: EndpointSource, url: &str) -> Result<String, EndpointError> {
    let invalid = || EndpointError::InvalidUrl {
        source,
        url: url.to_owned(),
    };
    let uri: hyper::Uri = url.parse().map_err(|_| invalid())?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    // A fragment is never sent: an endpoint with one is a mistake, not a path.
    let fragment = url.contains('#');
    if !scheme_ok
        || !host_ok
        || fragment
        || uri.query().is_some()
        || !crate::http::client::port_ok(&uri)
    {
        return Err(invalid());
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Checks that `region` can be a region: a DNS label of lower-case letters, digits and `-` (at
/// most 63 characters), so it cannot move an endpoint to another host. Errors:
/// [`EndpointError`] naming the region.
pub fn check_region(region: &str) -> Result<(), EndpointError> {
    let ok = !region.is_empty()
        && region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(EndpointError::InvalidRegion(region.to_owned()))
    }
}

/// Resolves the endpoint of `service`. `env` and `services_section` look up
/// `AWS_ENDPOINT_URL_<SERVICE>` and the profile's `[services]` entry for the service.
pub fn resolve(
    service: Service,
    config: &EndpointConfig,
    env: &dyn Fn(&str) -> Option<String>,
    services_section: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, EndpointError> {
    let mut endpoint = resolve_url(service, config, env, services_section)?;
    if service == Service::Sts
        && let Some(value) = &config.invalid_sts_endpoints
    {
        endpoint.refused = Some(EndpointError::InvalidStsRegionalEndpoints(value.clone()));
    }
    Ok(endpoint)
}

fn resolve_url(
    service: Service,
    config: &EndpointConfig,
    env: &dyn Fn(&str) -> Option<String>,
    services_section: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, EndpointError> {
    let signing_region = config
        .region
        .clone()
        .unwrap_or_else(|| "us-east-1".to_owned());
    if let Some(region) = &config.region {
        check_region(region)?;
    }
    let mut overrides = vec![(EndpointSource::Flag, config.flag_url.clone())];
    if !config.ignore_configured {
        overrides.extend([
            (
                EndpointSource::ServiceEnv,
                non_empty(env(&format!("AWS_ENDPOINT_URL_{}", service.env_name()))),
            ),
            (EndpointSource::GlobalEnv, config.env_url.clone()),
            (
                EndpointSource::ServiceConfig,
                non_empty(services_section(service.config_key())),
            ),
            (EndpointSource::GlobalConfig, config.profile_url.clone()),
        ]);
    }
    if let Some((source, url)) = overrides
        .into_iter()
        .find_map(|(source, url)| url.map(|u| (source, u)))
    {
        return Ok(Endpoint {
            url: check_url(source, &url)?,
            signing_region,
            source,
            refused: None,
        });
    }
    default_endpoint(service, config)
}

fn default_endpoint(service: Service, config: &EndpointConfig) -> Result<Endpoint, EndpointError> {
    let endpoint = |url: String, signing_region: &str| Endpoint {
        url,
        signing_region: signing_region.to_owned(),
        source: EndpointSource::Default,
        refused: None,
    };
    let region = config.region.as_deref();
    if service == Service::Signin {
        let partition = partition_of(region.unwrap_or("us-east-1"));
        let host = partition.signin_host.ok_or(EndpointError::Unsupported {
            service,
            partition: partition.name,
            what: "console sign-in",
        })?;
        return Ok(endpoint(
            format!("https://{host}"),
            region.unwrap_or("us-east-1"),
        ));
    }
    let plain = !config.use_fips && !config.use_dual_stack;
    if service == Service::Sts && plain {
        match region {
            None | Some("aws-global") => {
                return Ok(endpoint(
                    "https://sts.amazonaws.com".to_owned(),
                    "us-east-1",
                ));
            }
            Some(r)
                if config.sts == StsEndpoints::Legacy && STS_LEGACY_GLOBAL_REGIONS.contains(&r) =>
            {
                return Ok(endpoint(
                    "https://sts.amazonaws.com".to_owned(),
                    "us-east-1",
                ));
            }
            _ => {}
        }
    }
    let region = region.ok_or(EndpointError::NoRegion(service))?;
    let partition = partition_of(region);
    let suffix = if config.use_dual_stack {
        partition
            .dual_stack_suffix
            .ok_or(EndpointError::Unsupported {
                service,
                partition: partition.name,
                what: "dual-stack",
            })?
    } else {
        partition.dns_suffix
    };
    let fips = if config.use_fips { "-fips" } else { "" };
    Ok(endpoint(
        format!("https://{}{fips}.{region}.{suffix}", service.host_prefix()),
        region,
    ))
}
