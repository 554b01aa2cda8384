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

/// The services aws-login calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// AWS STS.
    Sts,
    /// The IAM Identity Center portal (GetRoleCredentials, ListAccounts...).
    Sso,
    /// IAM Identity Center OIDC (device and PKCE sign-in).
    SsoOidc,
    /// Amazon EC2.
    Ec2,
    /// AWS Systems Manager.
    Ssm,
    /// The console sign-in federation endpoint.
    Signin,
}

/// What aws-login knows of a service: one row per service (adding one is one edit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceInfo {
    /// The service.
    pub service: Service,
    /// The `<SERVICE>` of `AWS_ENDPOINT_URL_<SERVICE>` (the AWS CLI's service id, upper
    /// case, `-` and spaces as `_`).
    pub env_name: &'static str,
    /// The key of the service in a `[services NAME]` section.
    pub config_key: &'static str,
    /// The SigV4 signing name.
    pub signing_name: &'static str,
    /// The first label(s) of the default host name (`portal.sso.us-east-1.amazonaws.com`).
    pub host_prefix: &'static str,
}

/// Every service aws-login calls, one row each, in the order of [`Service`] (from each
/// service's endpoint rules and the AWS CLI's service ids).
pub const SERVICES: [ServiceInfo; 6] = [
    ServiceInfo {
        service: Service::Sts,
        env_name: "STS",
        config_key: "sts",
        signing_name: "sts",
        host_prefix: "sts",
    },
    ServiceInfo {
        service: Service::Sso,
        env_name: "SSO",
        config_key: "sso",
        signing_name: "awsssoportal",
        host_prefix: "portal.sso",
    },
    ServiceInfo {
        service: Service::SsoOidc,
        env_name: "SSO_OIDC",
        config_key: "sso_oidc",
        signing_name: "sso-oauth",
        host_prefix: "oidc",
    },
    ServiceInfo {
        service: Service::Ec2,
        env_name: "EC2",
        config_key: "ec2",
        signing_name: "ec2",
        host_prefix: "ec2",
    },
    ServiceInfo {
        service: Service::Ssm,
        env_name: "SSM",
        config_key: "ssm",
        signing_name: "ssm",
        host_prefix: "ssm",
    },
    ServiceInfo {
        service: Service::Signin,
        env_name: "SIGNIN",
        config_key: "signin",
        signing_name: "signin",
        host_prefix: "signin",
    },
];

impl Service {
    /// This service's row of [`SERVICES`] (rows are in the enum's order; a test checks).
    pub fn info(self) -> &'static ServiceInfo {
        &SERVICES[self as usize]
    }

    /// The `<SERVICE>` of `AWS_ENDPOINT_URL_<SERVICE>`.
    pub fn env_name(self) -> &'static str {
        self.info().env_name
    }

    /// The key of the service in a `[services NAME]` section.
    pub fn config_key(self) -> &'static str {
        self.info().config_key
    }

    /// The SigV4 signing name.
    pub fn signing_name(self) -> &'static str {
        self.info().signing_name
    }

    /// The first label(s) of the default host name.
    fn host_prefix(self) -> &'static str {
        self.info().host_prefix
    }
}

/// An AWS partition: a set of regions with their own DNS suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`...
    pub name: &'static str,
    /// `amazonaws.com`...
    pub dns_suffix: &'static str,
    /// The dual-stack suffix, where the partition has one.
    pub dual_stack_suffix: Option<&'static str>,
    /// The console sign-in host, where known.
    pub signin_host: Option<&'static str>,
    /// The console host, where known.
    pub console_host: Option<&'static str>,
}

const AWS: Partition = Partition {
    name: "aws",
    dns_suffix: "amazonaws.com",
    dual_stack_suffix: Some("api.aws"),
    signin_host: Some("signin.aws.amazon.com"),
    console_host: Some("console.aws.amazon.com"),
};

const PARTITIONS: [(&str, Partition); 7] = [
    (
        "cn-",
        Partition {
            name: "aws-cn",
            dns_suffix: "amazonaws.com.cn",
            dual_stack_suffix: Some("api.amazonwebservices.com.cn"),
            signin_host: Some("signin.amazonaws.cn"),
            console_host: Some("console.amazonaws.cn"),
        },
    ),
    (
        "us-gov-",
        Partition {
            name: "aws-us-gov",
            dns_suffix: "amazonaws.com",
            dual_stack_suffix: Some("api.aws"),
            signin_host: Some("signin.amazonaws-us-gov.com"),
            console_host: Some("console.amazonaws-us-gov.com"),
        },
    ),
    (
        "us-isob-",
        Partition {
            name: "aws-iso-b",
            dns_suffix: "sc2s.sgov.gov",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
        },
    ),
    (
        "us-isof-",
        Partition {
            name: "aws-iso-f",
            dns_suffix: "csp.hci.ic.gov",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
        },
    ),
    (
        "us-iso-",
        Partition {
            name: "aws-iso",
            dns_suffix: "c2s.ic.gov",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
        },
    ),
    (
        "eu-isoe-",
        Partition {
            name: "aws-iso-e",
            dns_suffix: "cloud.adc-e.uk",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
        },
    ),
    (
        "eusc-",
        Partition {
            name: "aws-eusc",
            dns_suffix: "amazonaws.eu",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
        },
    ),
];

/// The partition a region belongs to (`aws` for any region it does not recognise, as the
/// SDKs do).
pub fn partition_of(region: &str) -> Partition {
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or(AWS, |(_, p)| *p)
}

/// Regions that `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends to the global STS endpoint
/// (botocore's list).
pub const STS_LEGACY_GLOBAL_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

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
    if !scheme_ok || !host_ok || uri.query().is_some() || !crate::http::client::port_ok(&uri) {
        return Err(invalid());
    }
    Ok(url.trim_end_matches('/').to_owned())
}

fn check_region(region: &str) -> Result<(), EndpointError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_exactly_one_row() {
        for service in [
            Service::Sts,
            Service::Sso,
            Service::SsoOidc,
            Service::Ec2,
            Service::Ssm,
            Service::Signin,
        ] {
            let rows = SERVICES.iter().filter(|r| r.service == service).count();
            assert_eq!(rows, 1, "{service:?}");
            assert_eq!(service.info().service, service);
        }
    }

    #[test]
    fn service_comes_from_the_host() {
        assert_eq!(service_from_host("bucket.s3.us-west-2.amazonaws.com"), "s3");
        assert_eq!(service_from_host("s3-eu-west-1.amazonaws.com"), "s3");
        assert_eq!(service_from_host("sts.us-east-1.amazonaws.com"), "sts");
    }
    use std::collections::HashMap;

    fn map(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| m.get(k).cloned()
    }

    fn url(
        service: Service,
        region: Option<&str>,
        env: &[(&str, &str)],
        profile: &[(&str, &str)],
    ) -> String {
        let env = map(env);
        let profile = map(profile);
        let config = EndpointConfig::gather(region.map(str::to_owned), None, &env, &profile);
        match resolve(service, &config, &env, &|_| None) {
            Ok(Endpoint {
                refused: Some(e), ..
            }) => format!("refused: {e}"),
            Ok(e) => format!("{} {}", e.url, e.signing_region),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn default_endpoints_by_partition() {
        let none: &[(&str, &str)] = &[];
        let cases = [
            (
                Service::Sts,
                Some("eu-west-1"),
                "https://sts.eu-west-1.amazonaws.com eu-west-1",
            ),
            (Service::Sts, None, "https://sts.amazonaws.com us-east-1"),
            (
                Service::Sts,
                Some("cn-north-1"),
                "https://sts.cn-north-1.amazonaws.com.cn cn-north-1",
            ),
            (
                Service::Sts,
                Some("us-gov-west-1"),
                "https://sts.us-gov-west-1.amazonaws.com us-gov-west-1",
            ),
            (
                Service::Sts,
                Some("us-iso-east-1"),
                "https://sts.us-iso-east-1.c2s.ic.gov us-iso-east-1",
            ),
            (
                Service::Sts,
                Some("us-isob-east-1"),
                "https://sts.us-isob-east-1.sc2s.sgov.gov us-isob-east-1",
            ),
            (
                Service::Sso,
                Some("eu-central-1"),
                "https://portal.sso.eu-central-1.amazonaws.com eu-central-1",
            ),
            (
                Service::SsoOidc,
                Some("us-east-1"),
                "https://oidc.us-east-1.amazonaws.com us-east-1",
            ),
            (
                Service::Ec2,
                Some("ap-south-1"),
                "https://ec2.ap-south-1.amazonaws.com ap-south-1",
            ),
            (
                Service::Ssm,
                Some("us-west-2"),
                "https://ssm.us-west-2.amazonaws.com us-west-2",
            ),
            (
                Service::Signin,
                Some("eu-west-1"),
                "https://signin.aws.amazon.com eu-west-1",
            ),
            (
                Service::Signin,
                Some("cn-northwest-1"),
                "https://signin.amazonaws.cn cn-northwest-1",
            ),
            (
                Service::Signin,
                Some("us-gov-east-1"),
                "https://signin.amazonaws-us-gov.com us-gov-east-1",
            ),
        ];
        for (service, region, want) in cases {
            assert_eq!(
                url(service, region, none, none),
                want,
                "{service:?} {region:?}"
            );
        }
        assert!(url(Service::Ec2, None, none, none).starts_with("error: no region for EC2"));
        assert!(
            url(Service::Signin, Some("us-iso-east-1"), none, none)
                .contains("no console sign-in endpoint")
        );
        assert!(url(Service::Sts, Some("US_EAST"), none, none).contains("invalid region"));
    }

    #[test]
    fn fips_dual_stack_and_legacy_sts() {
        let fips = [("AWS_USE_FIPS_ENDPOINT", "true")];
        let dual = [("AWS_USE_DUALSTACK_ENDPOINT", "true")];
        let both = [
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "TRUE"),
        ];
        let none: &[(&str, &str)] = &[];
        assert_eq!(
            url(Service::Sts, Some("us-east-1"), &fips, none),
            "https://sts-fips.us-east-1.amazonaws.com us-east-1"
        );
        assert_eq!(
            url(Service::Ec2, Some("us-east-1"), &dual, none),
            "https://ec2.us-east-1.api.aws us-east-1"
        );
        assert_eq!(
            url(Service::Sts, Some("us-east-2"), &both, none),
            "https://sts-fips.us-east-2.api.aws us-east-2"
        );
        assert_eq!(
            url(Service::Sts, Some("cn-north-1"), &dual, none),
            "https://sts.cn-north-1.api.amazonwebservices.com.cn cn-north-1"
        );
        assert!(url(Service::Sts, Some("us-iso-east-1"), &dual, none).contains("no dual-stack"));
        assert_eq!(
            url(
                Service::Sts,
                Some("us-west-2"),
                none,
                &[("use_fips_endpoint", "true")]
            ),
            "https://sts-fips.us-west-2.amazonaws.com us-west-2"
        );
        let legacy = [("AWS_STS_REGIONAL_ENDPOINTS", "legacy")];
        assert_eq!(
            url(Service::Sts, Some("eu-west-1"), &legacy, none),
            "https://sts.amazonaws.com us-east-1"
        );
        assert_eq!(
            url(Service::Sts, Some("af-south-1"), &legacy, none),
            "https://sts.af-south-1.amazonaws.com af-south-1"
        );
        assert_eq!(
            url(
                Service::Sts,
                Some("eu-west-1"),
                none,
                &[("sts_regional_endpoints", "legacy")]
            ),
            "https://sts.amazonaws.com us-east-1"
        );
        assert_eq!(
            url(
                Service::Sts,
                Some("eu-west-1"),
                &[("AWS_STS_REGIONAL_ENDPOINTS", "regional")],
                &[("sts_regional_endpoints", "legacy")]
            ),
            "https://sts.eu-west-1.amazonaws.com eu-west-1"
        );
        // botocore's rule: exactly `legacy` or `regional`; anything else is an error for
        // STS, an endpoint override included; empty is unset.
        for bad in ["Legacy", "global", "regional ", "true"] {
            for (env, profile) in [
                (vec![("AWS_STS_REGIONAL_ENDPOINTS", bad)], vec![]),
                (vec![], vec![("sts_regional_endpoints", bad)]),
                (
                    vec![
                        ("AWS_STS_REGIONAL_ENDPOINTS", bad),
                        ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"),
                    ],
                    vec![],
                ),
            ] {
                let got = url(Service::Sts, Some("eu-west-1"), &env, &profile);
                assert!(
                    got.contains("must be \"legacy\" or \"regional\""),
                    "{bad:?}: {got}"
                );
            }
            assert!(
                url(
                    Service::Ec2,
                    Some("eu-west-1"),
                    &[("AWS_STS_REGIONAL_ENDPOINTS", bad)],
                    none
                )
                .starts_with("https://ec2."),
                "only STS reads it"
            );
        }
        assert_eq!(
            url(
                Service::Sts,
                Some("eu-west-1"),
                &[("AWS_STS_REGIONAL_ENDPOINTS", "")],
                none
            ),
            "https://sts.eu-west-1.amazonaws.com eu-west-1"
        );
    }

    /// The AWS CLI's own precedence table (tests/functional/configured_endpoint_urls).
    #[test]
    fn override_precedence_matches_the_aws_cli() {
        let env_all = map(&[
            ("AWS_ENDPOINT_URL_STS", "https://sts-env.example"),
            ("AWS_ENDPOINT_URL", "https://global-env.example/"),
        ]);
        let services = |k: &str| (k == "sts").then(|| "http://127.0.0.1:4566".to_owned());
        let base = EndpointConfig {
            region: Some("eu-west-1".into()),
            flag_url: Some("http://localhost:5000".into()),
            env_url: env_all("AWS_ENDPOINT_URL"),
            profile_url: Some("https://profile.example".into()),
            ..EndpointConfig::default()
        };
        let resolve_with = |config: &EndpointConfig,
                            env: &dyn Fn(&str) -> Option<String>,
                            services: &dyn Fn(&str) -> Option<String>| {
            resolve(Service::Sts, config, env, services).map(|e| (e.url, e.source))
        };
        let mut config = base.clone();
        assert_eq!(
            resolve_with(&config, &env_all, &services),
            Ok(("http://localhost:5000".into(), EndpointSource::Flag))
        );
        config.flag_url = None;
        assert_eq!(
            resolve_with(&config, &env_all, &services),
            Ok(("https://sts-env.example".into(), EndpointSource::ServiceEnv))
        );
        let only_global = map(&[("AWS_ENDPOINT_URL", "https://global-env.example/")]);
        assert_eq!(
            resolve_with(&config, &only_global, &services),
            Ok((
                "https://global-env.example".into(),
                EndpointSource::GlobalEnv
            ))
        );
        config.env_url = None;
        assert_eq!(
            resolve_with(&config, &|_| None, &services),
            Ok((
                "http://127.0.0.1:4566".into(),
                EndpointSource::ServiceConfig
            ))
        );
        assert_eq!(
            resolve_with(&config, &|_| None, &|_| None),
            Ok((
                "https://profile.example".into(),
                EndpointSource::GlobalConfig
            ))
        );
        let mut ignored = base.clone();
        ignored.ignore_configured = true;
        assert_eq!(
            resolve_with(&ignored, &env_all, &services),
            Ok(("http://localhost:5000".into(), EndpointSource::Flag))
        );
        ignored.flag_url = None;
        assert_eq!(
            resolve_with(&ignored, &env_all, &services),
            Ok((
                "https://sts.eu-west-1.amazonaws.com".into(),
                EndpointSource::Default
            ))
        );
        let env_ignore = map(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]);
        let gathered =
            EndpointConfig::gather(Some("eu-west-1".into()), None, &env_ignore, &|_| None);
        assert!(gathered.ignore_configured);
    }

    #[test]
    fn bad_override_urls_name_their_source() {
        for bad in [
            "localhost:4566",
            "ftp://x",
            "https://",
            "https://h/?q=1",
            "not a url",
        ] {
            let config = EndpointConfig {
                flag_url: Some(bad.into()),
                ..EndpointConfig::default()
            };
            let err = resolve(Service::Sts, &config, &|_| None, &|_| None).unwrap_err();
            assert!(err.to_string().contains("--endpoint-url"), "{bad}: {err}");
        }
        // A password in a URL that is refused is not shown.
        let config = EndpointConfig {
            flag_url: Some("https://u:SECRETPW@[bad".into()),
            ..EndpointConfig::default()
        };
        let err = resolve(Service::Sts, &config, &|_| None, &|_| None).unwrap_err();
        assert!(
            !err.to_string().contains("SECRETPW") && err.to_string().contains("<redacted>"),
            "{err}"
        );
    }
}
