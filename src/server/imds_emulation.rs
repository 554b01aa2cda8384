//! The IMDSv2 paths SDKs use for credentials and region (`aws-login serve --imds`), so
//! that a tool that only knows the instance role works on a laptop or in CI. As on EC2
//! (the EC2 User Guide, "Use the Instance Metadata Service to access instance
//! metadata"): `PUT /latest/api/token` with `X-aws-ec2-metadata-token-ttl-seconds`
//! (1-21600) gives a session token, refused (403) when the request carries
//! `X-Forwarded-For` (IMDS's guard against being reached through a proxy); every GET
//! needs a token given here and not expired (401 otherwise, IMDSv1 included).
//!
//! Paths: `iam/security-credentials/` (the role name), `iam/security-credentials/ROLE`
//! (the credentials document), `placement/region`, and `placement/availability-zone`
//! (the region and `a`: botocore derives the region from the zone), and the listings
//! above them. Anything else is 404. Pure apart from the token's randomness: the time is
//! passed in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::credentials_endpoint::Reply;

/// The role name the emulation gives.
pub const ROLE_NAME: &str = "aws-login";
/// The most session tokens held at once (expired ones are dropped first).
const MAX_TOKENS: usize = 4096;
/// IMDS's longest token TTL, in seconds.
const MAX_TTL: u64 = 21600;

/// What a request is, once its token (if needed) is checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Answer this.
    Reply(Reply),
    /// Answer with the credentials document (the caller renews and renders them with
    /// [`document`]).
    Credentials,
}

/// The session tokens given out, and the region to tell.
pub struct ImdsEmulation {
    tokens: Mutex<HashMap<String, Instant>>,
    region: Option<String>,
}

impl ImdsEmulation {
    /// An emulation that tells `region` (404 for the region paths without one).
    pub fn new(region: Option<String>) -> Self {
        Self {
            tokens: Mutex::new(HashMap::new()),
            region,
        }
    }

    /// Whether `path` is one this emulation answers (the rest is the container
    /// endpoint's).
    pub fn handles(path: &str) -> bool {
        path.starts_with("/latest/")
    }

    /// The answer to `method path` with `headers` at `now`; `token` makes a new session
    /// token.
    pub fn step(
        &self,
        method: &hyper::Method,
        path: &str,
        headers: &hyper::HeaderMap,
        now: Instant,
        token: impl FnOnce() -> Option<String>,
    ) -> Step {
        let text = |status: u16, body: &str| Step::Reply(Reply::text(status, body.to_owned()));
        if path == "/latest/api/token" {
            if method != hyper::Method::PUT {
                return text(405, "");
            }
            if headers.contains_key("x-forwarded-for") {
                return text(403, "");
            }
            let ttl = headers
                .get("x-aws-ec2-metadata-token-ttl-seconds")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|t| (1..=MAX_TTL).contains(t));
            let Some(ttl) = ttl else {
                return text(400, "");
            };
            let Some(new) = token() else {
                return text(500, "");
            };
            let Ok(mut tokens) = self.tokens.lock() else {
                return text(500, "");
            };
            tokens.retain(|_, until| *until > now);
            if tokens.len() >= MAX_TOKENS {
                return text(503, "");
            }
            tokens.insert(new.clone(), now + Duration::from_secs(ttl));
            return text(200, &new);
        }
        if method != hyper::Method::GET {
            return text(405, "");
        }
        let sent = headers
            .get("x-aws-ec2-metadata-token")
            .map(hyper::header::HeaderValue::as_bytes);
        if !self.valid(sent, now) {
            return text(401, "");
        }
        let creds = "/latest/meta-data/iam/security-credentials/";
        match path {
            "/latest/meta-data/" => text(200, "iam/\nplacement/"),
            "/latest/meta-data/iam/" => text(200, "security-credentials/"),
            p if p == creds => text(200, ROLE_NAME),
            p if p
                .strip_prefix(creds)
                .is_some_and(|r| r.trim_end_matches('/') == ROLE_NAME) =>
            {
                Step::Credentials
            }
            "/latest/meta-data/placement/" => text(200, "availability-zone\nregion"),
            "/latest/meta-data/placement/region" => match &self.region {
                Some(r) => text(200, r),
                None => text(404, ""),
            },
            "/latest/meta-data/placement/availability-zone"
            | "/latest/meta-data/placement/availability-zone/" => match &self.region {
                Some(r) => text(200, &format!("{r}a")),
                None => text(404, ""),
            },
            _ => text(404, ""),
        }
    }

    /// Whether `sent` is a token given out and not expired at `now`, compared without an
    /// early exit against each.
    fn valid(&self, sent: Option<&[u8]>, now: Instant) -> bool {
        let Some(sent) = sent else {
            return false;
        };
        let Ok(tokens) = self.tokens.lock() else {
            return false;
        };
        tokens.iter().fold(false, |found, (token, until)| {
            let want = token.as_bytes();
            let same = sent.len() == want.len()
                && sent.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
            found | (same && *until > now)
        })
    }
}

/// The IMDS credentials document for the container endpoint's JSON (`AccessKeyId`,
/// `SecretAccessKey`, `Token`, `Expiration`): with `Code`, `Type` and `LastUpdated`
/// (`last_updated`, RFC 3339), as IMDS writes it.
pub fn document(container_json: &str, last_updated: &str) -> Option<String> {
    let mut json: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(container_json).ok()?;
    json.insert("Code".into(), "Success".into());
    json.insert("Type".into(), "AWS-HMAC".into());
    json.insert("LastUpdated".into(), last_updated.into());
    serde_json::to_string(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> hyper::HeaderMap {
        let mut map = hyper::HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    fn status(step: &Step) -> u16 {
        match step {
            Step::Reply(r) => r.status,
            Step::Credentials => 200,
        }
    }

    #[test]
    fn tokens_are_required_exactly_as_on_ec2() {
        let imds = ImdsEmulation::new(Some("eu-west-1".into()));
        let now = Instant::now();
        let put = hyper::Method::PUT;
        let get = hyper::Method::GET;
        let path = "/latest/api/token";
        let give = || Some("TOKEN-1".to_owned());
        assert_eq!(
            status(&imds.step(&put, path, &headers(&[]), now, give)),
            400
        );
        let ttl = [("x-aws-ec2-metadata-token-ttl-seconds", "21601")];
        assert_eq!(
            status(&imds.step(&put, path, &headers(&ttl), now, give)),
            400
        );
        let proxied = [
            ("x-aws-ec2-metadata-token-ttl-seconds", "60"),
            ("x-forwarded-for", "10.0.0.1"),
        ];
        assert_eq!(
            status(&imds.step(&put, path, &headers(&proxied), now, give)),
            403
        );
        let ttl = [("x-aws-ec2-metadata-token-ttl-seconds", "60")];
        assert_eq!(
            imds.step(&put, path, &headers(&ttl), now, give),
            Step::Reply(Reply::text(200, "TOKEN-1".into()))
        );
        let role = "/latest/meta-data/iam/security-credentials/";
        // IMDSv1, a wrong token, an expired one: 401.
        assert_eq!(
            status(&imds.step(&get, role, &headers(&[]), now, give)),
            401
        );
        let wrong = [("x-aws-ec2-metadata-token", "TOKEN-2")];
        assert_eq!(
            status(&imds.step(&get, role, &headers(&wrong), now, give)),
            401
        );
        let right = [("x-aws-ec2-metadata-token", "TOKEN-1")];
        let later = now + Duration::from_secs(61);
        assert_eq!(
            status(&imds.step(&get, role, &headers(&right), later, give)),
            401
        );
        assert_eq!(
            imds.step(&get, role, &headers(&right), now, give),
            Step::Reply(Reply::text(200, ROLE_NAME.into()))
        );
        let creds = format!("{role}{ROLE_NAME}");
        assert_eq!(
            imds.step(&get, &creds, &headers(&right), now, give),
            Step::Credentials
        );
        let region = "/latest/meta-data/placement/region";
        assert_eq!(
            imds.step(&get, region, &headers(&right), now, give),
            Step::Reply(Reply::text(200, "eu-west-1".into()))
        );
        let other = "/latest/meta-data/instance-id";
        assert_eq!(
            status(&imds.step(&get, other, &headers(&right), now, give)),
            404
        );
    }

    #[test]
    fn the_document_is_imds_shaped() {
        let doc = document(
            r#"{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2099-01-01T00:00:00Z"}"#,
            "2026-11-30T00:00:00Z",
        )
        .unwrap();
        let json: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(json["Code"], "Success");
        assert_eq!(json["Type"], "AWS-HMAC");
        assert_eq!(json["Token"], "T");
    }
}
