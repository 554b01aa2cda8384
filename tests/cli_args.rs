//! The command line as scripts written for the Python tool (argparse) type it: the built
//! binary takes `--name=value` for every option and `-h` for `--help`, and leaves what
//! follows `--` to the program.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

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

#[tokio::test]
async fn output_that_cannot_be_written_is_an_error() {
    let binary = env!("CARGO_BIN_EXE_aws-login");
    for (redirect, says) in [
        (
            ">/dev/full",
            "the output could not be written to stdout: No space left on device",
        ),
        // Closed: Rust's runtime reopens it as /dev/null, but the credentials would be lost.
        (">&-", "stdout is closed (>&-): the output would be lost"),
    ] {
        let out = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"$0\" dumpcreds {redirect}"))
            .arg(binary)
            .env_clear()
            .env("HOME", "/dev/null/home")
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent/config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
            .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "EXAMPLESECRET")
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{redirect}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{redirect}: {}", stderr(&out));
        assert!(!stderr(&out).contains("EXAMPLESECRET"));
    }
    // Output thrown away on purpose is not an error (a shell's write-only /dev/null, and a
    // read-write one as Python's subprocess.DEVNULL gives it).
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" dumpcreds >/dev/null && exec \"$0\" dumpcreds 1<>/dev/null")
        .arg(binary)
        .env_clear()
        .env("HOME", "/dev/null/home")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "EXAMPLESECRET")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // A reader that goes away early is not an error.
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" dumpcreds | head -c 1 >/dev/null")
        .arg(binary)
        .env_clear()
        .env("HOME", "/dev/null/home")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "EXAMPLESECRET")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test]
async fn help_that_cannot_be_written_is_an_error_too() {
    let out = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" --help >/dev/full")
        .arg(env!("CARGO_BIN_EXE_aws-login"))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[tokio::test]
async fn github_env_is_written_only_after_the_masks() {
    // The masks cannot be written (a full device): the credentials must not reach the
    // file the next steps read, unmasked. With a stdout that works, they do.
    let dir = std::env::temp_dir().join(format!("aws-login-ghenv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let env_file = dir.join("github_env");
    for (redirect, code, written) in [(">/dev/full", 1, false), (">/dev/null", 0, true)] {
        let _ = std::fs::remove_file(&env_file);
        let out = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"$0\" dumpcreds --outform github {redirect}"))
            .arg(env!("CARGO_BIN_EXE_aws-login"))
            .env_clear()
            .env("HOME", "/dev/null/home")
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent/config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
            .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "EXAMPLESECRET")
            .env("GITHUB_ENV", &env_file)
            .output()
            .await
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{redirect}: {}",
            stderr(&out)
        );
        let contents = std::fs::read_to_string(&env_file).unwrap_or_default();
        assert_eq!(
            contents.contains("AWS_SECRET_ACCESS_KEY=EXAMPLESECRET"),
            written,
            "{redirect}: {contents}"
        );
    }
    // A reader that went away before the masks were read: the same (a pipe whose read
    // end is closed).
    let _ = std::fs::remove_file(&env_file);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = aws_login_command(&["dumpcreds", "--outform", "github"])
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "EXAMPLESECRET")
        .env("GITHUB_ENV", &env_file)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        // Not output(): it would replace stdout with a pipe of its own.
        .spawn()
        .unwrap()
        .wait_with_output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!env_file.exists(), "GITHUB_ENV was written");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_github_env_file_that_cannot_be_written_says_so() {
    let out = aws_login_command(&["dumpcreds", "--outform", "github"])
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "EXAMPLESECRET")
        .env("GITHUB_ENV", "/nonexistent/dir/github_env")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot write the GitHub Actions environment file (GITHUB_ENV) at /nonexistent/dir/github_env"),
        "{}",
        stderr(&out)
    );
}
