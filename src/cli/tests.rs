//! The command line's own tests: parsing as the Python tool parses, dispatch, output.

use super::*;
use chrono::{DateTime, Utc};

struct Epoch;

impl Clock for Epoch {
    fn now(&self) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH
    }
}

fn parse(args: &[&str]) -> Result<Cli, argh::EarlyExit> {
    Cli::from_args(&["aws-login"], args)
}

fn run_now(cli: &Cli) -> Result<Output, CliError> {
    // No instance metadata here: the chain must not reach for 169.254.169.254.
    let env = |k: &str| (k == "AWS_EC2_METADATA_DISABLED").then(|| "true".to_owned());
    let ctx = Context {
        env: &env,
        clock: &Epoch,
        seed: 1,
        prompt: &|_| None,
        can_prompt: false,
        stderr: &|_| {},
        progress: None,
        interactive: false,
    };
    run(cli, &ctx)
}

#[test]
fn exit_codes_come_from_the_kind_of_the_innermost_cause() {
    use crate::provider::execute::ExecuteError;
    use crate::services::{AwsError, ResponseError, ServiceError};
    let sts = |source: ServiceError| CliError::Execute(ExecuteError::call("AssumeRole", source));
    // An answer that cannot be read (HTTP 200 without Credentials) is the network's.
    let unreadable = sts(ServiceError::Response(ResponseError::Malformed {
        status: 200,
        detail: "no Credentials".into(),
    }));
    assert_eq!(unreadable.exit_code(), 4);
    let aws = sts(ServiceError::Response(ResponseError::Aws(AwsError {
        status: 403,
        kind: None,
        code: "AccessDenied".into(),
        message: String::new(),
        request_id: None,
    })));
    assert_eq!(aws.exit_code(), 3);
    assert_eq!(CliError::Usage(UsageError::NoCommand).exit_code(), 2);
    // A source the configuration names that does not answer.
    let imds = CliError::Execute(ExecuteError::Imds(
        crate::services::imds::ImdsError::TokenTimeout {
            after: std::time::Duration::from_secs(1),
        },
    ));
    assert_eq!(imds.exit_code(), 4);
    let no_role = CliError::Execute(ExecuteError::Imds(crate::services::imds::ImdsError::NoRole));
    assert_eq!(no_role.exit_code(), 1);
}

#[test]
fn a_refused_mfa_code_is_not_quoted_back() {
    let err =
        crate::cli::parse_args(&["dumpcreds", "--token-code", "123456", "--token-code=654321"])
            .err()
            .map(|e| e.output)
            .unwrap_or_default();
    assert!(err.contains("duplicate"), "{err}");
    assert!(!err.contains("123456") && !err.contains("654321"), "{err}");
}

#[test]
fn the_parsed_command_line_does_not_show_the_mfa_code() {
    let cli = parse(&["getcallerid", "--token-code", "493817"]).unwrap();
    let debug = format!("{cli:?}");
    assert!(!debug.contains("493817"), "{debug}");
    let Some(Command::GetCallerId(args)) = &cli.command else {
        panic!("{debug}");
    };
    let code = args.identity().token_code;
    assert_eq!(
        code.as_ref().map(crate::secret::SecretString::expose),
        Some("493817")
    );
}

#[test]
fn text_for_the_terminal_has_no_control_characters() {
    assert_eq!(terminal_safe("plain"), "plain");
    assert_eq!(
        terminal_safe("a\x1b[31mred\nb\u{202e}c\u{9b}"),
        "a\\u{1b}[31mred\\u{a}b\\u{202e}c\\u{9b}"
    );
}

#[test]
fn version_switch_prints_the_version() {
    let out = run_now(&parse(&["--version"]).unwrap()).unwrap();
    assert_eq!(
        out.stdout,
        format!("aws-login {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_commands_and_exit_codes() {
    let early = parse(&["--help"]).unwrap_err();
    assert_eq!(early.status, Ok(()));
    for word in [
        "getcallerid",
        "dumpcreds",
        "decode-authorization-message",
        "presign",
        "usage error",
        "network error",
    ] {
        assert!(early.output.contains(word), "{word}: {}", early.output);
    }
}

#[test]
fn every_command_has_examples_and_runas_shows_the_dash_dash_form() {
    for command in [
        "getcallerid",
        "dumpcreds",
        "runas",
        "decode-authorization-message",
        "presign",
    ] {
        let help = parse(&[command, "--help"]).unwrap_err().output;
        let examples = help.split("Examples:").nth(1).unwrap_or_default();
        assert!(
            examples.matches(&format!("aws-login {command}")).count() >= 2,
            "{command}: {help}"
        );
    }
    let help = parse(&["runas", "--help"]).unwrap_err().output;
    assert!(
        help.starts_with("Usage: aws-login runas [options] -- PROGRAM [ARGS...]"),
        "{help}"
    );
}

#[test]
fn flags_parse_after_the_command() {
    let cli = parse(&[
        "dumpcreds",
        "--outform",
        "powershell",
        "--assume-roles",
        "arn:a, arn:b",
        "--debug",
    ])
    .unwrap();
    let Some(Command::DumpCreds(args)) = cli.command else {
        panic!()
    };
    assert_eq!(args.outform, crate::output::OutForm::PowerShell);
    assert_eq!(identity::role_arns(&args.identity()), ["arn:a", "arn:b"]);
    assert!(parse(&["dumpcreds", "--outform", "csv"]).is_err());
}

#[test]
fn name_equals_value_and_dash_h_are_accepted_as_argparse_does() {
    let Ok(Cli {
        command: Some(Command::DumpCreds(args)),
        ..
    }) = parse_args(&["dumpcreds", "--profile=a=b", "--outform=ini"])
    else {
        panic!()
    };
    assert_eq!(args.identity().profile.as_deref(), Some("a=b"));
    assert_eq!(args.outform, crate::output::OutForm::Ini);
    // After `--`, the program's own arguments are left alone.
    let Ok(Cli {
        command: Some(Command::RunAs(args)),
        ..
    }) = parse_args(&["runas", "--profile=p", "--", "prog", "--x=1", "-h"])
    else {
        panic!()
    };
    assert_eq!(args.program, ["prog", "--x=1", "-h"]);
    assert!(parse_args(&["getcallerid", "--=x"]).is_err());
    // An option's value that looks like `--name=value` is a value, wherever the same
    // text comes again as a flag.
    let Ok(Cli {
        command: Some(Command::RunAs(args)),
        ..
    }) = parse_args(&[
        "runas",
        "--role-session-name",
        "--region=eu-west-1",
        "--region=eu-west-1",
        "--",
        "echo",
    ])
    else {
        panic!()
    };
    assert_eq!(
        args.identity().role_session_name.as_deref(),
        Some("--region=eu-west-1")
    );
    assert_eq!(args.identity().region.as_deref(), Some("eu-west-1"));
    let Ok(Cli {
        command: Some(Command::RunAs(args)),
        ..
    }) = parse_args(&["runas", "--external-id=--", "--region=us-west-2", "-c", "x"])
    else {
        panic!()
    };
    assert_eq!(args.identity().external_id.as_deref(), Some("--"));
    assert_eq!(args.identity().region.as_deref(), Some("us-west-2"));
    // A switch given a value is refused by its name.
    let err = parse_args(&["getcallerid", "--debug=true"]).unwrap_err();
    assert!(err.output.contains("--debug=true"), "{}", err.output);
    let Ok(Cli {
        command: Some(Command::DumpCreds(args)),
        ..
    }) = parse_args(&["dumpcreds", "--outform=json", "--role-session-name=me"])
    else {
        panic!()
    };
    assert_eq!(args.outform, crate::output::OutForm::Json);
    assert_eq!(args.identity().role_session_name.as_deref(), Some("me"));
    // A value that looks like `--x=y` stays whole when it is an option's value.
    let Ok(Cli {
        command: Some(Command::RunAs(args)),
        ..
    }) = parse_args(&["runas", "-c", "--x=y", "--profile=p"])
    else {
        panic!()
    };
    assert_eq!(args.command.as_deref(), Some("--x=y"));
    assert_eq!(args.identity().profile.as_deref(), Some("p"));
    let help = parse_args(&["getcallerid", "-h"]).unwrap_err();
    assert_eq!(help.status, Ok(()));
    assert!(parse_args(&["dumpcreds", "--outform=csv"]).is_err());
}

#[test]
fn no_command_and_no_credentials_are_errors_with_their_codes() {
    assert_eq!(
        run_now(&parse(&[]).unwrap()).unwrap_err().exit_code(),
        EXIT_USAGE
    );
    let err = run_now(&parse(&["getcallerid"]).unwrap()).unwrap_err();
    assert_eq!(err.exit_code(), EXIT_FAILURE);
    assert!(err.to_string().contains("no credentials"), "{err}");
    let err = run_now(&parse(&["getcallerid", "--token-code", "123456"]).unwrap()).unwrap_err();
    assert!(
        err.to_string().contains("no credentials") || err.exit_code() == EXIT_USAGE,
        "{err}"
    );
}
