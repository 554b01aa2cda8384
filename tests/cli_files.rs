//! Shared files aws-login cannot read, through the built binary, as `sudo -u app` with HOME
//! still `/root` gives them: a `~/.aws` the user may not enter. As root the binary runs as
//! `nobody` (util-linux `setpriv`), since root reads everything; as anyone else the file's
//! mode is 000. What is unreadable counts as empty, as botocore has it: environment keys
//! work, and an error that may come from the missing file names it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Output;

use common::endpoints::echo_sts;
use common::{TempDir, stderr};

/// A home whose `.aws/credentials` (holding the default profile's keys) the binary cannot
/// read; the binary's command, run as a user who cannot.
fn unreadable_home(name: &str) -> (TempDir, tokio::process::Command) {
    let dir = TempDir::new(name);
    let home = dir.0.join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws/credentials"),
        "[default]\naws_access_key_id = AKIAHOME\naws_secret_access_key = HOMESECRET\n",
    )
    .unwrap();
    let binary = env!("CARGO_BIN_EXE_aws-login");
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let mut cmd = if root {
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        let mut cmd = tokio::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        cmd
    } else {
        std::fs::set_permissions(
            home.join(".aws/credentials"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        tokio::process::Command::new(binary)
    };
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "eu-west-1")
        .stdin(std::process::Stdio::null());
    (dir, cmd)
}

async fn run(mut cmd: tokio::process::Command, args: &[&str], env: &[(&str, &str)]) -> Output {
    let (sts, _) = echo_sts().await;
    cmd.args(args)
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn environment_keys_work_when_the_shared_files_cannot_be_read() {
    let (_dir, cmd) = unreadable_home("unreadable-env");
    let out = run(
        cmd,
        &["getcallerid", "--debug"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAENV"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        ],
    )
    .await;
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("user/AKIAENV"),
        "{err}"
    );
    assert!(
        err.contains(".aws/credentials: cannot be read, so it was skipped: Permission denied"),
        "{err}"
    );
    assert!(
        !err.contains("ENVSECRET") && !err.contains("HOMESECRET"),
        "{err}"
    );
}

#[tokio::test]
async fn a_profile_the_unreadable_file_may_hold_is_named_with_it() {
    let (_dir, cmd) = unreadable_home("unreadable-profile");
    let out = run(cmd, &["getcallerid", "--profile", "dev"], &[]).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("profile \"dev\" not found in the shared config or credentials file; aws-login skipped what it could not read in the shared files:")
            && err.contains(".aws/credentials: cannot be read, so it was skipped: Permission denied"),
        "{err}"
    );
}

#[tokio::test]
async fn no_credentials_names_the_file_that_could_not_be_read() {
    let (_dir, cmd) = unreadable_home("unreadable-none");
    let out = run(cmd, &["getcallerid"], &[]).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no credentials")
            && err
                .contains(".aws/credentials: cannot be read, so it was skipped: Permission denied"),
        "{err}"
    );
}

#[tokio::test]
async fn a_pipe_as_a_shared_file_is_skipped_not_waited_on() {
    let dir = TempDir::new("shared-file-fifo");
    let fifo = dir.0.join("credentials");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (sts, _) = echo_sts().await;
    let run = common::aws_login_command(&["getcallerid", "--debug"])
        .env("AWS_SHARED_CREDENTIALS_FILE", &fifo)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env("AWS_ACCESS_KEY_ID", "AKIAENV")
        .env("AWS_SECRET_ACCESS_KEY", "ENVSECRET")
        .kill_on_drop(true)
        .output();
    // Opening a pipe for reading waits for a writer that never comes.
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), run)
        .await
        .expect("aws-login waited on the pipe")
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("is a pipe or socket, not a file, so it was skipped"),
        "{err}"
    );
}

#[tokio::test]
async fn dev_null_as_a_shared_file_is_empty_and_unremarkable() {
    let (sts, _) = echo_sts().await;
    let out = common::aws_login_command(&["getcallerid", "--debug"])
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env("AWS_ACCESS_KEY_ID", "AKIAENV")
        .env("AWS_SECRET_ACCESS_KEY", "ENVSECRET")
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("shared files:"), "{err}");
}

#[tokio::test]
async fn without_home_a_folder_named_tilde_is_never_read() {
    // cron and `env -i` run without HOME: `~` is the user database's home, never `./~`.
    let dir = TempDir::new("no-home");
    std::fs::create_dir_all(dir.0.join("~/.aws")).unwrap();
    std::fs::write(
        dir.0.join("~/.aws/credentials"),
        "[default]\naws_access_key_id = AKIAPLANTED\naws_secret_access_key = PLANTEDSECRET\n",
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_aws-login"))
        .arg("dumpcreds")
        .current_dir(&dir.0)
        .env_clear()
        .env("HOME", "/dev/null/home")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!all.contains("AKIAPLANTED"), "{all}");
}
