//! `aws-login presign URL`: prints a presigned URL for URL, signed with the acquired
//! identity (the whole credential chain and the identity flags, as every command) for the
//! session's region (`--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's).
//!
//! It sends nothing to the URL's service; only the chain may (to STS, SSO, IMDS...), and
//! keys at hand (environment, profile) need no request at all.

use std::fmt;

use argh::FromArgs;
use chrono::{DateTime, Utc};

use super::identity::command_with_identity;
use super::session::Session;
use super::{CliError, Context, Output};
use crate::credentials::Credentials;
use crate::provider::plan::Base;
use crate::sigv4::{Payload, SignableRequest, SigningError, SigningParams, SigningSettings, sign};

command_with_identity! {
    /// print a presigned URL for URL, signed with the acquired credentials
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "presign",
        example = "{command_name} https://examplebucket.s3.amazonaws.com/report.csv --expires-in 3600",
        example = "{command_name} --profile dev --method PUT --region eu-west-1 https://examplebucket.s3.eu-west-1.amazonaws.com/upload.bin"
    )]
    pub struct PresignArgs {
        /// the https:// (or http://) URL to presign, percent-encoded as it will be sent
        #[argh(positional)]
        pub url: [String],
        /// the HTTP method the URL is for (default GET)
        #[argh(option, default = "String::from(\"GET\")")]
        pub method: [String],
        /// how long the URL stays valid, in seconds, 1 to 604800 (default 3600)
        #[argh(option, default = "3600")]
        pub expires_in: [u64],
        /// the signing service (default: s3 for S3 hosts, else the host's first label)
        #[argh(option)]
        pub service: [Option<String>],
        /// sign as of this RFC 3339 time instead of now (for reproducible URLs)
        #[argh(option)]
        pub signing_time: [Option<String>],
        /// print the canonical request and string to sign to stderr (token redacted)
        #[argh(switch)]
        pub verbose: [bool],
        /// sign with SigV4a (multi-region endpoints such as S3 Multi-Region Access Points)
        #[argh(switch)]
        pub sigv4a: [bool],
        /// the regions a SigV4a URL is good in, comma-separated (default *; implies
        /// --sigv4a)
        #[argh(option)]
        pub region_set: [Option<String>],
    }
}

/// Why no URL could be presigned.
#[derive(Debug)]
#[non_exhaustive]
pub enum PresignError {
    /// No `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION` or profile `region`.
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
            Self::MissingRegion => f.write_str(
                "no region: pass --region, set AWS_REGION, or give the profile a region",
            ),
            Self::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            Self::InvalidSigningTime(t) => {
                write!(
                    f,
                    "invalid --signing-time {t:?}: expected RFC 3339, e.g. 2024-01-31T12:00:00Z"
                )
            }
            Self::Signing(_) => f.write_str("could not sign the request"),
        }
    }
}

impl PresignError {
    /// Its kind: each is about what the user typed (or did not configure), a usage
    /// error.
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        crate::error_kind::ErrorKind::Usage
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

/// Presigns `args.url`: the URL and the signing time are checked first, then the
/// identity is acquired (without a runtime when its keys are at hand).
pub fn run(args: &PresignArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let invalid = |e| CliError::Presign(e);
    let uri: hyper::Uri = args
        .url
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| {
            invalid(PresignError::InvalidUrl(e.to_string()))
        })?;
    let scheme = uri.scheme_str().unwrap_or_default();
    if scheme != "https" && scheme != "http" {
        return Err(invalid(PresignError::InvalidUrl(
            "the scheme must be https:// or http://".into(),
        )));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| invalid(PresignError::InvalidUrl("no host".into())))?;
    let host = authority.host();
    let default_port = if scheme == "https" { 443 } else { 80 };
    let host_header = match authority.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    let service = args
        .service
        .clone()
        .unwrap_or_else(|| crate::endpoints::service_from_host(host).to_owned());
    let time = match &args.signing_time {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|_| invalid(PresignError::InvalidSigningTime(t.clone())))?
            .with_timezone(&Utc),
        None => ctx.clock.now(),
    };
    let base = if service == "s3" {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    let sigv4a = args.sigv4a || args.region_set.is_some();
    let settings = if sigv4a {
        base.presigned(args.expires_in).sigv4a()
    } else {
        base.presigned(args.expires_in)
    };
    // SigV4a signs for a region set, not the session's region.
    let region_set = args.region_set.clone().unwrap_or_else(|| "*".to_owned());
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
    let session = Session::open(&args.identity(), ctx)?;
    // What the user typed is checked before the chain sends anything: the region (unless
    // the instance will tell it) and everything the signer checks, signed once with
    // placeholder keys.
    let known_region = if sigv4a {
        Some(region_set.clone())
    } else {
        session.region()
    };
    if known_region.is_none() && !matches!(session.plan().base, Base::Imds { .. }) {
        return Err(invalid(PresignError::MissingRegion));
    }
    let placeholder = Credentials::new("AKIDPLACEHOLDER", "placeholder", None, None);
    sign(
        &request,
        &SigningParams {
            credentials: &placeholder,
            region: known_region.as_deref().unwrap_or("us-east-1"),
            service: &service,
            time,
            settings: &settings,
            key_cache: None,
        },
    )
    .map_err(|e| invalid(PresignError::Signing(e)))?;
    let credentials = session.acquire()?;
    let region = if sigv4a {
        region_set
    } else {
        session
            .region()
            .ok_or(invalid(PresignError::MissingRegion))?
    };
    let params = SigningParams {
        credentials: &credentials,
        region: &region,
        service: &service,
        time,
        settings: &settings,
        key_cache: None,
    };
    let signed = sign(&request, &params).map_err(|e| invalid(PresignError::Signing(e)))?;
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
    use crate::provider::plan::PlanError;
    use std::collections::HashMap;

    /// Runs presign with only `vars` (no shared files, no instance metadata).
    fn run_with(args: &PresignArgs, vars: &[(&str, &str)]) -> Result<Output, CliError> {
        let mut map: HashMap<String, String> = [
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        map.extend(vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let env = move |k: &str| map.get(k).cloned();
        let ctx = Context {
            env: &env,
            clock: &crate::time::SystemClock,
            seed: 1,
            prompt: &|_| None,
            can_prompt: false,
            stderr: &|_| {},
            progress: None,
            interactive: false,
        };
        run(args, &ctx)
    }

    fn args(url: &str) -> PresignArgs {
        let mut args = match crate::cli::parse_args(&["presign", url]) {
            Ok(crate::cli::Cli {
                command: Some(crate::cli::Command::Presign(args)),
                ..
            }) => args,
            _ => panic!("presign {url} does not parse"),
        };
        args.expires_in = 86400;
        args.signing_time = Some("2013-05-24T00:00:00Z".into());
        args
    }

    #[test]
    fn credentials_and_region_follow_the_chains_rules() {
        // The legacy token comes first, as in botocore; an empty --region falls to the
        // environment, as in the AWS CLI.
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_SESSION_TOKEN", "NEWTOKEN"),
            ("AWS_SECURITY_TOKEN", "LEGACYTOKEN"),
            ("AWS_REGION", "eu-west-1"),
        ];
        let mut a = args("https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15");
        a.region = Some(String::new());
        let out = run_with(&a, &env).unwrap();
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

    #[test]
    fn sigv4a_presigns_for_a_region_set_with_no_region_configured() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ];
        let mut a = args("https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/key");
        a.sigv4a = true;
        let out = run_with(&a, &env).unwrap();
        for part in [
            "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256",
            "X-Amz-Credential=AKIDEXAMPLE%2F20130524%2Fs3%2Faws4_request",
            "X-Amz-Region-Set=%2A",
            "X-Amz-Signature=30",
        ] {
            assert!(out.stdout.contains(part), "{part}: {}", out.stdout);
        }
        a.region_set = Some("us-east-1,eu-west-1".into());
        let out = run_with(&a, &env).unwrap();
        assert!(
            out.stdout
                .contains("X-Amz-Region-Set=us-east-1%2Ceu-west-1"),
            "{}",
            out.stdout
        );
    }

    #[test]
    fn a_profile_gives_the_keys_and_the_region() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            "[profile dev]\nregion = ap-south-1\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = s\n",
        )
        .unwrap();
        let mut a = args("https://examplebucket.s3.amazonaws.com/test.txt");
        a.profile = Some("dev".into());
        let out = run_with(&a, &[("AWS_CONFIG_FILE", config.to_str().unwrap())]).unwrap();
        assert!(
            out.stdout.contains(
                "X-Amz-Credential=AKIAPROFILE%2F20130524%2Fap-south-1%2Fs3%2Faws4_request"
            ),
            "{}",
            out.stdout
        );
    }

    /// The worked example of the S3 documentation ("Authenticating Requests: Using Query
    /// Parameters"), whose signature AWS publishes.
    #[test]
    fn matches_the_s3_documentation_example() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            ("AWS_REGION", "us-east-1"),
        ];
        let out = run_with(
            &args("https://examplebucket.s3.amazonaws.com/test.txt"),
            &env,
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
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRETKEYVALUE"),
            ("AWS_SESSION_TOKEN", "TOKEN/SECRET+VALUE=="),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ];
        let mut a = args(
            "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
        );
        a.verbose = true;
        let out = run_with(&a, &env).ok().unwrap_or_default();
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
        let err = run_with(&args("https://sts.amazonaws.com/"), &[]).err();
        assert!(
            matches!(err, Some(CliError::Plan(PlanError::NoCredentials { .. }))),
            "{err:?}"
        );
        let keys = [("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")];
        let err = run_with(&args("https://sts.amazonaws.com/"), &keys).err();
        assert!(
            matches!(err, Some(CliError::Presign(PresignError::MissingRegion))),
            "{err:?}"
        );
        let err = run_with(&args("ftp://host/"), &keys).err();
        assert!(
            matches!(err, Some(CliError::Presign(PresignError::InvalidUrl(_)))),
            "{err:?}"
        );
        let mut a = args("https://sts.amazonaws.com/");
        a.region = Some("us-east-1".into());
        a.expires_in = 604801;
        let err = run_with(&a, &keys).err();
        assert!(matches!(
            err,
            Some(CliError::Presign(PresignError::Signing(
                SigningError::ExpiresOutOfRange { .. }
            )))
        ));
    }
}
