//! Fakes that behave like the real services, on the one mock server ([`super::mock`]),
//! for tests of the built binary, enforcing what
//! the real ones enforce: IMDSv2 (the TTL header on the token PUT, the token on every GET,
//! 401 otherwise) or an old IMDSv1; a container credentials endpoint that checks the
//! Authorization token; and an STS that answers AssumeRole, AssumeRoleWithWebIdentity and
//! GetCallerIdentity by what it was sent, so a test can check who signed what.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use super::mock::{Answer, reply, serve_with};
pub use super::mock::{closed_port, silent_port};

/// What a fake saw, one line per request.
pub type Log = Arc<Mutex<Vec<String>>>;

/// The account the fakes' identities live in.
pub const ACCOUNT: &str = "111122223333";

/// Credentials as a fake STS gives them: key id, secret, session token, expiration.
pub struct Issued<'a> {
    pub key: &'a str,
    pub secret: &'a str,
    pub token: &'a str,
    pub expiration: &'a str,
}

/// An AssumeRole answer: session `session` of `role` in [`ACCOUNT`], with `issued`.
pub fn assume_role_xml(role: &str, session: &str, issued: &Issued<'_>) -> String {
    let Issued {
        key,
        secret,
        token,
        expiration,
    } = issued;
    format!(
        "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}</Arn><AssumedRoleId>AROA:{session}</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken><Expiration>{expiration}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>"
    )
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum ImdsMode {
    /// IMDSv2 only: tokens required.
    V2,
    /// An old IMDS: the token PUT is forbidden, GETs need no token.
    V1,
    /// IMDS seen from a container behind a PUT response hop limit of 1: the token PUT is
    /// never answered, GETs without a token work.
    HopLimit,
}

pub const IMDS_TOKEN: &str = "IMDS-SESSION-TOKEN";

/// The fake instance's id.
pub const INSTANCE_ID: &str = "i-0123456789abcdef0";
/// Its user data (no final newline: printed exactly as it is).
pub const USER_DATA: &str = "#!/bin/bash\necho booted > /tmp/booted";
/// Its instance identity document.
pub const IDENTITY_DOCUMENT: &str =
    r#"{"accountId":"111122223333","instanceId":"i-0123456789abcdef0","region":"ap-northeast-2"}"#;

/// A fake IMDS whose instance role `imds-role` has key id `ASIAIMDS`, in region
/// `ap-northeast-2`. The log has `METHOD PATH token=BOOL` per request.
pub async fn fake_imds(mode: ImdsMode) -> (SocketAddr, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let (_, addr) = serve_with(move |req| {
        let token = req.header("x-aws-ec2-metadata-token").map(str::to_owned);
        let ttl = req.header("x-aws-ec2-metadata-token-ttl-seconds").is_some();
        seen.lock().unwrap().push(format!("{} {} token={}", req.method(), req.path(), token.is_some()));
        match (mode, req.method(), req.path()) {
            (ImdsMode::HopLimit, "PUT", _) => Answer::Hang,
            (ImdsMode::V1, "PUT", _) => reply(403, "forbidden"),
            (ImdsMode::V2, "PUT", "/latest/api/token") if ttl => reply(200, IMDS_TOKEN),
            (ImdsMode::V2, "PUT", _) => reply(400, "missing TTL"),
            (ImdsMode::V2, _, _) if token.as_deref() != Some(IMDS_TOKEN) => reply(401, "unauthorized"),
            (_, "GET", "/latest/meta-data/iam/security-credentials/") => reply(200, "imds-role\n"),
            (_, "GET", "/latest/meta-data/iam/security-credentials/imds-role") => reply(
                200,
                r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS","SecretAccessKey":"IMDSSECRET","Token":"IMDSTOKEN","Expiration":"2099-01-01T00:00:00Z"}"#,
            ),
            (_, "GET", "/latest/meta-data/placement/region") => reply(200, "ap-northeast-2"),
            // What `aws-login metadata` reads.
            (_, "GET", "/latest/meta-data/") => reply(200, "ami-id\niam/\ninstance-id\nplacement/\ntags/\npublic-keys/"),
            (_, "GET", "/latest/meta-data/iam/") => reply(200, "security-credentials/"),
            (_, "GET", "/latest/meta-data/ami-id") => reply(200, "ami-0abcdef1234567890"),
            (_, "GET", "/latest/meta-data/instance-id") => reply(200, INSTANCE_ID),
            (_, "GET", "/latest/meta-data/placement/") => reply(200, "availability-zone\nregion"),
            (_, "GET", "/latest/meta-data/placement/availability-zone") => reply(200, "ap-northeast-2a"),
            (_, "GET", "/latest/meta-data/tags/") => reply(200, "instance/"),
            (_, "GET", "/latest/meta-data/tags/instance/") => reply(200, "Name"),
            (_, "GET", "/latest/meta-data/tags/instance/Name") => reply(200, "web-1"),
            (_, "GET", "/latest/meta-data/public-keys/") => reply(200, "0=deploy-key"),
            (_, "GET", "/latest/meta-data/public-keys/0/") => reply(200, "openssh-key"),
            (_, "GET", "/latest/meta-data/public-keys/0/openssh-key") => reply(200, "ssh-ed25519 AAAA deploy"),
            (_, "GET", "/latest/user-data") => reply(200, USER_DATA),
            (_, "GET", "/latest/dynamic/instance-identity/document") => reply(200, IDENTITY_DOCUMENT),
            _ => reply(404, "not found"),
        }
    })
    .await;
    (addr, log)
}

/// A fake container credentials endpoint handing out key id `ASIACONT`, only to requests
/// whose Authorization header is `token` (or that send none, when `token` is `None`).
pub async fn fake_container(token: Option<String>) -> (SocketAddr, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let (_, addr) = serve_with(move |req| {
        let sent = req.header("authorization").map(str::to_owned);
        seen.lock().unwrap().push(format!("GET {} authorization={}", req.path(), sent.as_deref().unwrap_or("none")));
        if sent == token {
            reply(200, r#"{"AccessKeyId":"ASIACONT","SecretAccessKey":"CONTSECRET","Token":"CONTTOKEN","Expiration":"2099-01-01T00:00:00Z"}"#)
        } else {
            reply(401, "unauthorized")
        }
    })
    .await;
    (addr, log)
}

#[derive(Default)]
struct StsState {
    /// Key id handed out -> the identity it belongs to.
    identities: HashMap<String, String>,
    issued: usize,
}

/// A fake STS. Its log has one line per call:
/// `AssumeRole ROLE session=NAME [external_id=..] [mfa=SERIAL:CODE] [source_identity=..]
/// [duration=..] by SIGNER`, `AssumeRoleWithWebIdentity ROLE session=NAME token=TOKEN by
/// unsigned`, `GetFederationToken name=NAME [duration=..] [policy_arn=..] by SIGNER`,
/// `GetSessionToken [duration=..] by SIGNER`, `GetCallerIdentity by SIGNER` (SIGNER: the
/// access key id in the Authorization header, or `unsigned`). Key ids are `ASIAROLE<n>`,
/// `ASIAFED<n>`, `ASIASESSION<n>` in the order they are issued; a key id it did not issue
/// is the IAM user of that name.
pub async fn echo_sts() -> (SocketAddr, Log) {
    let (addr, log, _) = echo_sts_with_tokens().await;
    (addr, log)
}

/// [`echo_sts`], with a second log: `SIGNER TOKEN` for each signed call that carried an
/// `x-amz-security-token`, once per pair.
pub async fn echo_sts_with_tokens() -> (SocketAddr, Log, Log) {
    let log: Log = Arc::default();
    let tokens: Log = Arc::default();
    let seen = log.clone();
    let seen_tokens = tokens.clone();
    let state: Arc<Mutex<StsState>> = Arc::default();
    let (_, addr) = serve_with(move |req| {
        let signer = req
            .header("authorization")
            .and_then(|v| v.split("Credential=").nth(1))
            .and_then(|v| v.split('/').next())
            .unwrap_or("unsigned")
            .to_owned();
        if let Some(token) = req.header("x-amz-security-token") {
            let pair = format!("{signer} {token}");
            let mut tokens = seen_tokens.lock().unwrap();
            if !tokens.contains(&pair) {
                tokens.push(pair);
            }
        }
        let f = req.decoded_form();
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let mut state = state.lock().unwrap();
        let action = get("Action");
        let (line, body) = match action.as_str() {
            "AssumeRole" | "AssumeRoleWithWebIdentity" => {
                state.issued += 1;
                let n = state.issued;
                let role = get("RoleArn");
                let session = get("RoleSessionName");
                let role_name = role.rsplit('/').next().unwrap_or_default().to_owned();
                // The partition of the role's, as STS answers in each partition.
                let partition = role.split(':').nth(1).unwrap_or("aws");
                let arn =
                    format!("arn:{partition}:sts::{ACCOUNT}:assumed-role/{role_name}/{session}");
                let key = format!("ASIAROLE{n}");
                state.identities.insert(key.clone(), arn.clone());
                let mut line = format!("{action} {role} session={session}");
                for (param, name) in [
                    ("ExternalId", "external_id"),
                    ("SourceIdentity", "source_identity"),
                    ("DurationSeconds", "duration"),
                    ("WebIdentityToken", "token"),
                ] {
                    if let Some(v) = f.get(param) {
                        line.push_str(&format!(" {name}={v}"));
                    }
                }
                if let Some(serial) = f.get("SerialNumber") {
                    line.push_str(&format!(" mfa={serial}:{}", get("TokenCode")));
                }
                line.push_str(&format!(" by {signer}"));
                let body = format!(
                    "<{action}Response><{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>ROLESECRET{n}</SecretAccessKey><SessionToken>ROLETOKEN{n}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>{arn}</Arn><AssumedRoleId>AROA{n}:{session}</AssumedRoleId></AssumedRoleUser></{action}Result><ResponseMetadata><RequestId>r-{n}</RequestId></ResponseMetadata></{action}Response>"
                );
                (line, body)
            }
            "GetFederationToken" | "GetSessionToken" => {
                state.issued += 1;
                let n = state.issued;
                let (key, result_extra) = if action == "GetFederationToken" {
                    let name = get("Name");
                    let arn = format!("arn:aws:sts::{ACCOUNT}:federated-user/{name}");
                    let key = format!("ASIAFED{n}");
                    state.identities.insert(key.clone(), arn.clone());
                    (key, format!("<FederatedUser><Arn>{arn}</Arn><FederatedUserId>{ACCOUNT}:{name}</FederatedUserId></FederatedUser>"))
                } else {
                    (format!("ASIASESSION{n}"), String::new())
                };
                let mut line = action.clone();
                for (param, name) in [
                    ("Name", "name"),
                    ("DurationSeconds", "duration"),
                    ("PolicyArns.member.1.arn", "policy_arn"),
                ] {
                    if let Some(v) = f.get(param) {
                        line.push_str(&format!(" {name}={v}"));
                    }
                }
                line.push_str(&format!(" by {signer}"));
                let body = format!(
                    "<{action}Response><{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>FEDSECRET{n}</SecretAccessKey><SessionToken>FEDTOKEN{n}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>{result_extra}</{action}Result><ResponseMetadata><RequestId>r-{n}</RequestId></ResponseMetadata></{action}Response>"
                );
                (line, body)
            }
            "GetCallerIdentity" => {
                let arn = state
                    .identities
                    .get(&signer)
                    .cloned()
                    .unwrap_or_else(|| format!("arn:aws:iam::{ACCOUNT}:user/{signer}"));
                (
                    format!("GetCallerIdentity by {signer}"),
                    format!(
                        "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>{arn}</Arn><UserId>U</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
                    ),
                )
            }
            other => {
                seen.lock().unwrap().push(format!("{other} (not faked)"));
                return reply(400, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not faked</Message></Error><RequestId>r-0</RequestId></ErrorResponse>");
            }
        };
        seen.lock().unwrap().push(line);
        reply(200, &body)
    })
    .await;
    (addr, log, tokens)
}
