//! The assumed-role cache shared with the AWS CLI (`~/.aws/cli/cache`), through the
//! binary against the echoing fake STS: an MFA role asked for once between runs (the
//! second without a terminal), a 3-hop chain run twice calling STS three times, a
//! cached answer near its end renewed, a corrupt file replaced, an answer made under
//! other source keys not used, `--no-cache`, 8 processes making one AssumeRole, and
//! botocore (with the AWS CLI's JSONFileCache) using what aws-login cached and the
//! other way round.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use common::endpoints::echo_sts;
use common::{aws_login_command, stderr};

const ROLE: &str = "arn:aws:iam::111122223333:role/Admin";
const MFA: &str = "arn:aws:iam::111122223333:mfa/alice";

fn config(home: &Path) -> PathBuf {
    let path = home.join(".aws/config");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!(
            "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n\n\
             [profile admin]\nrole_arn = {ROLE}\nsource_profile = base\nmfa_serial = {MFA}\n\n\
             [profile two]\nrole_arn = arn:aws:iam::111122223333:role/Two\nsource_profile = admin\n\n\
             [profile three]\nrole_arn = arn:aws:iam::111122223333:role/Three\nsource_profile = two\n"
        ),
    )
    .unwrap();
    path
}

fn run(home: &Path, sts: std::net::SocketAddr, args: &[&str]) -> tokio::process::Command {
    let mut all = vec!["dumpcreds", "--credential-helper"];
    all.extend_from_slice(args);
    let mut cmd = aws_login_command(&all);
    cmd.env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join(".aws/config"))
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env("AWS_REGION", "eu-west-1");
    cmd
}

fn key_id(out: &std::process::Output) -> String {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    json["AccessKeyId"].as_str().unwrap_or_default().to_owned()
}

/// botocore's cache key of the `admin` profile's hop:
/// sha1(json.dumps({"RoleArn": ROLE, "SerialNumber": MFA}, sort_keys=True)).
fn admin_key() -> String {
    use sha1::Digest as _;
    let json = format!(r#"{{"RoleArn": "{ROLE}", "SerialNumber": "{MFA}"}}"#);
    hex::encode(sha1::Sha1::digest(json.as_bytes()))
}

fn assume_roles(log: &common::endpoints::Log) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("AssumeRole "))
        .count()
}

#[tokio::test]
async fn an_mfa_role_is_asked_for_once_and_a_chain_called_once() {
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let out = run(
        home.path(),
        sts,
        &["--profile", "admin", "--token-code", "123456"],
    )
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let first = key_id(&out);
    // The file, where and as the AWS CLI keeps it.
    let dir = home.path().join(".aws/cli/cache");
    let file = dir.join(format!("{}.json", admin_key()));
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(cached["Credentials"]["AccessKeyId"], first.as_str());
    assert_eq!(cached["Credentials"]["AccountId"], "111122223333");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    // Again, without a code and without a terminal: the cached answer, no request.
    let out = run(home.path(), sts, &["--profile", "admin", "--debug"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(key_id(&out), first);
    assert!(
        stderr(&out).contains("(from the cache "),
        "{}",
        stderr(&out)
    );
    assert_eq!(assume_roles(&log), 1);
    // A 3-hop chain whose first hop is that one, twice: two more AssumeRoles in all.
    for _ in 0..2 {
        let out = run(home.path(), sts, &["--profile", "three"])
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(assume_roles(&log), 3);
    // --no-cache: asked again (and without a terminal, refused before any request).
    let out = run(home.path(), sts, &["--profile", "admin", "--no-cache"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --token-code"));
    assert_eq!(assume_roles(&log), 3);
}

#[tokio::test]
async fn near_expiry_corrupt_and_foreign_answers_are_not_used() {
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let file = home
        .path()
        .join(".aws/cli/cache")
        .join(format!("{}.json", admin_key()));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let with = |expiration: &str, source: Option<&str>| {
        let mut doc = serde_json::json!({"Credentials": {"AccessKeyId": "ASIAOLD", "SecretAccessKey": "S",
            "SessionToken": "T", "Expiration": expiration},
            "AssumedRoleUser": {"Arn": "arn:aws:sts::111122223333:assumed-role/Admin/x"}});
        if let Some(source) = source {
            doc["AwsLogin"] = serde_json::json!({"Source": source});
        }
        doc.to_string()
    };
    let soon = (aws_login::time::Clock::now(&aws_login::time::SystemClock)
        + chrono::TimeDelta::minutes(10))
    .format("%Y-%m-%dT%H:%M:%SZ")
    .to_string();
    for (text, why) in [
        (with(&soon, None), "near its end"),
        ("{not json".to_owned(), "corrupt"),
        (
            with("2099-01-01T00:00:00UTC", Some("other-source")),
            "made under other keys",
        ),
    ] {
        std::fs::write(&file, &text).unwrap();
        let before = assume_roles(&log);
        let out = run(
            home.path(),
            sts,
            &["--profile", "admin", "--token-code", "123456"],
        )
        .output()
        .await
        .unwrap();
        assert!(out.status.success(), "{why}: {}", stderr(&out));
        assert_ne!(key_id(&out), "ASIAOLD", "{why}");
        assert_eq!(assume_roles(&log), before + 1, "{why}");
        // Replaced by the new answer.
        let now: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(
            now["Credentials"]["AccessKeyId"],
            key_id(&out).as_str(),
            "{why}"
        );
    }
    // The AWS CLI's own file (botocore's time format, no AwsLogin): used.
    std::fs::write(&file, with("2099-01-01T00:00:00UTC", None)).unwrap();
    let before = assume_roles(&log);
    let out = run(home.path(), sts, &["--profile", "admin"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(key_id(&out), "ASIAOLD");
    assert_eq!(assume_roles(&log), before);
    // A flag hop is cached per source keys: other keys, another AssumeRole.
    for (key, calls) in [("AKIAONE", 1), ("AKIAONE", 0), ("AKIATWO", 1)] {
        let before = assume_roles(&log);
        let out = run(
            home.path(),
            sts,
            &["--assume-roles", "arn:aws:iam::111122223333:role/Flag"],
        )
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", "s")
        .output()
        .await
        .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(assume_roles(&log), before + calls, "{key}");
    }
}

#[tokio::test]
async fn eight_processes_with_an_empty_cache_assume_the_role_once() {
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let runs: Vec<_> = (0..8)
        .map(|_| {
            run(
                home.path(),
                sts,
                &["--profile", "two", "--token-code", "123456"],
            )
            .output()
        })
        .collect();
    let mut keys = Vec::new();
    for run in runs {
        let out = run.await.unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        keys.push(key_id(&out));
    }
    // Two hops (admin, then two): each made once.
    assert_eq!(assume_roles(&log), 2, "{:?}", log.lock().unwrap());
    keys.dedup();
    assert_eq!(keys.len(), 1);
}

/// botocore 1.44.5 with the AWS CLI's cache (a JSONFileCache on ~/.aws/cli/cache for the
/// assume-role provider) uses the answer aws-login cached, without an AssumeRole; and
/// aws-login uses the one botocore cached.
#[tokio::test]
async fn botocore_and_aws_login_share_the_cache() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let script = r#"
import json, os, sys, botocore.session
from botocore.utils import JSONFileCache
s = botocore.session.Session(profile=sys.argv[1])
provider = s.get_component("credential_provider").get_provider("assume-role")
provider.cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
provider._prompter = lambda prompt: "654321"
c = s.get_credentials()
print(json.dumps({"method": c.method, "key": c.get_frozen_credentials().access_key}))
"#;
    let botocore = |profile: &'static str| {
        let mut cmd = tokio::process::Command::new(&python);
        cmd.args(["-c", script, profile])
            .env_clear()
            .env("HOME", home.path())
            .env("AWS_CONFIG_FILE", home.path().join(".aws/config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"))
            .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
            .env("AWS_DEFAULT_REGION", "eu-west-1")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        cmd
    };
    // aws-login first: botocore uses its answer.
    let out = run(
        home.path(),
        sts,
        &["--profile", "admin", "--token-code", "123456"],
    )
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let ours = key_id(&out);
    let out = botocore("admin").output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(said["method"], "assume-role");
    assert_eq!(
        said["key"],
        ours.as_str(),
        "botocore used aws-login's answer"
    );
    assert_eq!(assume_roles(&log), 1);
    // botocore first (after the file is gone): aws-login uses its answer.
    std::fs::remove_dir_all(home.path().join(".aws/cli/cache")).unwrap();
    let out = botocore("admin").output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(assume_roles(&log), 2);
    let out = run(home.path(), sts, &["--profile", "admin"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        key_id(&out),
        said["key"].as_str().unwrap(),
        "aws-login used botocore's"
    );
    assert_eq!(assume_roles(&log), 2);
}

/// GetSessionToken with MFA is cached too (per source keys): the second run makes no
/// call; other keys make their own.
#[tokio::test]
async fn a_session_token_with_mfa_is_made_once_per_source() {
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let calls = || {
        log.lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("GetSessionToken"))
            .count()
    };
    let mut keys = Vec::new();
    for (key, want) in [("AKIAONE", 1), ("AKIAONE", 1), ("AKIATWO", 2)] {
        let out = run(
            home.path(),
            sts,
            &[
                "--get-session-token",
                "--mfa-serial",
                MFA,
                "--token-code",
                "123456",
            ],
        )
        .env("AWS_ACCESS_KEY_ID", key)
        .env("AWS_SECRET_ACCESS_KEY", "s")
        .output()
        .await
        .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(calls(), want, "{key}");
        keys.push(key_id(&out));
    }
    assert_eq!(keys[0], keys[1]);
    assert_ne!(keys[1], keys[2]);
}

/// `mfa_arn` (what a widely shared guide says to write) is named with the key it should
/// be; `cache clear` removes what aws-login cached and keeps the AWS CLI's.
#[tokio::test]
async fn look_alike_keys_are_said_and_cache_clear_keeps_the_aws_clis() {
    let (sts, _) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    let path = config(home.path());
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!(
        "\n[profile guide]\nrole_arn = {ROLE}\nsource_profile = base\nmfa_arn = {MFA}\n"
    ));
    std::fs::write(&path, text).unwrap();
    let out = run(home.path(), sts, &["--profile", "guide"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: profile \"guide\" has mfa_arn, which no AWS tool reads: the key is mfa_serial"
        ),
        "{}",
        stderr(&out)
    );
    // Another profile does not warn about this one.
    let out = run(home.path(), sts, &["--profile", "base"])
        .output()
        .await
        .unwrap();
    assert!(!stderr(&out).contains("mfa_arn"));
    // cache clear: aws-login's answer goes, the AWS CLI's stays.
    let dir = home.path().join(".aws/cli/cache");
    let theirs = dir.join("0000000000000000000000000000000000000000.json");
    std::fs::write(
        &theirs,
        r#"{"Credentials": {"AccessKeyId": "ASIACLI", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2099-01-01T00:00:00UTC"}}"#,
    )
    .unwrap();
    let ours = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path() != theirs && e.path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(ours, 1);
    let out = aws_login_command(&["cache", "clear"])
        .env("HOME", home.path())
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("Removed 1 cached answer aws-login wrote"));
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(left, [theirs]);
}

/// A web identity role is cached under botocore's key; a new token is a new answer.
#[tokio::test]
async fn a_web_identity_role_is_cached_per_token() {
    use sha1::Digest as _;
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    let token = home.path().join("token");
    let calls = || {
        log.lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("AssumeRoleWithWebIdentity"))
            .count()
    };
    for (text, want) in [("TOKEN-1", 1), ("TOKEN-1", 1), ("TOKEN-2", 2)] {
        std::fs::write(&token, text).unwrap();
        let out = aws_login_command(&["dumpcreds", "--credential-helper"])
            .env("HOME", home.path())
            .env("AWS_ROLE_ARN", ROLE)
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token)
            .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
            .env("AWS_REGION", "eu-west-1")
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(calls(), want, "{text}");
    }
    // sha1(json.dumps({"RoleArn": ROLE}, sort_keys=True)), as botocore names it.
    let key = hex::encode(sha1::Sha1::digest(
        format!(r#"{{"RoleArn": "{ROLE}"}}"#).as_bytes(),
    ));
    assert!(
        home.path()
            .join(format!(".aws/cli/cache/{key}.json"))
            .exists()
    );
}

/// On a terminal: a 3-hop chain with an MFA hop asks for the code on the first run
/// only, and the second run makes no STS call at all.
#[tokio::test]
async fn on_a_terminal_the_code_is_asked_for_once() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let mut screens = Vec::new();
    for _ in 0..2 {
        let command = format!(
            "{} dumpcreds --credential-helper --profile three",
            env!("CARGO_BIN_EXE_aws-login")
        );
        let mut child = tokio::process::Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("AWS_CONFIG_FILE", home.path().join(".aws/config"))
            .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut screen = String::new();
        let mut buf = [0u8; 4096];
        // Answer a prompt if one comes; the run ends either way.
        loop {
            let n = tokio::time::timeout(std::time::Duration::from_secs(60), stdout.read(&mut buf))
                .await
                .expect("the run went quiet")
                .unwrap();
            if n == 0 {
                break;
            }
            screen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if screen.contains("MFA code for") && !screen.contains("123456") {
                stdin.write_all(b"123456\n").await.unwrap();
                screen.push_str("123456");
            }
        }
        assert!(child.wait().await.unwrap().success(), "{screen}");
        screens.push(screen);
    }
    assert!(
        screens[0].contains(&format!("MFA code for {MFA}: ")),
        "{}",
        screens[0]
    );
    assert!(
        !screens[1].contains("MFA code"),
        "asked again: {}",
        screens[1]
    );
    assert_eq!(assume_roles(&log), 3, "{:?}", log.lock().unwrap());
}

/// The chain's start, not the hop's immediate source, decides: an outer MFA hop stays
/// cached when an inner hop is made again; a command-line MFA hop that is cached runs
/// without a terminal; a cache file others may write is not trusted.
#[tokio::test]
async fn a_chain_keeps_its_outer_answers_and_untrusted_files_are_passed_by() {
    let (sts, log) = echo_sts().await;
    let home = tempfile::tempdir().unwrap();
    let path = config(home.path());
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!(
        "\n[profile inner]\nrole_arn = arn:aws:iam::111122223333:role/Inner\nsource_profile = base\n\n\
         [profile outer]\nrole_arn = arn:aws:iam::111122223333:role/Outer\nsource_profile = inner\nmfa_serial = {MFA}\n"
    ));
    std::fs::write(&path, text).unwrap();
    let out = run(
        home.path(),
        sts,
        &["--profile", "outer", "--token-code", "123456"],
    )
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let outer_key = key_id(&out);
    assert_eq!(assume_roles(&log), 2);
    // The inner hop's answer goes (as when it expires): only it is made again, and
    // without a terminal the outer MFA hop's answer still serves.
    use sha1::Digest as _;
    let inner = hex::encode(sha1::Sha1::digest(
        br#"{"RoleArn": "arn:aws:iam::111122223333:role/Inner"}"#,
    ));
    let dir = home.path().join(".aws/cli/cache");
    std::fs::remove_file(dir.join(format!("{inner}.json"))).unwrap();
    let out = run(home.path(), sts, &["--profile", "outer"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(key_id(&out), outer_key);
    assert_eq!(assume_roles(&log), 3);
    // A command-line MFA hop, cached: no terminal needed the second time.
    let flag = [
        "--assume-roles",
        "arn:aws:iam::111122223333:role/Flag",
        "--mfa-serial",
        MFA,
    ];
    let mut with_code = flag.to_vec();
    with_code.extend(["--token-code", "123456"]);
    for args in [with_code.as_slice(), flag.as_slice()] {
        let out = run(home.path(), sts, args)
            .env("AWS_ACCESS_KEY_ID", "AKIAFLAG")
            .env("AWS_SECRET_ACCESS_KEY", "s")
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(assume_roles(&log), 4);
    // A file others may write: passed by (and replaced by a new answer).
    let admin = dir.join(format!("{}.json", admin_key()));
    std::fs::write(
        &admin,
        r#"{"Credentials": {"AccessKeyId": "ASIAPLANTED", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2099-01-01T00:00:00UTC"}}"#,
    )
    .unwrap();
    std::fs::set_permissions(&admin, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = run(
        home.path(),
        sts,
        &["--profile", "admin", "--token-code", "123456"],
    )
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(key_id(&out), "ASIAPLANTED");
    assert_eq!(assume_roles(&log), 5);
}
