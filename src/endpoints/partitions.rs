//! The AWS partitions: which region prefix each holds, its DNS suffixes and its console
//! hosts; and STS's legacy global regions.

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
    /// The Sign-In service's host, below the region (`{region}.signin.aws.amazon.com`):
    /// where `aws login`'s CreateOAuth2Token and authorize page live, in every partition
    /// (the service's endpoint rules, `signin` 2023-01-01).
    pub sign_in_service_host: &'static str,
    /// The console host, where known.
    pub console_host: Option<&'static str>,
    /// The region a console link opens in when none is configured, where the partition
    /// has a console.
    pub console_region: Option<&'static str>,
}

const AWS: Partition = Partition {
    name: "aws",
    sign_in_service_host: "signin.aws.amazon.com",
    dns_suffix: "amazonaws.com",
    dual_stack_suffix: Some("api.aws"),
    signin_host: Some("signin.aws.amazon.com"),
    console_host: Some("console.aws.amazon.com"),
    console_region: Some("us-east-1"),
};

const PARTITIONS: [(&str, Partition); 7] = [
    (
        "cn-",
        Partition {
            name: "aws-cn",
            sign_in_service_host: "signin.amazonaws.cn",
            dns_suffix: "amazonaws.com.cn",
            dual_stack_suffix: Some("api.amazonwebservices.com.cn"),
            signin_host: Some("signin.amazonaws.cn"),
            console_host: Some("console.amazonaws.cn"),
            console_region: Some("cn-north-1"),
        },
    ),
    (
        "us-gov-",
        Partition {
            name: "aws-us-gov",
            sign_in_service_host: "signin.amazonaws-us-gov.com",
            dns_suffix: "amazonaws.com",
            dual_stack_suffix: Some("api.aws"),
            signin_host: Some("signin.amazonaws-us-gov.com"),
            console_host: Some("console.amazonaws-us-gov.com"),
            console_region: Some("us-gov-west-1"),
        },
    ),
    (
        "us-isob-",
        Partition {
            name: "aws-iso-b",
            sign_in_service_host: "signin.sc2shome.sgov.gov",
            dns_suffix: "sc2s.sgov.gov",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
            console_region: None,
        },
    ),
    (
        "us-isof-",
        Partition {
            name: "aws-iso-f",
            sign_in_service_host: "signin.csphome.hci.ic.gov",
            dns_suffix: "csp.hci.ic.gov",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
            console_region: None,
        },
    ),
    (
        "us-iso-",
        Partition {
            name: "aws-iso",
            sign_in_service_host: "signin.c2shome.ic.gov",
            dns_suffix: "c2s.ic.gov",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
            console_region: None,
        },
    ),
    (
        "eu-isoe-",
        Partition {
            name: "aws-iso-e",
            sign_in_service_host: "signin.csphome.adc-e.uk",
            dns_suffix: "cloud.adc-e.uk",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
            console_region: None,
        },
    ),
    (
        "eusc-",
        Partition {
            name: "aws-eusc",
            sign_in_service_host: "signin.amazonaws-eusc.eu",
            dns_suffix: "amazonaws.eu",
            dual_stack_suffix: None,
            signin_host: None,
            console_host: None,
            console_region: None,
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

/// The partition named `name` (`aws`, `aws-cn`, `aws-us-gov`...), as an ARN's second
/// field gives it; `None` for a name it does not know.
pub fn partition_named(name: &str) -> Option<Partition> {
    if name == AWS.name {
        return Some(AWS);
    }
    PARTITIONS.iter().map(|(_, p)| *p).find(|p| p.name == name)
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
