//! The region from instance metadata, through the built binary against a fake IMDSv2 that
//! enforces the TTL header and the token: asked when the credentials come from IMDS
//! and nothing else names a region, and used as the signing region. (IMDS and container
//! credentials themselves are the scenario folders of `scenarios.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use crate::common;

use common::endpoints::{ImdsMode, fake_imds};
use common::mock::{ok, start};
use common::{aws_login_command, stderr};

const IDENTITY: &str = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::1:assumed-role/r/i</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";

#[tokio::test]
async fn imds_gives_the_region_when_nothing_else_does() {
    let (imds, log) = fake_imds(ImdsMode::V2).await;
    let (seen, sts) = start(vec![ok(IDENTITY)]).await;
    // No AWS_REGION: the region must come from IMDS.
    let out = aws_login_command(&["getcallerid", "--debug"])
        .env_remove("AWS_EC2_METADATA_DISABLED")
        .env("AWS_ENDPOINT_URL_STS", format!("http://{sts}"))
        .env(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://{imds}"),
        )
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("region ap-northeast-2 from the instance metadata service"),
        "{}",
        stderr(&out)
    );
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .any(|l| l == "GET /latest/meta-data/placement/region token=true")
    );
    let auth = seen.seen.lock().unwrap()[0].headers["authorization"].clone();
    assert!(auth.contains("/ap-northeast-2/sts/aws4_request"), "{auth}");
}

/// `aws-login metadata ARGS` against the IMDS at `addr`.
fn metadata(addr: std::net::SocketAddr, args: &[&str]) -> tokio::process::Command {
    let mut all = vec!["metadata"];
    all.extend(args);
    let mut cmd = aws_login_command(&all);
    cmd.env_remove("AWS_EC2_METADATA_DISABLED").env(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        format!("http://{addr}"),
    );
    cmd
}

async fn run(cmd: &mut tokio::process::Command) -> (Option<i32>, String, String) {
    let out = cmd.output().await.unwrap();
    (out.status.code(), common::text(&out.stdout), stderr(&out))
}

#[tokio::test]
async fn metadata_reads_paths_with_one_token_reused() {
    use common::endpoints::{IDENTITY_DOCUMENT, INSTANCE_ID, USER_DATA};
    let (imds, log) = fake_imds(ImdsMode::V2).await;
    for (args, want) in [
        (&["instance-id"][..], format!("{INSTANCE_ID}\n")),
        (&["placement/region"][..], "ap-northeast-2\n".to_owned()),
        (&["/latest/meta-data/tags/instance/Name"][..], "web-1\n".to_owned()),
        // User data exactly as it is, no newline added.
        (&["user-data"][..], USER_DATA.to_owned()),
        (&["dynamic/instance-identity/document"][..], format!("{IDENTITY_DOCUMENT}\n")),
        (&[][..], "ami-id\niam/\ninstance-id\nplacement/\ntags/\npublic-keys/\n".to_owned()),
        (
            &["--json", "dynamic/instance-identity/document"][..],
            "{\n  \"accountId\": \"111122223333\",\n  \"instanceId\": \"i-0123456789abcdef0\",\n  \"region\": \"ap-northeast-2\"\n}\n".to_owned(),
        ),
        (&["--json", "placement/"][..], "[\n  \"availability-zone\",\n  \"region\"\n]\n".to_owned()),
    ] {
        log.lock().unwrap().clear();
        let (code, out, err) = run(&mut metadata(imds, args)).await;
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert_eq!(out, want, "{args:?}");
        // One token, then the GET with it.
        let seen = log.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0], "PUT /latest/api/token token=false");
        assert!(seen[1].ends_with("token=true"), "{seen:?}");
    }

    // --recursive: the whole listing in one object, the token asked for once.
    log.lock().unwrap().clear();
    let (code, out, err) = run(&mut metadata(
        imds,
        &["--recursive", "--json", "meta-data/"],
    ))
    .await;
    assert_eq!(code, Some(0), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["instance-id"], INSTANCE_ID);
    assert_eq!(json["placement"]["availability-zone"], "ap-northeast-2a");
    assert_eq!(json["tags"]["instance"]["Name"], "web-1");
    assert_eq!(
        json["public-keys"]["0"]["openssh-key"],
        "ssh-ed25519 AAAA deploy"
    );
    let seen = log.lock().unwrap().clone();
    assert_eq!(
        seen.iter().filter(|l| l.starts_with("PUT")).count(),
        1,
        "{seen:?}"
    );
}

#[tokio::test]
async fn metadata_on_an_old_imds_uses_v1_unless_v1_is_disabled() {
    let (imds, log) = fake_imds(ImdsMode::V1).await;
    let (code, out, err) = run(&mut metadata(imds, &["instance-id"])).await;
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "i-0123456789abcdef0\n"),
        "{err}"
    );
    assert_eq!(
        log.lock().unwrap().clone(),
        [
            "PUT /latest/api/token token=false",
            "GET /latest/meta-data/instance-id token=false"
        ]
    );
    let (code, out, err) =
        run(metadata(imds, &["instance-id"]).env("AWS_EC2_METADATA_V1_DISABLED", "true")).await;
    assert_eq!((code, out.as_str()), (Some(4), ""), "{err}");
    assert!(err.contains("IMDSv1 is disabled"), "{err}");
}

#[tokio::test]
async fn metadata_failures_say_what_and_exit_by_kind() {
    let (imds, _) = fake_imds(ImdsMode::V2).await;
    // A missing path: exit 1, the path named.
    let (code, out, err) = run(&mut metadata(imds, &["tags/instance/Owner"])).await;
    assert_eq!((code, out.as_str()), (Some(1), ""));
    assert_eq!(
        err,
        "error: no meta-data/tags/instance/Owner in the instance metadata (HTTP 404)\n"
    );
    // No IMDS at all: exit 4.
    let closed = common::endpoints::closed_port().await;
    let (code, _, err) = run(&mut metadata(closed, &["instance-id"])).await;
    assert_eq!(code, Some(4), "{err}");
    assert!(
        err.contains("the instance metadata service did not answer"),
        "{err}"
    );
    // Usage errors, nothing sent.
    for (args, want) in [
        (&["../etc/passwd"][..], "is not an instance metadata path"),
        (
            &["%2e%2e/user-data"][..],
            "is not an instance metadata path",
        ),
        (&["--profile", "nosuch", "instance-id"][..], "nosuch"),
        (
            &["--recursive", "instance-id"][..],
            "--recursive walks a listing",
        ),
    ] {
        let (code, _, err) = run(&mut metadata(closed, args)).await;
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{err}");
    }
    // Disabled on purpose.
    let (code, _, err) =
        run(metadata(imds, &["instance-id"]).env("AWS_EC2_METADATA_DISABLED", "true")).await;
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("AWS_EC2_METADATA_DISABLED=true"), "{err}");
}

#[tokio::test]
async fn metadata_waits_for_an_imds_that_is_starting() {
    use common::mock::{reply, serve_with};
    // Up after two 503s to the token request (an instance early in its boot).
    let refused = std::sync::Arc::new(std::sync::Mutex::new(0));
    let count = refused.clone();
    let (mock, addr) = serve_with(move |req| match (req.method(), req.path()) {
        ("PUT", "/latest/api/token") => {
            let mut n = count.lock().unwrap();
            *n += 1;
            if *n <= 2 {
                reply(503, "")
            } else {
                reply(200, "T")
            }
        }
        ("GET", "/latest/meta-data/instance-id")
            if req.header("x-aws-ec2-metadata-token") == Some("T") =>
        {
            reply(200, "i-late")
        }
        _ => reply(401, ""),
    })
    .await;
    let (code, out, err) = run(&mut metadata(addr, &["--wait", "60", "instance-id"])).await;
    assert_eq!((code, out.as_str()), (Some(0), "i-late\n"), "{err}");
    assert!(
        err.contains("Waiting up to 60 s for the instance metadata service"),
        "{err}"
    );
    assert_eq!(*refused.lock().unwrap(), 3);
    assert_eq!(mock.seen.lock().unwrap().len(), 4);

    // Never up: it gives up when --wait runs out, exit 4.
    let (_, down) = serve_with(|_| reply(503, "")).await;
    let (code, _, err) = run(&mut metadata(down, &["--wait", "1", "instance-id"])).await;
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains("did not answer within --wait 1 s"), "{err}");
    assert!(err.contains("HTTP 503"), "{err}");
}
