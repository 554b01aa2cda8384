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
