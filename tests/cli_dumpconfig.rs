//! `aws-login dumpconfig` against the fake Identity Center (`AWS_ENDPOINT_URL_SSO`): every
//! page of ListAccounts and ListAccountRoles (throttling retried), the seed's output,
//! `--merge` into a hand-written file (its mode kept, a backup left, nothing changed the
//! second time), `--diff`, `--prune`, a refused token ("sign in again" with the command),
//! an HTML error page; and the merged file read by botocore, whose SSO provider must give
//! each generated profile the credentials of its own account and role.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

use common::identity_center::{FakeAccount, State, start};
use common::{aws_login_command, stderr, text};

const START_URL: &str = "https://d-987654321d.awsapps.com/start";

fn account(id: &str, name: &str, roles: &[&str]) -> FakeAccount {
    FakeAccount {
        id: id.into(),
        name: name.into(),
        email: format!("{id}@example.com"),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
    }
}

/// The fake with five accounts on three pages (two per page), roles paginated too.
async fn portal() -> (SocketAddr, Arc<Mutex<State>>) {
    let (addr, _, state) = start(vec![]).await;
    {
        let mut s = state.lock().unwrap();
        s.accounts = vec![
            account(
                "333333333333",
                "prod",
                &["ReadOnlyAccess", "AdministratorAccess", "Billing"],
            ),
            account("111111111111", "dev team", &["AdministratorAccess"]),
            account("222222222222", "dev-team", &["AdministratorAccess"]),
            account("444444444444", "Shared [EU]", &["Power User"]),
            account("555555555555", "Données", &["ReadOnlyAccess"]),
        ];
        s.page_size = 2;
        // A token issued before (as if signed in).
        s.issued = 1;
    }
    (addr, state)
}

fn dumpconfig(addr: SocketAddr, home: &std::path::Path, args: &[&str]) -> tokio::process::Command {
    let mut all = vec!["dumpconfig"];
    all.extend(args);
    let mut cmd = aws_login_command(&all);
    cmd.env("HOME", home)
        .env("AWS_ENDPOINT_URL_SSO", format!("http://{addr}"))
        .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{addr}"));
    cmd
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/dumpconfig")
            .join(name),
    )
    .unwrap()
}

#[tokio::test]
async fn every_page_of_every_list_makes_the_seeds_output() {
    let (addr, state) = portal().await;
    state.lock().unwrap().throttle = 2;
    let home = tempfile::tempdir().unwrap();
    let out = dumpconfig(
        addr,
        home.path(),
        &[
            "--sso-access-token",
            "ACCESS-1",
            "--start-url",
            START_URL,
            "--sso-region",
            "eu-west-1",
        ],
    )
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let printed = text(&out.stdout);
    if std::env::var_os("AWS_LOGIN_UPDATE_GOLDEN").is_some() {
        std::fs::write(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/golden/dumpconfig/cli_stdout.ini"),
            &printed,
        )
        .unwrap();
    }
    assert_eq!(printed, golden("cli_stdout.ini"));
    assert_eq!(err, "Listing the roles of 5 accounts…\n");
    assert!(!err.contains("ACCESS-1"));
    let calls = state.lock().unwrap().list_calls.clone();
    assert_eq!(
        &calls[..2],
        ["throttled", "throttled"],
        "retried: {calls:?}"
    );
    for call in [
        "accounts -",
        "accounts p2",
        "accounts p4",
        "roles 333333333333 -",
        "roles 333333333333 p2",
    ] {
        assert!(calls.iter().any(|c| c == call), "{call} missing: {calls:?}");
    }
    assert_eq!(calls.len(), 2 + 3 + 6, "{calls:?}");
}

#[tokio::test]
async fn merge_diff_and_prune_on_a_hand_written_file() {
    let (addr, state) = portal().await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("config");
    let hand_written = "# mine\r\n[default]\r\nregion = eu-central-1\r\n\r\n[profile work]\r\ncredential_process = /bin/helper\r\n  --flag";
    std::fs::write(&file, hand_written).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let path = file.to_str().unwrap();
    let token = ["--sso-access-token", "ACCESS-1", "--start-url", START_URL];

    // --diff: what would change, nothing written.
    let mut args = token.to_vec();
    args.extend(["--merge", path, "--diff"]);
    let out = dumpconfig(addr, home.path(), &args).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let diff = text(&out.stdout);
    assert!(
        diff.starts_with(&format!("--- {path}\n+++ {path} (merged)\n")),
        "{diff}"
    );
    assert!(diff.contains("+[profile prod-Billing]\r\n"), "{diff}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), hand_written);
    assert!(!home.path().join("config.bak").exists());

    // --merge: written, the mode kept, the old file kept as .bak.
    let mut args = token.to_vec();
    args.extend(["--merge", path]);
    let out = dumpconfig(addr, home.path(), &args).output().await.unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout, b"");
    assert!(err.contains("8 added, 0 updated, 0 unchanged"), "{err}");
    assert!(
        err.contains(&format!("Wrote {path} (the old one is {path}.bak).")),
        "{err}"
    );
    let merged = std::fs::read_to_string(&file).unwrap();
    assert!(merged.starts_with(hand_written), "{merged:?}");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("config.bak")).unwrap(),
        hand_written
    );

    // Again: nothing to do.
    let out = dumpconfig(addr, home.path(), &args).output().await.unwrap();
    let err = stderr(&out);
    assert!(err.contains(&format!("{path} is up to date.")), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), merged);

    // An account goes away: kept without --prune, removed with it, and only it.
    state
        .lock()
        .unwrap()
        .accounts
        .retain(|a| a.id != "555555555555");
    let out = dumpconfig(addr, home.path(), &args).output().await.unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("no longer assigned, kept (--prune removes them): Données-ReadOnlyAccess"),
        "{err}"
    );
    let mut prune = args.clone();
    prune.push("--prune");
    let out = dumpconfig(addr, home.path(), &prune)
        .output()
        .await
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("removed (no longer assigned): Données-ReadOnlyAccess"),
        "{err}"
    );
    let pruned = std::fs::read_to_string(&file).unwrap();
    assert!(pruned.starts_with(hand_written));
    assert!(!pruned.contains("555555555555"));
    assert_eq!(pruned.matches("[profile ").count(), 1 + 6);
}

#[tokio::test]
async fn refusals_say_what_to_do() {
    let (addr, _) = portal().await;
    let home = tempfile::tempdir().unwrap();
    // An expired or unknown token: sign in again, with the command.
    let out = dumpconfig(
        addr,
        home.path(),
        &["--sso-access-token", "EXPIRED", "--start-url", START_URL],
    )
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.starts_with(&format!(
            "error: Identity Center refused the access token (expired or signed out): sign in again with `aws-login sso login --start-url {START_URL}`"
        )),
        "{err}"
    );
    assert!(!err.contains("EXPIRED"), "{err}");

    // An HTML error page instead of the portal.
    let (_, html) = common::mock::serve_with(|_| {
        common::mock::reply(502, "<html><body>Bad Gateway</body></html>")
            .with_header("Content-Type", "text/html")
    })
    .await;
    let out = dumpconfig(
        html,
        home.path(),
        &["--sso-access-token", "T", "--start-url", START_URL],
    )
    .env("AWS_MAX_ATTEMPTS", "1")
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.starts_with("error: ListAccounts/ListAccountRoles failed"),
        "{err}"
    );

    // Usage errors, before anything is sent.
    for (args, expected) in [
        (
            &["--sso-region", "eu-west-1"][..],
            "error: dumpconfig needs an Identity Center token: --start-url URL (sign in), --sso-access-token, --accesstoken-cache or --use-cache\n",
        ),
        (
            &["--use-cache", "--sso-access-token", "T"][..],
            "error: --sso-access-token and --use-cache exclude each other\n",
        ),
        (
            &["--use-cache", "--prune"][..],
            "error: --prune applies to --merge FILE, and none is given\n",
        ),
        (
            &["--use-cache", "--profile-name-template", "{name}"][..],
            "error: --profile-name-template: unknown placeholder {name} (known: {account_name}, {account_id}, {role_name}, {account_email}, {sso_session})\n",
        ),
        (
            &["--sso-access-token", "T", "--merge", "/tmp/x"][..],
            "error: --merge needs the start URL to write (--start-url): the access token alone does not say it\n",
        ),
    ] {
        let out = dumpconfig(addr, home.path(), args).output().await.unwrap();
        assert_eq!(stderr(&out), expected, "{args:?}");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

/// The whole way a new user goes: dumpconfig signs in (and keeps the token), merges into
/// ~/.aws/config, `sso login --sso-session` signs the session in as the AWS CLI would;
/// then botocore reads the file and its SSO provider gives each generated profile its
/// own account's and role's credentials.
#[tokio::test]
async fn botocore_resolves_every_generated_profile() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let (addr, state) = portal().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".aws/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "[default]\nregion = eu-central-1\n").unwrap();
    let browser =
        "python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' %s";
    let out = dumpconfig(
        addr,
        home.path(),
        &[
            "--start-url",
            START_URL,
            "--use-cache",
            "--merge",
            "~/.aws/config",
            "--region",
            "eu-west-1",
        ],
    )
    .env("AWS_LOGIN_BROWSER", browser)
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = aws_login_command(&["sso", "login", "--sso-session", "my-sso"])
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", format!("http://{addr}"))
        .env("AWS_LOGIN_BROWSER", browser)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let script = r#"
import json, sys, botocore.session
out = {}
s = botocore.session.Session()
for name in s.available_profiles:
    if name == "default":
        continue
    p = botocore.session.Session(profile=name)
    c = p.get_credentials().get_frozen_credentials()
    cfg = p.get_scoped_config()
    out[name] = [cfg.get("sso_account_id"), cfg.get("sso_role_name"), c.access_key, c.token, cfg.get("region")]
print(json.dumps(out, sort_keys=True))
"#;
    // Awaited: the fake portal runs on this test's runtime.
    let result = tokio::process::Command::new(&python)
        .args(["-c", script])
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"))
        .env("AWS_ENDPOINT_URL_SSO", format!("http://{addr}"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .await
        .unwrap();
    assert!(result.status.success(), "{}", text(&result.stderr));
    let profiles: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    let profiles = profiles.as_object().unwrap();
    let assigned: usize = state
        .lock()
        .unwrap()
        .accounts
        .iter()
        .map(|a| a.roles.len())
        .sum();
    assert_eq!(profiles.len(), assigned, "{profiles:?}");
    for (name, values) in profiles {
        let [account, role, key, token, region] = values.as_array().unwrap().as_slice() else {
            panic!("{name}: {values}");
        };
        let (account, role) = (account.as_str().unwrap(), role.as_str().unwrap());
        assert_eq!(key.as_str().unwrap(), format!("ASIA{account}"), "{name}");
        assert_eq!(
            token.as_str().unwrap(),
            format!("SSOTOKEN-{account}-{role}"),
            "{name}"
        );
        assert_eq!(region, "eu-west-1", "{name}");
    }
}

/// What a helper found breaking the user's file: special files, symlinks, owners,
/// read-only and hard-linked files, concurrent merges, values that would write keys of
/// their own, prunes of what is still assigned, names moved to other accounts.
#[tokio::test]
async fn the_users_file_is_never_harmed() {
    use std::os::unix::fs::MetadataExt;
    let (addr, state) = portal().await;
    let home = tempfile::tempdir().unwrap();
    let token = ["--sso-access-token", "ACCESS-1", "--start-url", START_URL];
    let merge = |path: &str| {
        let mut args = token.to_vec();
        args.extend(["--merge", path]);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let run = async |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        dumpconfig(addr, home.path(), &args).output().await.unwrap()
    };

    // Not a regular file: refused before anything is read (a FIFO would hang a read).
    let fifo = home.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = run(merge(fifo.to_str().unwrap())).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("it is not a regular file"),
        "{}",
        stderr(&out)
    );
    assert!(
        !home.path().join("fifo.lock").exists(),
        "no lock file beside it"
    );
    let out = run(merge(home.path().to_str().unwrap())).await;
    assert!(
        stderr(&out).contains("it is not a regular file"),
        "{}",
        stderr(&out)
    );

    // Read-only and hard-linked files are refused, untouched.
    let read_only = home.path().join("ro");
    std::fs::write(&read_only, "[default]\n").unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(merge(read_only.to_str().unwrap())).await;
    assert!(stderr(&out).contains("it is read-only"), "{}", stderr(&out));
    let linked = home.path().join("linked");
    std::fs::write(&linked, "[default]\n").unwrap();
    std::fs::hard_link(&linked, home.path().join("other-link")).unwrap();
    let out = run(merge(linked.to_str().unwrap())).await;
    assert!(
        stderr(&out).contains("other hard links"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&linked).unwrap(), "[default]\n");

    // A dangling symlink: the file is written where it points.
    let target = home.path().join("dotfiles/aws-config");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let link = home.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = run(merge(link.to_str().unwrap())).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("[sso-session my-sso]")
    );

    // The owner is kept (a merge run by root for another user's file).
    let owned = home.path().join("owned");
    std::fs::write(&owned, "[default]\n").unwrap();
    if std::os::unix::fs::chown(&owned, Some(65534), Some(65534)).is_ok() {
        let out = run(merge(owned.to_str().unwrap())).await;
        assert!(out.status.success(), "{}", stderr(&out));
        let meta = std::fs::metadata(&owned).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }

    // Two merges at once, into one file, for two sessions: neither is lost.
    let shared = home.path().join("shared");
    let mut first = merge(shared.to_str().unwrap());
    first.extend(["--sso-session-name".into(), "one".into()]);
    let mut second = merge(shared.to_str().unwrap());
    second.extend(["--sso-session-name".into(), "two".into()]);
    let (a, b) = tokio::join!(run(first), run(second));
    assert!(
        a.status.success() && b.status.success(),
        "{}{}",
        stderr(&a),
        stderr(&b)
    );
    let both = std::fs::read_to_string(&shared).unwrap();
    assert!(
        both.contains("[sso-session one]") && both.contains("[sso-session two]"),
        "{both}"
    );

    // A line break in a flag or in the portal's answer never writes a key.
    let file = home.path().join("config");
    let mut args = merge(file.to_str().unwrap());
    args.extend([
        "--region".into(),
        "eu-west-1\ncredential_process = touch /tmp/x".into(),
    ]);
    let out = run(args).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!file.exists());
    state.lock().unwrap().accounts.push(FakeAccount {
        id: "999999999999".into(),
        name: "evil".into(),
        email: "e".into(),
        roles: vec!["Admin\n[profile evil]\ncredential_process = touch /tmp/x".into()],
    });
    let out = run(merge(file.to_str().unwrap())).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot be written to a config file"),
        "{}",
        stderr(&out)
    );
    assert!(!file.exists());
    state.lock().unwrap().accounts.pop();

    // Two profiles of one assignment (a second one by hand-copy): --prune keeps both.
    let out = run(merge(file.to_str().unwrap())).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    let copy = text.replace("[profile prod-Billing]", "[profile prod-Billing-eu]");
    let start = copy.find("[profile prod-Billing-eu]").unwrap();
    let end = copy[start..]
        .find("\n\n")
        .map_or(copy.len(), |e| start + e + 2);
    std::fs::write(&file, format!("{text}\n{}", &copy[start..end])).unwrap();
    let mut prune = merge(file.to_str().unwrap());
    prune.push("--prune".into());
    let out = run(prune.clone()).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.contains("[profile prod-Billing-eu]") && after.contains("[profile prod-Billing]")
    );

    // An account goes and another of the same name comes with the role: the name never
    // moves to the new account; the old profile goes only with --prune.
    {
        let mut s = state.lock().unwrap();
        s.accounts[0].roles.retain(|r| r != "Billing");
        s.accounts
            .push(account("888888888888", "prod", &["Billing"]));
    }
    let out = run(prune).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        !after.contains("sso_account_id = 333333333333\nsso_role_name = Billing"),
        "{after}"
    );
    assert!(
        after.contains("[profile prod-Billing-888888888888]"),
        "{after}"
    );
}
