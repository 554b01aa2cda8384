//! The integration tests, one test binary (so a clean `cargo test` links once): a module
//! per area, sharing `common` (fakes, fixtures, helpers). `allocations` stays a binary of
//! its own: it installs a counting global allocator.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

mod common;

mod botocore_config_differential;
mod botocore_differential;
mod botocore_request;
mod botocore_vectors;
mod cli_args;
mod cli_chain;
mod cli_configure;
mod cli_console;
mod cli_credentials_server;
mod cli_dumpconfig;
mod cli_ec2;
mod cli_files;
mod cli_login;
mod cli_login_session;
mod cli_metadata;
mod cli_process;
mod cli_profiles;
mod cli_request;
mod cli_role_cache;
mod cli_runas;
mod cli_serve;
mod cli_sso;
mod cli_sts;
mod cli_write_profile;
mod config_generate;
mod config_parser;
mod credential_plan;
mod fault_matrix;
mod http_transport;
mod kill_mid_write;
mod output_shells;
mod scenarios;
mod secrets_sweep;
mod signin;
mod sigv4_no_panic;
mod sigv4_suites;
mod sigv4a_suites;
mod sso_login;
mod sso_refresh;
mod sts_fake;
