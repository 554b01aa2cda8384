//! `aws-login request` against botocore 1.44.5, on the wire: each request the binary
//! sends (recorded by the mock) is signed again by botocore's `SigV4Auth` or
//! `S3SigV4Auth` from the same method, URL, signed headers, body and time, and the
//! `Authorization` header must be the same byte for byte (as the signer's differential
//! tests check the signer alone). The cases: a GET with a query to sort, a form POST, a
//! JSON PUT, an S3 PUT and GET (keys with spaces, unicode, `//`), and one with a session
//! token.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use base64::Engine as _;
use common::mock::{ok, start};
use common::{aws_login_command, stderr};

const SCRIPT: &str = r#"
import base64, datetime, json, sys
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for case in json.load(sys.stdin):
    when = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda: when
    creds = Credentials(case["key"], case["secret"], case["token"])
    cls = botocore.auth.S3SigV4Auth if case["s3"] else botocore.auth.SigV4Auth
    auth = cls(creds, case["service"], case["region"])
    request = AWSRequest(method=case["method"], url=case["url"], data=base64.b64decode(case["body"]))
    for name, value in case["headers"]:
        request.headers[name] = value
    auth.add_auth(request)
    out.append(request.headers["Authorization"])
print(json.dumps(out))
"#;

#[tokio::test]
async fn botocore_signs_what_aws_login_sent_the_same_way() {
    let Some(python) = common::botocore::python() else {
        return;
    };
    let cases: Vec<(Vec<&str>, bool, bool)> = vec![
        (
            vec![
                "GET",
                "/path/to?z=1&a=2&a=1&sp=a%20b",
                "--service",
                "execute-api",
            ],
            false,
            false,
        ),
        (
            vec![
                "POST",
                "/",
                "--service",
                "sts",
                "-d",
                "Action=GetCallerIdentity&Version=2011-06-15",
            ],
            false,
            false,
        ),
        (
            vec![
                "PUT",
                "/items/caf\u{e9}",
                "--service",
                "execute-api",
                "--json",
                r#"{"a":[1,2]}"#,
                "-H",
                "X-Extra:  two  spaces ",
            ],
            false,
            false,
        ),
        (
            vec![
                "PUT",
                "/bucket/my key/\u{e9}t\u{e9}.txt",
                "--service",
                "s3",
                "--data-binary",
                "hello",
            ],
            true,
            false,
        ),
        (
            vec![
                "GET",
                "/bucket//a/./b?list-type=2&prefix=x%2Fy",
                "--service",
                "s3",
            ],
            true,
            false,
        ),
        (vec!["GET", "/", "--service", "sts"], false, true),
    ];
    let mut inputs = Vec::new();
    let mut sent = Vec::new();
    for (args, s3, token) in &cases {
        let (mock, addr) = start(vec![ok("fine")]).await;
        let url = format!("http://{addr}{}", args[1]);
        let mut all = vec!["request", args[0], url.as_str(), "--region", "eu-west-1"];
        all.extend_from_slice(&args[2..]);
        let mut cmd = aws_login_command(&all);
        cmd.env("AWS_ACCESS_KEY_ID", "AKIDDIFF")
            .env("AWS_SECRET_ACCESS_KEY", "diff/secret+key");
        if *token {
            cmd.env("AWS_SESSION_TOKEN", "DIFF//TOKEN+=");
        }
        let out = cmd.output().await.unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let req = mock.seen.lock().unwrap()[0].clone();
        let authorization = req.header("authorization").unwrap().to_owned();
        let signed: Vec<&str> = authorization
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap()
            .split(';')
            .collect();
        // botocore adds the date, token and payload hash itself.
        let headers: Vec<(String, String)> = signed
            .iter()
            .filter(|n| {
                !matches!(
                    **n,
                    "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
                )
            })
            .map(|n| ((*n).to_owned(), req.header(n).unwrap().to_owned()))
            .collect();
        inputs.push(serde_json::json!({
            "method": req.method(),
            "url": format!("http://{addr}{}", req.target()),
            "headers": headers,
            "body": base64::engine::general_purpose::STANDARD.encode(req.body.as_bytes()),
            "time": req.header("x-amz-date").unwrap(),
            "key": "AKIDDIFF",
            "secret": "diff/secret+key",
            "token": token.then_some("DIFF//TOKEN+="),
            "s3": s3,
            "service": args[3],
            "region": "eu-west-1",
        }));
        sent.push(authorization);
    }
    let mut child = tokio::process::Command::new(&python)
        .args(["-c", SCRIPT])
        .env("PYTHONUTF8", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use tokio::io::AsyncWriteExt as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(serde_json::to_string(&inputs).unwrap().as_bytes())
            .await
            .unwrap();
    }
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let botocore: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    for ((case, ours), theirs) in cases.iter().zip(&sent).zip(&botocore) {
        assert_eq!(ours, theirs, "{:?}", case.0);
    }
}
