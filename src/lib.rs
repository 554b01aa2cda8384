//! aws-login: get, move and use AWS credentials without the AWS SDK.
//!
//! The library behind the `aws-login` binary. Its layers, each pure where it can be:
//!
//! - [`sigv4`]: the Signature Version 4 signer (no clock, no I/O);
//! - [`error_kind`]: what kind of failure an error is (the exit code comes from it);
//! - [`endpoints`]: where each service lives (partitions, FIPS, dual-stack, overrides);
//! - [`http`]: the one HTTP transport: client, retries, signed calls;
//! - [`services`]: AWS service clients (request builders and response parsers);
//! - [`config`]: the shared `config` and `credentials` files;
//! - [`credentials`]: the credentials value (ground floor: everything above uses it);
//! - [`provider`]: where credentials come from (the chain: plan, execute, helpers);
//! - [`output`]: how credentials leave (shell exports, JSON, credential_process...);
//! - [`private_file`]: writing a file that holds secrets (atomic, 0600);
//! - [`secret`]: a string type that never prints its value;
//! - [`server`]: loopback servers for other programs (the credentials endpoint);
//! - [`time`]: the clock and waiting, as values passed in;
//! - [`shlex`]: splitting a line into words as botocore does (Python's `shlex.split`);
//! - [`cli`]: the command-line interface, one file per command.

pub mod cli;
pub mod config;
pub mod credentials;
pub mod endpoints;
pub mod error_kind;
pub mod http;
pub mod output;
pub mod private_file;
pub mod provider;
pub mod secret;
pub mod server;
pub mod services;
pub mod shlex;
pub mod sigv4;
pub mod sso;
pub mod time;
