//! The service (its signing name) and region an AWS host belongs to, for `aws-login
//! request URL` (as awscurl and the SDKs' endpoint patterns read them). Pure.
//!
//! - `SERVICE.REGION.amazonaws.com` (and `.amazonaws.com.cn`, the ISO suffixes, the
//!   dual-stack `.api.aws`), `SERVICE-fips.REGION...`; a few endpoint prefixes sign under
//!   another name (`email` is `ses`, `runtime.sagemaker` is `sagemaker`...);
//! - global endpoints (`iam.amazonaws.com`, `sts.amazonaws.com`, `route53...`) sign in
//!   their partition's first region;
//! - S3 in every form: `s3.REGION...`, `BUCKET.s3.REGION...`, `s3.dualstack.REGION...`,
//!   `BUCKET.s3-REGION...` (legacy), `s3.amazonaws.com` (us-east-1),
//!   `NAME-ACCOUNT.s3-accesspoint.REGION...`, `ACCOUNT.s3-control.REGION...`, Multi-Region
//!   Access Points `ALIAS.accesspoint.s3-global.amazonaws.com` (SigV4a, region set `*`),
//!   `s3-object-lambda`;
//! - `ID.execute-api.REGION.amazonaws.com` (API Gateway), `ID.lambda-url.REGION.on.aws`
//!   (Lambda function URLs), `DOMAIN.REGION.es.amazonaws.com` (OpenSearch),
//!   `ID.REGION.aoss.amazonaws.com` (OpenSearch Serverless).

/// What a host says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    /// The signing name (`s3`, `execute-api`, `lambda`, `es`, `ses`...).
    pub service: String,
    /// The region to sign for (the region set `*` when `sigv4a`).
    pub region: String,
    /// S3's signing rules apply (single encoding, no normalisation,
    /// `x-amz-content-sha256`).
    pub s3: bool,
    /// The endpoint takes SigV4a only (a Multi-Region Access Point).
    pub sigv4a: bool,
}

/// The DNS suffixes of AWS endpoints, longest first.
const SUFFIXES: [&str; 11] = [
    "amazonaws.com.cn",
    "api.amazonwebservices.com.cn",
    "amazonaws.com",
    "c2s.ic.gov",
    "sc2s.sgov.gov",
    "cloud.adc-e.uk",
    "csp.hci.ic.gov",
    "amazonaws.eu",
    "api.aws",
    "on.aws",
    "amazonaws-us-gov.com",
];

/// Endpoint prefixes that sign under another name.
const SIGNING_NAMES: [(&str, &str); 11] = [
    ("appsync-api", "appsync"),
    ("email", "ses"),
    ("runtime.sagemaker", "sagemaker"),
    ("api.sagemaker", "sagemaker"),
    ("api.ecr", "ecr"),
    ("bedrock-runtime", "bedrock"),
    ("bedrock-agent-runtime", "bedrock"),
    ("streams.dynamodb", "dynamodb"),
    ("runtime.lex", "lex"),
    ("data.iot", "iotdata"),
    ("monitoring", "monitoring"),
];

/// Whether `label` reads as a region (`eu-west-1`, `us-gov-west-1`, `cn-north-1`).
fn is_region(label: &str) -> bool {
    label.contains('-')
        && label.bytes().any(|b| b.is_ascii_digit())
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && label.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

/// The first region of the partition a suffix belongs to (for global endpoints).
fn global_region(suffix: &str) -> &'static str {
    match suffix {
        "amazonaws.com.cn" | "api.amazonwebservices.com.cn" => "cn-north-1",
        "amazonaws-us-gov.com" => "us-gov-west-1",
        "c2s.ic.gov" => "us-iso-east-1",
        "sc2s.sgov.gov" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

fn signing_name(prefix: &str) -> String {
    let prefix = prefix.strip_suffix("-fips").unwrap_or(prefix);
    SIGNING_NAMES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map_or(prefix, |(_, name)| name)
        .to_owned()
}

fn found(service: &str, region: &str, s3: bool) -> Option<Inferred> {
    Some(Inferred {
        service: service.to_owned(),
        region: region.to_owned(),
        s3,
        sigv4a: false,
    })
}

/// S3 and its relatives, if `labels` (the host without its suffix) are one of them.
fn s3(labels: &[&str], suffix: &str) -> Option<Option<Inferred>> {
    // Website endpoints take no signed requests; S3 Express (directory buckets) signs
    // with session credentials of its own: neither is read here.
    if labels
        .iter()
        .any(|l| l.starts_with("s3-website") || l.starts_with("s3express"))
    {
        return Some(None);
    }
    let (at, label) = labels.iter().enumerate().find(|(_, l)| {
        matches!(
            **l,
            "s3" | "s3-fips"
                | "s3-accesspoint"
                | "s3-accesspoint-fips"
                | "s3-control"
                | "s3-global"
                | "s3-object-lambda"
                | "s3-external-1"
        ) || l.strip_prefix("s3-").is_some_and(is_region)
    })?;
    let rest: Vec<&str> = labels[at + 1..]
        .iter()
        .copied()
        .filter(|l| *l != "dualstack" && *l != "fips")
        .collect();
    if *label == "s3-global" {
        return Some(Some(Inferred {
            service: "s3".into(),
            region: "*".into(),
            s3: true,
            sigv4a: true,
        }));
    }
    let service = if *label == "s3-object-lambda" {
        "s3-object-lambda"
    } else {
        "s3"
    };
    let region = match (label.strip_prefix("s3-"), rest.first()) {
        (Some("external-1"), _) => "us-east-1",
        (Some(region), _) if is_region(region) => region,
        (_, Some(region)) if is_region(region) => region,
        _ => global_region(suffix),
    };
    Some(found(service, region, true))
}

/// The service and region of `host` (a host name, no port), or `None` when it is not an
/// AWS endpoint this knows.
pub fn infer(host: &str) -> Option<Inferred> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let suffix = SUFFIXES.iter().find(|s| host.ends_with(&format!(".{s}")))?;
    let labels: Vec<&str> = host[..host.len() - suffix.len() - 1].split('.').collect();
    let n = labels.len();
    if *suffix == "on.aws" {
        // ID.lambda-url.REGION.on.aws
        return match labels.as_slice() {
            [.., "lambda-url", region] if is_region(region) => found("lambda", region, false),
            _ => None,
        };
    }
    if let Some(s3) = s3(&labels, suffix) {
        return s3;
    }
    match labels.as_slice() {
        [.., "execute-api", region] if is_region(region) => {
            return found("execute-api", region, false);
        }
        [.., region, service @ ("es" | "aoss")] if n >= 3 && is_region(region) => {
            return found(service, region, false);
        }
        _ => {}
    }
    match labels.as_slice() {
        [service] => found(&signing_name(service), global_region(suffix), false),
        [service, region] if is_region(region) => found(&signing_name(service), region, false),
        // Two labels before the region: only the prefixes known to sign under a name
        // (`runtime.sagemaker`...); an id before a service (`ID.appsync-api`,
        // `ID-ats.iot`) is the service's.
        [first, second, region] if is_region(region) => {
            let prefix = format!("{first}.{second}");
            if SIGNING_NAMES.iter().any(|(p, _)| *p == prefix) {
                found(&signing_name(&prefix), region, false)
            } else if *second == "iot" {
                found("iotdata", region, false)
            } else if *second == "appsync-api" {
                found("appsync", region, false)
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(host: &str) -> Option<(String, String, bool, bool)> {
        infer(host).map(|i| (i.service, i.region, i.s3, i.sigv4a))
    }

    fn plain(service: &str, region: &str) -> Option<(String, String, bool, bool)> {
        Some((service.into(), region.into(), false, false))
    }

    fn s3(service: &str, region: &str) -> Option<(String, String, bool, bool)> {
        Some((service.into(), region.into(), true, false))
    }

    #[test]
    fn regional_and_global_endpoints() {
        assert_eq!(
            said("sts.eu-west-1.amazonaws.com"),
            plain("sts", "eu-west-1")
        );
        assert_eq!(said("sts.amazonaws.com"), plain("sts", "us-east-1"));
        assert_eq!(said("iam.amazonaws.com"), plain("iam", "us-east-1"));
        assert_eq!(
            said("ec2.cn-north-1.amazonaws.com.cn"),
            plain("ec2", "cn-north-1")
        );
        assert_eq!(said("iam.amazonaws.com.cn"), plain("iam", "cn-north-1"));
        assert_eq!(
            said("email.eu-west-1.amazonaws.com"),
            plain("ses", "eu-west-1")
        );
        assert_eq!(
            said("runtime.sagemaker.us-east-2.amazonaws.com"),
            plain("sagemaker", "us-east-2")
        );
        assert_eq!(
            said("dynamodb-fips.us-gov-west-1.amazonaws.com"),
            plain("dynamodb", "us-gov-west-1")
        );
        assert_eq!(
            said("sqs.eu-central-1.api.aws"),
            plain("sqs", "eu-central-1")
        );
        assert_eq!(
            said("STS.EU-WEST-1.AMAZONAWS.COM."),
            plain("sts", "eu-west-1")
        );
    }

    #[test]
    fn s3_in_every_form() {
        assert_eq!(said("s3.amazonaws.com"), s3("s3", "us-east-1"));
        assert_eq!(said("bucket.s3.amazonaws.com"), s3("s3", "us-east-1"));
        assert_eq!(
            said("my.bucket.s3.eu-west-1.amazonaws.com"),
            s3("s3", "eu-west-1")
        );
        assert_eq!(
            said("s3.dualstack.ap-south-1.amazonaws.com"),
            s3("s3", "ap-south-1")
        );
        assert_eq!(
            said("bucket.s3-us-west-2.amazonaws.com"),
            s3("s3", "us-west-2")
        );
        assert_eq!(said("s3-external-1.amazonaws.com"), s3("s3", "us-east-1"));
        assert_eq!(
            said("ap-111122223333.s3-accesspoint.eu-north-1.amazonaws.com"),
            s3("s3", "eu-north-1")
        );
        assert_eq!(
            said("111122223333.s3-control.us-east-2.amazonaws.com"),
            s3("s3", "us-east-2")
        );
        assert_eq!(
            said("olap-1.s3-object-lambda.us-east-1.amazonaws.com"),
            s3("s3-object-lambda", "us-east-1")
        );
        assert_eq!(
            said("mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com"),
            Some(("s3".into(), "*".into(), true, true))
        );
    }

    #[test]
    fn gateways_functions_and_search() {
        assert_eq!(
            said("abc123.execute-api.eu-west-1.amazonaws.com"),
            plain("execute-api", "eu-west-1")
        );
        assert_eq!(
            said("abcdefghij.lambda-url.us-east-1.on.aws"),
            plain("lambda", "us-east-1")
        );
        assert_eq!(
            said("search-logs-abc123.eu-west-1.es.amazonaws.com"),
            plain("es", "eu-west-1")
        );
        assert_eq!(
            said("abc123.us-east-1.aoss.amazonaws.com"),
            plain("aoss", "us-east-1")
        );
    }

    #[test]
    fn hosts_it_cannot_read() {
        for host in [
            "localhost",
            "127.0.0.1",
            "api.example.com",
            "amazonaws.com",
            "a.b.c.d.amazonaws.com",
            "x.lambda-url.on.aws",
            "bucket.s3-website-eu-west-1.amazonaws.com",
            "bucket.s3express-euw1-az1.eu-west-1.amazonaws.com",
            "abc.unknown-thing.eu-west-1.amazonaws.com",
        ] {
            assert_eq!(said(host), None, "{host}");
        }
    }
}
