//! `dumpcreds --write-profile NAME`: the acquired temporary credentials written into the
//! shared credentials file, checked against golden files (every other byte kept, the
//! keys set in place, a new profile appended), 0600, the old file kept as `.bak`; and
//! each refusal (long-term keys in the profile, the source profile, long-term
//! credentials, a bad name) with nothing written. botocore reading the written profile
//! on moto is in `.ci/moto_interop.py`.

use crate::common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use common::endpoints::{Issued, assume_role_xml};
use common::mock::{reply, serve_with};
use common::{aws_login_command, stderr, text};

const ROLE: &str = "arn:aws:iam::111122223333:role/ci";

fn golden(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/write_profile")
            .join(name),
    )
    .unwrap()
}

async fn fake_sts() -> std::net::SocketAddr {
    serve_with(|_| {
        reply(
            200,
            &assume_role_xml(
                "ci",
                "aws-login",
                &Issued {
                    key: "ASIANEW",
                    secret: "NEW-SECRET",
                    token: "NEW-TOKEN",
                    expiration: "2099-01-01T00:00:00Z",
                },
            ),
        )
    })
    .await
    .1
}

fn write_profile(sts: std::net::SocketAddr, file: &Path, args: &[&str]) -> tokio::process::Command {
    let mut all = vec!["dumpcreds", "--assume-roles", ROLE];
    all.extend(args);
    let mut cmd = aws_login_command(&all);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAUSER")
        .env("AWS_SECRET_ACCESS_KEY", "USER-SECRET")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env("AWS_SHARED_CREDENTIALS_FILE", file);
    cmd
}

#[tokio::test]
async fn temporary_credentials_are_written_in_place_and_everything_else_kept() {
    let sts = fake_sts().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(&file, golden("before.ini")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();

    // An existing temporary profile: its keys replaced in place, its region kept.
    let out = write_profile(sts, &file, &["--write-profile", "ci"])
        .output()
        .await
        .unwrap();
    let (so, se) = (text(&out.stdout), stderr(&out));
    assert!(out.status.success(), "{se}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        golden("after_ci.ini")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("credentials.bak")).unwrap(),
        golden("before.ini")
    );
    assert!(so.starts_with(&format!("[ci] in {}: aws_access_key_id = ASIANEW, aws_secret_access_key, aws_session_token; they expire at 2099-01-01T00:00:00Z", file.display())), "{so}");
    assert!(se.contains("was mode 644: it is written 0600 now"), "{se}");
    for secret in ["NEW-SECRET", "NEW-TOKEN", "USER-SECRET"] {
        assert!(!so.contains(secret) && !se.contains(secret), "{secret}");
    }
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(dir.path().join("credentials.bak"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    // A new profile: appended, a blank line apart, the rest untouched.
    let out = write_profile(sts, &file, &["--write-profile", "fresh"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        golden("after_fresh.ini")
    );

    // A file not there yet: created 0600, in a folder created 0700.
    let new = dir.path().join("home/.aws/credentials");
    let out = write_profile(sts, &new, &["--write-profile", "default"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&new).unwrap(),
        "[default]\naws_access_key_id = ASIANEW\naws_secret_access_key = NEW-SECRET\naws_session_token = NEW-TOKEN\n"
    );
    assert_eq!(
        std::fs::metadata(&new).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test]
async fn refusals_write_nothing() {
    let sts = fake_sts().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(&file, golden("before.ini")).unwrap();
    let unchanged = |what: &str| {
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            golden("before.ini"),
            "{what}"
        );
        assert!(!dir.path().join("credentials.bak").exists(), "{what}");
    };

    // Long-term keys in the profile: refused, then replaced with --force.
    let out = write_profile(sts, &file, &["--write-profile", "default"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("[default] in") && stderr(&out).contains("holds long-term keys"),
        "{}",
        stderr(&out)
    );
    unchanged("long-term keys");

    // Bad names and flags: usage errors.
    for args in [
        &["--write-profile", "profile ci"][..],
        &["--write-profile", "a]b"][..],
        &["--write-profile", "ci", "--credential-helper"][..],
        &["--force"][..],
    ] {
        let out = write_profile(sts, &file, args).output().await.unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        unchanged("usage");
    }

    // Long-term credentials: not what it is for.
    let mut cmd = aws_login_command(&["dumpcreds", "--write-profile", "ci"]);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAUSER")
        .env("AWS_SECRET_ACCESS_KEY", "USER-SECRET")
        .env("AWS_SHARED_CREDENTIALS_FILE", &file);
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("writes temporary credentials"),
        "{}",
        stderr(&out)
    );
    unchanged("long-term credentials");

    // The profile the credentials come from: its keys would hide its role from then on.
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        format!("[profile ci]\nrole_arn = {ROLE}\nsource_profile = last\n"),
    )
    .unwrap();
    let mut cmd = aws_login_command(&["dumpcreds", "--profile", "ci", "--write-profile", "ci"]);
    cmd.env("AWS_CONFIG_FILE", &config)
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env("AWS_SHARED_CREDENTIALS_FILE", &file)
        .env("HOME", dir.path());
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the credentials come from profile \"ci\""),
        "{}",
        stderr(&out)
    );
    unchanged("source profile");

    // The section twice, or spaced: which one is meant cannot be told.
    for text in [
        "[ci]\na = 1\n[ci]\nb = 2\n",
        "[ ci ]\naws_session_token = x\n",
    ] {
        let odd = dir.path().join("odd");
        std::fs::write(&odd, text).unwrap();
        let out = write_profile(sts, &odd, &["--write-profile", "ci"])
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{text:?}");
        assert!(
            stderr(&out).contains("has [ci] more than once"),
            "{}",
            stderr(&out)
        );
        assert_eq!(std::fs::read_to_string(&odd).unwrap(), text);
    }

    // --force replaces long-term keys, the old file kept.
    let out = write_profile(sts, &file, &["--write-profile", "default", "--force"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("credentials.bak")).unwrap(),
        golden("before.ini")
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("[default]\naws_access_key_id = ASIANEW\n")
    );
}
