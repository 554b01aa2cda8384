//! AWS service clients: for each, a pure request builder, a pure response parser tested on
//! recorded bodies, and (with the transport) a short async function that joins them.
//!
//! This module does no I/O itself.

pub mod constraints;
pub mod container;
pub mod ec2;
mod error;
pub mod imds;
pub mod metadata;
pub mod query;
pub mod rest_json;
pub mod signin;
pub mod ssm;
pub mod sso;
pub mod sso_oidc;
pub mod sts;
mod xml;

pub use error::{AwsError, ResponseError, ServiceError};
pub(crate) use error::{error_code, read_aws_error};
