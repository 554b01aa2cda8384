//! The services aws-login calls, one table row each.

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
    pub(super) fn host_prefix(self) -> &'static str {
        self.info().host_prefix
    }
}
