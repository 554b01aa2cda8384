//! The transport's own settings and errors, without a server.

use super::*;

#[test]
fn ports_outside_1_to_65535_are_refused() {
    for (url, ok) in [
        ("http://h", true),
        ("http://h:1/", true),
        ("http://h:65535", true),
        ("http://u:p@h:8080", true),
        ("http://[::1]:8080/", true),
        ("http://[::1]/", true),
        ("http://h:99999/", false),
        ("http://h:65536", false),
        ("http://h:0", false),
        ("http://h:", false),
        ("http://u:p@h:", false),
        ("http://[::1]:/", false),
        ("http://[::1]:70000", false),
        ("http://h:+80", false),
        ("http://h:-1", false),
    ] {
        let uri: Uri = url.parse().unwrap();
        assert_eq!(port_ok(&uri), ok, "{url}");
    }
}

#[test]
fn metadata_and_loopback_hosts_are_never_proxied() {
    for host in [
        "127.0.0.1",
        "127.8.9.10",
        "localhost",
        "[::1]",
        "169.254.169.254",
        "169.254.170.2",
        "169.254.170.23",
        "[fd00:ec2::254]",
        "[fd00:ec2::23]",
    ] {
        assert!(never_proxied(host), "{host}");
    }
    for host in ["sts.amazonaws.com", "10.0.0.1", "[fd00:ec2::1]", "8.8.8.8"] {
        assert!(!never_proxied(host), "{host}");
    }
}

#[test]
fn proxy_credentials_and_query_strings_are_redacted() {
    assert_eq!(
        redact_userinfo("http://user:pw@proxy:3128"),
        "http://<redacted>@proxy:3128"
    );
    assert_eq!(redact_userinfo("http://proxy:3128"), "http://proxy:3128");
    let uri: Uri = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=SECRET"
        .parse()
        .unwrap();
    assert_eq!(
        redact_query(&uri),
        "https://signin.aws.amazon.com/federation?<redacted>"
    );
    let cfg = ProxyConfig::from_env(&|k| {
        (k == "https_proxy").then(|| "http://u:p@proxy:8080".to_owned())
    });
    assert_eq!(cfg.https.as_deref(), Some("http://u:p@proxy:8080"));
    assert!(!format!("{cfg:?}").contains("u:p"));
}

#[test]
fn a_bundle_without_certificates_is_an_error() {
    let config = TransportConfig {
        extra_ca_pem: Some(b"not a certificate".to_vec()),
        system_roots: false,
        ..TransportConfig::default()
    };
    assert!(matches!(
        extra_roots(&config),
        Err(TransportError::CaBundle(_))
    ));
}
