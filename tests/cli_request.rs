//! `aws-login request` through the binary, against in-process fakes that verify each
//! signature with the project's own verifier (tests/common/verifier.rs): GET and POST
//! with queries and unicode paths, S3-mode keys with `//` and `..`, SigV4a, a 64 MiB
//! upload streamed from disk whose hash the fake checks as it reads it, AWS errors with
//! their code and request id, `--fail`, a redirect that is not followed, `-v` with the
//! signature and token redacted, `-o`/`-i`, retries only where they are safe, and what
//! is refused before anything is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use common::mock::{Answer, Request, ok, reply, serve_with};
use common::verifier::verify;
use common::{aws_login_command, stderr, text};

const KEY: &str = "AKIDREQUEST";
const SECRET: &str = "request-secret-key";
const TOKEN: &str = "REQUEST-SESSION-TOKEN";

/// A fake API: each request's signature is verified (`s3`: S3's rules); a good one gets
/// `answer`, a bad one a 403. The log: `METHOD target verdict`.
async fn fake(
    s3: bool,
    answer: impl Fn(&Request) -> Answer + Send + Sync + 'static,
) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = log.clone();
    let (_, addr) = serve_with(move |req| {
        let verdict = verify(req, SECRET, s3);
        seen.lock().unwrap().push(format!(
            "{} {} {}",
            req.method(),
            req.target(),
            verdict.clone().err().unwrap_or_else(|| "ok".into())
        ));
        match verdict {
            Ok(()) => answer(req),
            Err(_) => reply(
                403,
                "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error><RequestId>bad</RequestId></ErrorResponse>",
            ),
        }
    })
    .await;
    (addr, log)
}

fn request(args: &[&str]) -> tokio::process::Command {
    let mut all = vec!["request"];
    all.extend_from_slice(args);
    let mut cmd = aws_login_command(&all);
    cmd.env("AWS_ACCESS_KEY_ID", KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env("AWS_MAX_ATTEMPTS", "3");
    cmd
}

#[tokio::test]
async fn get_and_post_are_signed_as_the_service_checks_them() {
    let (addr, log) = fake(false, |req| ok(&format!("{}|{}", req.target(), req.body))).await;
    let url = format!("http://{addr}/caf\u{e9}/a b?b=2&a=1&x=%2F");
    let out = request(&[&url, "--service", "execute-api", "--region", "eu-west-1"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "/caf%C3%A9/a%20b?b=2&a=1&x=%2F|");
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let out = request(&[
        &format!("http://{addr}/items"),
        "--service",
        "execute-api",
        "--region",
        "eu-west-1",
        "-d",
        "a=1",
        "-d",
        "b=2",
        "-H",
        "X-Custom: yes",
    ])
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "/items|a=1&b=2");
    let out = request(&[
        "PUT",
        &format!("http://{addr}/json"),
        "--service",
        "execute-api",
        "--region",
        "eu-west-1",
        "--json",
        r#"{"k":"v"}"#,
    ])
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        *log.lock().unwrap(),
        [
            "GET /caf%C3%A9/a%20b?b=2&a=1&x=%2F ok",
            "POST /items ok",
            "PUT /json ok"
        ]
    );
}

#[tokio::test]
async fn s3_keys_keep_their_slashes_and_dots_and_sigv4a_verifies() {
    let (addr, log) = fake(true, |req| ok(req.target())).await;
    for key in [
        "/bucket//double",
        "/bucket/a/../b",
        "/bucket/sp%20ace/%C3%A9",
    ] {
        let out = request(&[
            &format!("http://{addr}{key}"),
            "--service",
            "s3",
            "--region",
            "us-west-2",
        ])
        .output()
        .await
        .unwrap();
        assert!(out.status.success(), "{key}: {}", stderr(&out));
        assert_eq!(text(&out.stdout), key, "sent as written");
    }
    let out = request(&[
        &format!("http://{addr}/bucket/mrap-object"),
        "--service",
        "s3",
        "--sigv4a",
    ])
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let log = log.lock().unwrap();
    assert!(log.iter().all(|l| l.ends_with(" ok")), "{log:?}");
    assert_eq!(log.len(), 4);
}

/// A server that reads an upload as it comes, hashing it, and checks it against the
/// signed `x-amz-content-sha256` and `Content-Length`: `(length, hash, verdict)`.
async fn hashing_server() -> (
    SocketAddr,
    tokio::sync::oneshot::Receiver<(u64, String, String)>,
) {
    use sha2::Digest as _;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push(line.trim_end().to_owned());
        }
        let header = |name: &str| {
            head.iter()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let length: u64 = header("content-length").parse().unwrap_or(0);
        let mut hasher = sha2::Sha256::new();
        let mut left = length;
        let mut buf = vec![0u8; 1 << 16];
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap();
            let n = reader.read(&mut buf[..want]).await.unwrap();
            assert!(n > 0, "the upload ended early");
            hasher.update(&buf[..n]);
            left -= n as u64;
        }
        let hash = hex::encode(hasher.finalize());
        let verdict = if hash == header("x-amz-content-sha256") {
            "hash ok"
        } else {
            "hash differs"
        };
        let mut stream = reader.into_inner();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .await
            .unwrap();
        let _ = tx.send((length, hash, verdict.to_owned()));
    });
    (addr, rx)
}

#[tokio::test]
async fn a_64_mib_upload_is_hashed_once_and_streamed_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upload.bin");
    {
        use std::io::Write as _;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let block: Vec<u8> = (0..1024 * 1024).map(|i| (i * 7 % 251) as u8).collect();
        for _ in 0..64 {
            file.write_all(&block).unwrap();
        }
    }
    let expected = {
        use sha2::Digest as _;
        hex::encode(sha2::Sha256::digest(std::fs::read(&path).unwrap()))
    };
    let (addr, done) = hashing_server().await;
    let out = request(&[
        "PUT",
        &format!("http://{addr}/bucket/upload.bin"),
        "--service",
        "s3",
        "--region",
        "eu-west-1",
        "--data-binary",
        &format!("@{}", path.display()),
    ])
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "ok");
    let (length, hash, verdict) = done.await.unwrap();
    assert_eq!(length, 64 * 1024 * 1024);
    assert_eq!(hash, expected);
    assert_eq!(verdict, "hash ok");
}

#[tokio::test]
async fn errors_fail_and_redirects_are_said() {
    let (other, other_log) = fake(false, |_| ok("should never be reached")).await;
    let target = format!("http://{other}/elsewhere");
    let (addr, _) = fake(false, move |req| match req.path() {
        "/denied" => reply(
            403,
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed here</Message></Error><RequestId>req-123</RequestId></ErrorResponse>",
        ),
        "/moved" => reply(307, "").with_header("location", &target),
        _ => ok("fine"),
    })
    .await;
    let base = |path: &str| format!("http://{addr}{path}");
    let args = ["--service", "sts", "--region", "us-east-1"];
    let run = |url: String, extra: &'static [&'static str]| {
        let mut all: Vec<String> = vec![url];
        all.extend(args.iter().map(|s| (*s).to_owned()));
        all.extend(extra.iter().map(|s| (*s).to_owned()));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        request(&refs)
    };
    let out = run(base("/denied"), &[]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(0), "an answer, as curl");
    assert!(
        text(&out.stdout).contains("AccessDenied"),
        "the body is written"
    );
    assert_eq!(
        stderr(&out),
        "HTTP 403: AccessDenied: not allowed here (request id req-123)\n"
    );
    let out = run(base("/denied"), &["--fail"]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(22));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("AccessDenied"));
    let out = run(base("/denied"), &["-s"]).output().await.unwrap();
    assert!(out.stderr.is_empty());
    let out = run(base("/moved"), &[]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains(&format!(
            "HTTP 307: a redirect to http://{other}/elsewhere, not followed"
        )),
        "{}",
        stderr(&out)
    );
    assert!(
        other_log.lock().unwrap().is_empty(),
        "the signature went nowhere else"
    );
    // -o and -i.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answer.txt");
    let out = run(base("/fine"), &[])
        .arg("-o")
        .arg(&file)
        .arg("-i")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("HTTP/1.1 200 OK\r\n"), "{written}");
    assert!(written.ends_with("\r\n\r\nfine"), "{written}");
}

#[tokio::test]
async fn verbose_shows_headers_with_the_secrets_redacted() {
    let (addr, _) = fake(false, |_| ok("fine").with_header("x-amzn-requestid", "r-1")).await;
    let out = request(&[
        &format!("http://{addr}/v"),
        "--service",
        "execute-api",
        "--region",
        "eu-west-1",
        "-v",
    ])
    .output()
    .await
    .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&format!(
        "> authorization: AWS4-HMAC-SHA256 Credential={KEY}/"
    )));
    assert!(err.contains("Signature=<redacted>"), "{err}");
    assert!(err.contains("> x-amz-security-token: <redacted>"), "{err}");
    assert!(err.contains("< x-amzn-requestid: r-1"), "{err}");
    assert!(err.contains("* 200 in "), "{err}");
    assert!(!err.contains(TOKEN) && !err.contains(SECRET), "{err}");
}

#[tokio::test]
async fn retries_only_where_a_second_send_is_harmless() {
    let (addr, log) = fake(false, |req| {
        if req.header("x-attempt-marker").is_some() {
            reply(500, r#"{"message":"internal"}"#)
        } else {
            ok("fine")
        }
    })
    .await;
    let run = |method: &'static str, extra: &'static [&'static str]| {
        let url = format!("http://{addr}/r");
        let mut all: Vec<String> = vec![
            method.into(),
            url,
            "--service".into(),
            "execute-api".into(),
            "--region".into(),
            "eu-west-1".into(),
            "-H".into(),
            "X-Attempt-Marker: 1".into(),
        ];
        all.extend(extra.iter().map(|s| (*s).to_owned()));
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        request(&refs)
    };
    run("GET", &[]).output().await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 3, "GET retried");
    log.lock().unwrap().clear();
    run("POST", &["-d", "x=1"]).output().await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 1, "POST not retried");
    log.lock().unwrap().clear();
    run("POST", &["-d", "x=1", "--retry-all"])
        .output()
        .await
        .unwrap();
    assert_eq!(log.lock().unwrap().len(), 3, "--retry-all");
}

#[tokio::test]
async fn what_cannot_be_sent_is_refused_first() {
    let closed = common::mock::closed_port().await;
    for (args, code, says) in [
        (
            vec!["http://127.0.0.1:9/x".to_owned()],
            2,
            "cannot tell the service to sign for from the host \"127.0.0.1\": give --service",
        ),
        (
            vec![
                "https://api.example.com/".to_owned(),
                "--service".into(),
                "execute-api".into(),
            ],
            2,
            "cannot tell the region to sign for from the host \"api.example.com\": give --region (or set AWS_REGION)",
        ),
        (
            vec![
                "https://sts.amazonaws.com/".into(),
                "-H".into(),
                "X-A: 1".into(),
                "-H".into(),
                "x-a: 2".into(),
            ],
            2,
            "-H x-a is given twice",
        ),
        (
            vec![
                "https://sts.amazonaws.com/".into(),
                "-H".into(),
                "X-U: \u{fc}".into(),
            ],
            2,
            "is not ASCII",
        ),
        (
            vec![
                "https://sts.amazonaws.com/".into(),
                "--service".into(),
                "a/b".into(),
            ],
            2,
            "--service \"a/b\" cannot be signed for",
        ),
        (
            vec![
                "https://h.example/".into(),
                "--region-set".into(),
                "eu-west-1, us-east-1".into(),
                "--service".into(),
                "s3".into(),
            ],
            2,
            "is not regions (or *) separated by commas",
        ),
        (
            vec![
                "http://127.0.0.1:99999/".into(),
                "--service".into(),
                "sts".into(),
                "--region".into(),
                "us-east-1".into(),
            ],
            2,
            "its port is not one",
        ),
        (
            vec!["127.0.0.1:8080/x".into()],
            2,
            "it must start with https:// or http://",
        ),
        (
            vec![
                "https://sts.amazonaws.com/".into(),
                "-H".into(),
                "Authorization: x".into(),
            ],
            2,
            "Authorization is set by aws-login",
        ),
        (
            vec![
                "https://sts.amazonaws.com/".into(),
                "-d".into(),
                "a".into(),
                "--json".into(),
                "{}".into(),
            ],
            2,
            "exclude each other",
        ),
        (
            vec!["https://sts.amazonaws.com/#frag".into()],
            2,
            "a #fragment is never sent",
        ),
        (
            vec![
                "https://sts.amazonaws.com/".into(),
                "--data-binary".into(),
                "@/nonexistent/file".into(),
            ],
            1,
            "cannot read the data of @/nonexistent/file",
        ),
        (
            vec![
                format!("http://{closed}/x"),
                "--service".into(),
                "sts".into(),
                "--region".into(),
                "us-east-1".into(),
            ],
            4,
            "",
        ),
    ] {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = request(&refs).output().await.unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains(SECRET));
    }
}

/// Where the answer goes is checked before anything is sent; a device or a symlink is
/// written into (not replaced); `-o -` is stdout; a new file gets the umask's mode.
#[tokio::test]
async fn the_output_is_opened_first_and_special_files_are_written_into() {
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
    let (addr, log) = fake(false, |_| ok("body")).await;
    let url = format!("http://{addr}/o");
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &std::path::Path| {
        let mut cmd = request(&[
            &url,
            "--service",
            "execute-api",
            "--region",
            "eu-west-1",
            "-o",
        ]);
        cmd.arg(out);
        cmd
    };
    // A folder that does not exist: refused, nothing sent.
    let out = run(&dir.path().join("missing/answer"))
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write the answer to"),
        "{}",
        stderr(&out)
    );
    assert!(log.lock().unwrap().is_empty(), "nothing sent");
    // A FIFO is written into, not replaced.
    let fifo = common::browser::fifo(&dir.path().join("fifo"));
    let reader = common::browser::read_fifo(&fifo);
    let out = run(&fifo).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(reader.await, "body");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // A symlink's target is written, the link stays.
    let target = dir.path().join("target.txt");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = run(&link).output().await.unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "body");
    // A regular file keeps its mode; a new one gets 0666 less the umask (022 here).
    let kept = dir.path().join("kept.txt");
    std::fs::write(&kept, "old").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    run(&kept).output().await.unwrap();
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "body");
    assert_eq!(
        std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // -o - is stdout.
    let out = run(std::path::Path::new("-")).output().await.unwrap();
    assert_eq!(text(&out.stdout), "body");
}

/// An error answer too large to read whole is streamed like a success, and said.
#[tokio::test]
async fn a_large_error_answer_is_written_not_refused() {
    let big = "x".repeat(3 * 1024 * 1024);
    let (addr, _) = fake(false, move |_| reply(500, &big)).await;
    let url = format!("http://{addr}/big");
    let out = request(&[&url, "--service", "execute-api", "--region", "eu-west-1"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout.len(), 3 * 1024 * 1024);
    assert!(stderr(&out).starts_with("HTTP 500"), "{}", stderr(&out));
    let out = request(&[
        &url,
        "--service",
        "execute-api",
        "--region",
        "eu-west-1",
        "--fail",
    ])
    .output()
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(22));
    assert!(out.stdout.is_empty());
}

/// A JSON error with a message but no code still says its message; an S3 key with
/// characters S3 encodes goes on the wire as it is signed.
#[tokio::test]
async fn json_messages_and_s3_keys_as_signed() {
    let (addr, log) = fake(true, |req| match req.path() {
        "/denied" => reply(403, r#"{"Message":"User: x is not authorized"}"#),
        _ => ok(req.target()),
    })
    .await;
    let base = |p: &str| format!("http://{addr}{p}");
    let out = request(&[&base("/denied"), "--service", "s3", "--region", "eu-west-1"])
        .output()
        .await
        .unwrap();
    assert_eq!(stderr(&out), "HTTP 403: User: x is not authorized\n");
    let out = request(&[
        &base("/b/k+p'(*)!"),
        "--service",
        "s3",
        "--region",
        "eu-west-1",
    ])
    .output()
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&out.stdout), "/b/k%2Bp%27%28%2A%29%21");
    assert!(log.lock().unwrap().iter().all(|l| l.ends_with(" ok")));
}
