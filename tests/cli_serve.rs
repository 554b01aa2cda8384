//! `aws-login serve` through the binary: the variables it prints, the container protocol
//! (wrong and missing tokens refused), the IMDSv2 emulation (the token required as on
//! EC2), renewal (a fake STS whose role credentials are always within 5 minutes of their
//! end, so each request renews), 10 idle connections that do not hold up a client, the
//! address checks, a stop that removes the env file; and botocore 1.44.5's container and
//! instance providers getting the identity and a renewed one from the relay.

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use common::endpoints::{Issued, assume_role_xml};
use common::mock::{reply, serve_with};
use common::{aws_login_command, stderr};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// A fake STS: AssumeRole gives ASIAROLE1, ASIAROLE2... each expiring in 4 minutes.
async fn fake_sts() -> (SocketAddr, Arc<Mutex<usize>>) {
    sts_answering(usize::MAX).await
}

/// [`fake_sts`] that answers `answered` requests, then none (the connection hangs).
async fn sts_answering(answered: usize) -> (SocketAddr, Arc<Mutex<usize>>) {
    let count: Arc<Mutex<usize>> = Arc::default();
    let n = count.clone();
    let (_, addr) = serve_with(move |_| {
        let mut n = n.lock().unwrap();
        *n += 1;
        if *n > answered {
            return common::mock::Answer::Hang;
        }
        let expires = common::homes::in_minutes(4);
        reply(
            200,
            &assume_role_xml(
                "relay",
                "aws-login",
                &Issued {
                    key: &format!("ASIAROLE{n}"),
                    secret: &format!("SECRET{n}"),
                    token: &format!("TOKEN{n}"),
                    expiration: &expires,
                },
            ),
        )
    })
    .await;
    (addr, count)
}

fn serve(sts: SocketAddr, args: &[&str]) -> tokio::process::Command {
    let mut all = vec![
        "serve",
        "--assume-roles",
        "arn:aws:iam::111122223333:role/relay",
    ];
    all.extend(args);
    let mut cmd = aws_login_command(&all);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAUSER")
        .env("AWS_SECRET_ACCESS_KEY", "USER-SECRET")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// The `export NAME='VALUE'` lines serve printed, as pairs.
async fn exports(child: &mut tokio::process::Child, count: usize) -> Vec<(String, String)> {
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut vars = Vec::new();
    for _ in 0..count {
        let line = lines.next_line().await.unwrap().unwrap();
        let (name, value) = line
            .strip_prefix("export ")
            .unwrap()
            .split_once('=')
            .unwrap();
        vars.push((name.to_owned(), value.trim_matches('\'').to_owned()));
    }
    // Then stdout is let go (while serving goes on): `eval "$(aws-login serve &)"` returns.
    assert_eq!(lines.next_line().await.unwrap(), None);
    vars
}

/// One raw HTTP/1.1 request; the status and body.
async fn get(addr: &str, head: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn value<'v>(vars: &'v [(String, String)], name: &str) -> &'v str {
    &vars.iter().find(|(n, _)| n == name).unwrap().1
}

#[tokio::test]
async fn the_relay_serves_renews_and_refuses() {
    let (sts, calls) = fake_sts().await;
    let mut child = serve(sts, &["--imds"]).spawn().unwrap();
    let vars = exports(&mut child, 3).await;
    let url = value(&vars, "AWS_CONTAINER_CREDENTIALS_FULL_URI").to_owned();
    let token = value(&vars, "AWS_CONTAINER_AUTHORIZATION_TOKEN").to_owned();
    assert_eq!(token.len(), 64);
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "{url}");
    assert_eq!(
        value(&vars, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
        format!("http://{addr}/")
    );

    // Missing and wrong tokens: 401, no credentials.
    let (status, body) = get(&addr, "GET /credentials HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(status, 401, "{body}");
    // The last character changed (a right prefix, one wrong character).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let wrong = format!(
        "GET /credentials HTTP/1.1\r\nHost: x\r\nAuthorization: {}{last}\r\n\r\n",
        &token[..63]
    );
    assert_eq!(get(&addr, &wrong).await.0, 401);

    // 10 connections that send nothing, or half a request, while a client is served.
    let mut idle = Vec::new();
    for n in 0..10 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        if n % 2 == 0 {
            stream
                .write_all(b"GET /credentials HTTP/1.1\r\nHost")
                .await
                .unwrap();
        }
        idle.push(stream);
    }
    let right = format!("GET /credentials HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\r\n");
    let (status, body) = get(&addr, &right).await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    // Within 5 minutes of their end: renewed for this request (STS call 2).
    assert_eq!(json["AccessKeyId"], "ASIAROLE2");
    assert_eq!(json["Token"], "TOKEN2");
    drop(idle);

    // IMDSv2: the token as on EC2.
    let put = "PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(get(&addr, put).await.0, 400, "no TTL header");
    let put = "PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\n\r\n";
    let (status, imds_token) = get(&addr, put).await;
    assert_eq!(status, 200);
    let role_path = "/latest/meta-data/iam/security-credentials/";
    assert_eq!(
        get(
            &addr,
            &format!("GET {role_path} HTTP/1.1\r\nHost: x\r\n\r\n")
        )
        .await
        .0,
        401,
        "IMDSv1"
    );
    let with = |path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nX-aws-ec2-metadata-token: {imds_token}\r\n\r\n")
    };
    assert_eq!(
        get(&addr, &with(role_path)).await,
        (200, "aws-login".to_owned())
    );
    let (status, body) = get(&addr, &with(&format!("{role_path}aws-login"))).await;
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["Code"], "Success");
    assert_eq!(doc["AccessKeyId"], "ASIAROLE3");
    assert_eq!(
        get(&addr, &with("/latest/meta-data/placement/region")).await,
        (200, "eu-west-1".to_owned())
    );

    // Stopped by SIGTERM: exit 0.
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("aws-login serve: stopped."), "{err}");
    for secret in [
        token.as_str(),
        "SECRET1",
        "SECRET2",
        "TOKEN2",
        "USER-SECRET",
        imds_token.as_str(),
    ] {
        assert!(!err.contains(secret), "{secret}: {err}");
    }
    assert_eq!(*calls.lock().unwrap(), 3);
}

#[tokio::test]
async fn the_env_file_is_private_and_removed_on_stop() {
    let (sts, _) = fake_sts().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aws.env");
    let mut child = serve(sts, &["--env-file", file.to_str().unwrap()])
        .spawn()
        .unwrap();
    // Its status line says the file is there.
    let mut err = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let line = err.next_line().await.unwrap().unwrap();
    assert!(line.contains("its variables are in"), "{line}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("\nAWS_CONTAINER_AUTHORIZATION_TOKEN="),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().await.unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!file.exists(), "the env file is removed");

    // A file that is there already is the user's: refused, kept.
    std::fs::write(&file, "OLD=1\n").unwrap();
    let out = serve(sts, &["--env-file", file.to_str().unwrap()])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("it is there already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "OLD=1\n");
}

#[tokio::test]
async fn addresses_other_machines_reach_need_allow_remote() {
    let (sts, calls) = fake_sts().await;
    for (args, want) in [
        (&["--listen", "0.0.0.0:0"][..], "add --allow-remote"),
        (
            &["--listen", "0.0.0.0:0", "--allow-remote", "--imds"][..],
            "it stays on loopback",
        ),
        (&["--listen", "localhost"][..], "not ADDRESS:PORT"),
    ] {
        let out = serve(sts, args).output().await.unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{}", stderr(&out));
    }
    assert_eq!(*calls.lock().unwrap(), 0, "nothing was sent");
    // Long-term keys: the container protocol needs an expiry.
    let mut cmd = aws_login_command(&["serve"]);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAUSER")
        .env("AWS_SECRET_ACCESS_KEY", "USER-SECRET");
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("serve needs temporary credentials"),
        "{}",
        stderr(&out)
    );
}

/// botocore's container provider, then its instance provider pointed at the relay with
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`: each gets the identity, and a renewed one when
/// it refreshes (the credentials are always within botocore's refresh window).
#[tokio::test]
async fn botocore_gets_the_identity_and_renewed_ones_from_the_relay() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let (sts, _) = fake_sts().await;
    let mut child = serve(sts, &["--imds"]).spawn().unwrap();
    let vars = exports(&mut child, 3).await;
    let script = r#"
import datetime, json, os, botocore.session
from dateutil.tz import tzlocal
def expired(c):
    # Time passes: botocore must refresh (botocore stretches IMDS expiries itself).
    c._expiry_time = datetime.datetime.now(tzlocal()) - datetime.timedelta(seconds=1)
    return c.get_frozen_credentials().access_key
out = {}
s = botocore.session.Session()
c = s.get_credentials()
out["container"] = [c.method, c.access_key, expired(c)]
del os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
del os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
s = botocore.session.Session()
c = s.get_credentials()
out["imds"] = [c.method, c.access_key, expired(c)]
print(json.dumps(out))
"#;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(&python);
    cmd.arg("-c")
        .arg(script)
        .env_clear()
        .env("HOME", dir.path())
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"));
    for (name, value) in &vars {
        cmd.env(name, value);
    }
    let out = cmd.output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys = |kind: &str| -> Vec<String> {
        said[kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let container = keys("container");
    assert_eq!(container[0], "container-role");
    assert!(container[1].starts_with("ASIAROLE") && container[2].starts_with("ASIAROLE"));
    assert_ne!(
        container[1], container[2],
        "botocore refreshed and got renewed credentials"
    );
    let imds = keys("imds");
    assert_eq!(imds[0], "iam-role");
    assert_ne!(imds[1], imds[2], "{imds:?}");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().await.unwrap().code(), Some(0));
}

/// An STS that answers once and then hangs: requests still get the credentials that
/// work (after at most the 1 s grace), instead of waiting on the renewal.
#[tokio::test]
async fn a_hanging_renewal_does_not_hold_up_clients() {
    let (sts, count) = sts_answering(1).await;
    let mut child = serve(sts, &[]).spawn().unwrap();
    let vars = exports(&mut child, 2).await;
    let url = value(&vars, "AWS_CONTAINER_CREDENTIALS_FULL_URI").to_owned();
    let token = value(&vars, "AWS_CONTAINER_AUTHORIZATION_TOKEN").to_owned();
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let right = format!("GET /credentials HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\r\n");
    for _ in 0..3 {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(30), get(&addr, &right))
            .await
            .expect("a request waited on the hanging renewal");
        assert_eq!(answer.0, 200, "{}", answer.1);
        assert!(answer.1.contains("ASIAROLE1"), "{}", answer.1);
    }
    assert_eq!(*count.lock().unwrap(), 2, "one renewal at a time");
    // Other methods and paths with the token: 405 and 404, not the credentials.
    let post = format!(
        "POST /credentials HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\nContent-Length: 0\r\n\r\n"
    );
    assert_eq!(get(&addr, &post).await.0, 405);
    let other = format!("GET /other HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n\r\n");
    assert_eq!(get(&addr, &other).await.0, 404);
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id().unwrap()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().await.unwrap().code(), Some(0));
}
