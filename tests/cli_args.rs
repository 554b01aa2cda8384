//! The command line as scripts written for the Python tool (argparse) type it: the built
//! binary takes `--name=value` for every option and `-h` for `--help`, and leaves what
//! follows `--` to the program.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

mod common;

use common::{aws_login_command, stderr, text};

async fn run(args: &[&str]) -> std::process::Output {
    aws_login_command(args)
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "EXAMPLESECRET")
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn name_equals_value_options_work_everywhere() {
    let out = run(&["dumpcreds", "--outform=json"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["AccessKeyId"], "AKIAEXAMPLE");
    let out = run(&[
        "runas",
        "--command=printf '%s|%s' \"$AWS_ACCESS_KEY_ID\" --x=y",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "AKIAEXAMPLE|--x=y");
    let out = run(&[
        "runas",
        "--region=eu-west-3",
        "--",
        "sh",
        "-c",
        "printf '%s|%s|%s' \"$AWS_REGION\" \"$0\" \"$1\"",
        "--a=b",
        "-h",
    ])
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "eu-west-3|--a=b|-h");
}

#[tokio::test]
async fn dash_h_is_help() {
    for args in [&["-h"][..], &["dumpcreds", "-h"][..]] {
        let out = run(args).await;
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(
            text(&out.stdout).contains("Usage:"),
            "{}",
            text(&out.stdout)
        );
    }
    let out = run(&["dumpcreds", "--outform=csv"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("csv"), "{}", stderr(&out));
}
