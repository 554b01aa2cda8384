//! Endpoint resolution against the AWS CLI's precedence and each partition's names.

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
    let gathered = EndpointConfig::gather(Some("eu-west-1".into()), None, &env_ignore, &|_| None);
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
