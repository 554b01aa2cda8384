//! `aws-login presign URL`: prints a presigned URL for URL, signed with the credentials in
//! the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
//!
//! It sends nothing. The full credential chain (profiles, SSO, IMDS...) is not read here
//! yet; that comes with the chain.

use std::fmt;

use argh::FromArgs;
use chrono::{DateTime, Utc};

use super::{EnvLookup, Output};
use crate::sigv4::{Payload, SignableRequest, SigningError, SigningParams, SigningSettings, sign};

/// print a presigned URL for URL, signed with the credentials in the environment
#[derive(FromArgs, Debug, PartialEq)]
#[argh(
    subcommand,
    name = "presign",
    example = "{command_name} https://examplebucket.s3.amazonaws.com/report.csv --expires-in 3600",
    example = "{command_name} --method PUT --region eu-west-1 https://examplebucket.s3.eu-west-1.amazonaws.com/upload.bin"
)]
pub struct PresignArgs {
    /// the https:// (or http://) URL to presign, percent-encoded as it will be sent
    #[argh(positional)]
    pub url: String,

    /// the HTTP method the URL is for (default GET)
    #[argh(option, default = "String::from(\"GET\")")]
    pub method: String,

    /// how long the URL stays valid, in seconds, 1 to 604800 (default 3600)
    #[argh(option, default = "3600")]
    pub expires_in: u64,

    /// the signing region (default: AWS_REGION, then AWS_DEFAULT_REGION)
    #[argh(option)]
    pub region: Option<String>,

    /// the signing service (default: s3 for S3 hosts, else the host's first label)
    #[argh(option)]
    pub service: Option<String>,

    /// sign as of this RFC 3339 time instead of now (for reproducible URLs)
    #[argh(option)]
    pub signing_time: Option<String>,

    /// print the canonical request and string to sign to stderr (token redacted)
    #[argh(switch)]
    pub verbose: bool,
}

/// Why no URL could be presigned.
#[derive(Debug)]
#[non_exhaustive]
pub enum PresignError {
    /// `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` is not set.
    MissingCredentials,
    /// No `--region`, `AWS_REGION` or `AWS_DEFAULT_REGION`.
    MissingRegion,
    /// The URL does not parse or has no host.
    InvalidUrl(String),
    /// `--signing-time` is not RFC 3339.
    InvalidSigningTime(String),
    /// The signer refused the request.
    Signing(SigningError),
}

impl fmt::Display for PresignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingCredentials => f.write_str(
                "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)",
            ),
            Self::MissingRegion => {
                f.write_str("no region: pass --region or set AWS_REGION")
            }
            Self::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            Self::InvalidSigningTime(t) => {
                write!(f, "invalid --signing-time {t:?}: expected RFC 3339, e.g. 2024-01-31T12:00:00Z")
            }
            Self::Signing(_) => f.write_str("could not sign the request"),
        }
    }
}

impl std::error::Error for PresignError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Signing(e) => Some(e),
            _ => None,
        }
    }
}

/// Presigns `args.url`.
pub fn run(
    args: &PresignArgs,
    env: EnvLookup<'_>,
    now: DateTime<Utc>,
) -> Result<Output, PresignError> {
    let uri: hyper::Uri = args
        .url
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| PresignError::InvalidUrl(e.to_string()))?;
    let scheme = uri.scheme_str().unwrap_or_default();
    if scheme != "https" && scheme != "http" {
        return Err(PresignError::InvalidUrl(
            "the scheme must be https:// or http://".into(),
        ));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| PresignError::InvalidUrl("no host".into()))?;
    let host = authority.host();
    let default_port = if scheme == "https" { 443 } else { 80 };
    let host_header = match authority.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    // The environment source and the region order of the credential chain (botocore's
    // rules: the legacy AWS_SECURITY_TOKEN first, empty values as unset).
    let credentials = crate::provider::from_env(env).ok_or(PresignError::MissingCredentials)?;
    let region = crate::provider::region_from_flag_or_env(args.region.as_deref(), env)
        .ok_or(PresignError::MissingRegion)?;
    let service = args
        .service
        .clone()
        .unwrap_or_else(|| crate::endpoints::service_from_host(host).to_owned());
    let time = match &args.signing_time {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|_| PresignError::InvalidSigningTime(t.clone()))?
            .with_timezone(&Utc),
        None => now,
    };
    let base = if service == "s3" {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    let settings = base.presigned(args.expires_in);
    let headers = [("host", host_header.as_str())];
    let request = SignableRequest::new(
        &args.method,
        uri.path(),
        uri.query().unwrap_or_default(),
        &headers,
        if service == "s3" {
            Payload::Unsigned
        } else {
            Payload::Bytes(b"")
        },
    );
    let params = SigningParams {
        credentials: &credentials,
        region: &region,
        service: &service,
        time,
        settings: &settings,
        key_cache: None,
    };
    let signed = sign(&request, &params).map_err(PresignError::Signing)?;
    let query = signed.query_string().unwrap_or_default();
    let mut out = Output {
        stdout: format!("{scheme}://{authority}{}?{query}\n", uri.path()),
        ..Output::default()
    };
    if args.verbose {
        out.stderr = format!(
            "canonical request:\n{}\n\nstring to sign:\n{}\n",
            signed.redacted_canonical_request(),
            signed.string_to_sign()
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn args(url: &str) -> PresignArgs {
        PresignArgs {
            url: url.to_owned(),
            method: "GET".into(),
            expires_in: 86400,
            region: None,
            service: None,
            signing_time: Some("2013-05-24T00:00:00Z".into()),
            verbose: false,
        }
    }

    #[test]
    fn credentials_and_region_follow_the_chains_rules() {
        // The legacy token comes first, as in botocore; an empty --region falls to the
        // environment, as in the AWS CLI.
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_SESSION_TOKEN", "NEWTOKEN"),
            ("AWS_SECURITY_TOKEN", "LEGACYTOKEN"),
            ("AWS_REGION", "eu-west-1"),
        ]);
        let mut a = args("https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15");
        a.region = Some(String::new());
        let out = run(&a, &env, DateTime::UNIX_EPOCH).unwrap();
        assert!(
            out.stdout.contains("X-Amz-Security-Token=LEGACYTOKEN"),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("%2Feu-west-1%2Fsts%2F"),
            "{}",
            out.stdout
        );
    }

    /// The worked example of the S3 documentation ("Authenticating Requests: Using Query
    /// Parameters"), whose signature AWS publishes.
    #[test]
    fn matches_the_s3_documentation_example() {
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            ("AWS_REGION", "us-east-1"),
        ]);
        let out = run(
            &args("https://examplebucket.s3.amazonaws.com/test.txt"),
            &env,
            DateTime::UNIX_EPOCH,
        );
        let url = out.map(|o| o.stdout).unwrap_or_default();
        assert!(
            url.starts_with("https://examplebucket.s3.amazonaws.com/test.txt?"),
            "{url}"
        );
        assert!(
            url.contains(
                "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
            ),
            "{url}"
        );
        assert!(url.contains("X-Amz-Expires=86400"), "{url}");
    }

    #[test]
    fn verbose_redacts_the_token_and_stdout_is_only_the_url() {
        let env = env_of(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRETKEYVALUE"),
            ("AWS_SESSION_TOKEN", "TOKEN/SECRET+VALUE=="),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ]);
        let mut a = args(
            "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
        );
        a.verbose = true;
        let out = run(&a, &env, DateTime::UNIX_EPOCH).ok().unwrap_or_default();
        assert_eq!(out.stdout.lines().count(), 1);
        assert!(
            out.stdout
                .contains("X-Amz-Credential=AKID%2F20130524%2Feu-west-1%2Fsts%2Faws4_request")
        );
        assert!(
            out.stderr.contains("X-Amz-Security-Token=<redacted>"),
            "{}",
            out.stderr
        );
        for secret in ["TOKEN", "SECRETKEYVALUE"] {
            assert!(!out.stderr.contains(secret), "{}", out.stderr);
        }
    }

    #[test]
    fn explains_what_is_missing() {
        let none = env_of(&[]);
        let err = run(
            &args("https://sts.amazonaws.com/"),
            &none,
            DateTime::UNIX_EPOCH,
        )
        .err();
        assert!(matches!(err, Some(PresignError::MissingCredentials)));
        let keys = env_of(&[("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")]);
        let err = run(
            &args("https://sts.amazonaws.com/"),
            &keys,
            DateTime::UNIX_EPOCH,
        )
        .err();
        assert!(matches!(err, Some(PresignError::MissingRegion)));
        let err = run(&args("ftp://host/"), &keys, DateTime::UNIX_EPOCH).err();
        assert!(matches!(err, Some(PresignError::InvalidUrl(_))));
        let mut a = args("https://sts.amazonaws.com/");
        a.region = Some("us-east-1".into());
        a.expires_in = 604801;
        let err = run(&a, &keys, DateTime::UNIX_EPOCH).err();
        assert!(matches!(
            err,
            Some(PresignError::Signing(
                SigningError::ExpiresOutOfRange { .. }
            ))
        ));
    }
}
