//! The AWS CLI's cache of assumed roles, shared with it: `~/.aws/cli/cache/<key>.json`,
//! one AssumeRole answer per file, so that a role (and its MFA code) is asked for once
//! between aws-login and the AWS CLI while its credentials last.
//!
//! - The key of a profile's role hop is botocore's
//!   (`AssumeRoleCredentialFetcher._create_cache_key`): the SHA-1 (hex) of
//!   `json.dumps(args, sort_keys=True)`, `args` being the AssumeRole arguments the profile
//!   gives (`RoleArn`, and `RoleSessionName`, `ExternalId`, `SerialNumber`,
//!   `DurationSeconds` when set; never the MFA code; no session name when it is the
//!   default).
//! - A hop of the command line (`--assume-roles`) has the same kind of key, with what
//!   identifies the credentials under it added (the SHA-256 of their access key id), so a
//!   hop cached under other credentials is another file.
//! - The file is the answer as botocore writes it: `Credentials` (`AccessKeyId`,
//!   `SecretAccessKey`, `SessionToken`, `Expiration`, `AccountId`) and `AssumedRoleUser`
//!   (`Arn`); aws-login adds `AwsLogin.Source` (that SHA-256), and a file that names
//!   other source credentials is not used. A file without it (the AWS CLI's) is used as
//!   the AWS CLI uses it.
//! - A cached answer is used while more than 15 minutes of it are left (botocore's
//!   `CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS`).
//!
//! Pure: the key, the reading and the writing of a document; the files are the
//! executor's. No secret in a key or a file name.

use chrono::{DateTime, TimeDelta, Utc};
use sha1::Digest as _;

use crate::credentials::Credentials;
use crate::provider::plan::{Hop, Origin, RoleHop};
use crate::provider::sso_token_cache::document::{format_time, parse_time};
use crate::secret::SecretString;

/// How much of a cached answer must be left for it to be used.
pub const EXPIRY_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// A string as Python's `json.dumps` writes it (`ensure_ascii`).
fn py_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    crate::provider::sso_token_cache::registration::python_json_string(&mut out, s);
    out
}

/// What identifies source credentials in a key or a file: the SHA-256 (hex) of their
/// access key id.
pub fn source_id(source: &Credentials) -> String {
    hex::encode(sha2::Sha256::digest(source.access_key_id().as_bytes()))
}

/// The cache key of a role hop (see the module's rules), `chain` being what identifies
/// the chain before it ([`chain_after`]). A hop that names no session name has none in
/// its key (as botocore leaves out the name it generates).
pub fn role_key(hop: &RoleHop, chain: &str) -> String {
    let mut args: Vec<(&str, String)> = Vec::new();
    if let Some(d) = hop.duration_seconds {
        args.push(("DurationSeconds", d.to_string()));
    }
    if let Some(e) = &hop.external_id {
        args.push(("ExternalId", py_json_string(e)));
    }
    args.push(("RoleArn", py_json_string(&hop.role_arn)));
    if let Some(n) = &hop.role_session_name {
        args.push(("RoleSessionName", py_json_string(n)));
    }
    if let Some(s) = &hop.mfa_serial {
        args.push(("SerialNumber", py_json_string(s)));
    }
    if let Some(s) = &hop.source_identity {
        args.push(("SourceIdentity", py_json_string(s)));
    }
    if hop.origin == Origin::Flags {
        args.push(("aws-login-source", py_json_string(chain)));
    }
    args.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = args
        .iter()
        .map(|(k, v)| format!("{}: {v}", py_json_string(k)))
        .collect();
    let json = format!("{{{}}}", body.join(", "));
    hex::encode(sha1::Sha1::digest(json.as_bytes()))
}

/// The cache key of any hop made with `source`: a role hop's ([`role_key`]); for
/// GetSessionToken and GetFederationToken (always the command line's) the same kind of
/// key over their arguments, the operation and the source.
pub fn hop_key(hop: &Hop, chain: &str) -> String {
    let mut args: Vec<(&str, String)> = match hop {
        Hop::AssumeRole(role) => return role_key(role, chain),
        Hop::SessionToken(token) => {
            let mut args = vec![("aws-login-operation", py_json_string("GetSessionToken"))];
            if let Some(d) = token.duration_seconds {
                args.push(("DurationSeconds", d.to_string()));
            }
            if let Some(s) = &token.mfa_serial {
                args.push(("SerialNumber", py_json_string(s)));
            }
            args
        }
        Hop::FederationToken(federation) => {
            let mut args = vec![
                ("aws-login-operation", py_json_string("GetFederationToken")),
                ("Name", py_json_string(&federation.name)),
            ];
            if let Some(d) = federation.duration_seconds {
                args.push(("DurationSeconds", d.to_string()));
            }
            if let Some(p) = &federation.policy {
                args.push(("Policy", py_json_string(p)));
            }
            if !federation.policy_arns.is_empty() {
                args.push((
                    "PolicyArns",
                    py_json_string(&federation.policy_arns.join(",")),
                ));
            }
            args
        }
    };
    args.push(("aws-login-source", py_json_string(chain)));
    args.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = args
        .iter()
        .map(|(k, v)| format!("{}: {v}", py_json_string(k)))
        .collect();
    hex::encode(sha1::Sha1::digest(
        format!("{{{}}}", body.join(", ")).as_bytes(),
    ))
}

/// What identifies the credentials a chain starts from: the SHA-256 of their access
/// key id for keys (the environment's, a profile's), else of the base's description
/// (`SSO of profile "dev"`, `credential_process of profile "x"`...), whose credentials
/// change on every run while the source they come from does not.
pub fn starting_id(base: &crate::provider::plan::Base, credentials: &Credentials) -> String {
    use crate::provider::plan::Base;
    match base {
        Base::Environment | Base::StaticKeys { .. } => source_id(credentials),
        other => hex::encode(sha2::Sha256::digest(other.to_string().as_bytes())),
    }
}

/// What identifies the chain after one more hop (whose cache key is `key`).
pub fn chain_after(chain: &str, key: &str) -> String {
    hex::encode(sha2::Sha256::digest(format!("{chain}:{key}").as_bytes()))
}

/// The cache key of a web identity role (botocore's `AssumeRoleWithWebIdentity`
/// fetcher: the role and, when set, its session name; never the token).
pub fn web_identity_key(role_arn: &str, session_name: Option<&str>) -> String {
    let mut body = format!("{{\"RoleArn\": {}", py_json_string(role_arn));
    if let Some(name) = session_name {
        body.push_str(&format!(", \"RoleSessionName\": {}", py_json_string(name)));
    }
    body.push('}');
    hex::encode(sha1::Sha1::digest(body.as_bytes()))
}

/// What stands for the start of a web identity answer's chain: the token's SHA-256 (a
/// new token, a new answer).
pub fn token_source(token: &SecretString) -> String {
    hex::encode(sha2::Sha256::digest(token.expose().as_bytes()))
}

/// A cached answer, read.
#[derive(Debug, Clone)]
pub struct CachedRole {
    /// The credentials, with their expiry.
    pub credentials: Credentials,
    /// `AssumedRoleUser.Arn`, when the file has it.
    pub arn: Option<String>,
    /// When they end.
    pub expires_at: DateTime<Utc>,
}

/// Reads a cache file's text for a chain that started from `starting`
/// ([`starting_id`]; `None`: not checked): `None` when it is not an answer (an
/// unreadable or corrupt file is a miss, never an error), was made by aws-login for a
/// chain that started elsewhere, or has less than [`EXPIRY_WINDOW`] left at `now`.
pub fn read(text: &str, starting: Option<&str>, now: DateTime<Utc>) -> Option<CachedRole> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    // aws-login's own answer says where its chain started: it must be this one's.
    if let (Some(ours), Some(starting)) = (json.get("AwsLogin"), starting)
        && ours.get("Source").and_then(serde_json::Value::as_str) != Some(starting)
    {
        return None;
    }
    let field = |name: &str| {
        json.pointer(&format!("/Credentials/{name}"))
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let expires_at = parse_time(field("Expiration")?)?;
    if expires_at - now <= EXPIRY_WINDOW {
        return None;
    }
    Some(CachedRole {
        credentials: Credentials::new(
            field("AccessKeyId")?,
            field("SecretAccessKey")?,
            Some(SecretString::new(field("SessionToken")?)),
            Some(expires_at),
        ),
        arn: json
            .pointer("/AssumedRoleUser/Arn")
            .or_else(|| json.pointer("/FederatedUser/Arn"))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        expires_at,
    })
}

/// Whether the hop whose key is `key` has a lasting answer in `dir` for a chain that
/// started from `starting`: what lets a run without a terminal go ahead when its MFA
/// hops are cached.
pub fn hop_cached(dir: &std::path::Path, key: &str, starting: &str, now: DateTime<Utc>) -> bool {
    trusted_text(&dir.join(format!("{key}.json")))
        .is_some_and(|text| read(&text, Some(starting), now).is_some())
}

/// Our user id (the owner of `/proc/self`), when it can be told.
fn our_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The text of cache file `path`, when it can be trusted: a regular file (not a link,
/// FIFO or device) that nobody but its owner may write, in a folder nobody but its
/// owner may write, both owned by this user (another user's answer would hand over
/// their credentials, or planted ones). `None` otherwise, and for a file not there.
pub fn trusted_text(path: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let uid = our_uid();
    let private = |m: &std::fs::Metadata| {
        m.permissions().mode() & 0o022 == 0 && uid.is_none_or(|u| m.uid() == u)
    };
    let file = std::fs::symlink_metadata(path).ok()?;
    let folder = std::fs::metadata(path.parent()?).ok()?;
    if !file.is_file() || !private(&file) || !private(&folder) {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The file of an answer: `credentials` (which must expire) and, for a role, the role
/// session's `arn` (as botocore writes it; a federated user's goes in `FederatedUser`),
/// with the source it was made with. A secret.
pub fn document(credentials: &Credentials, arn: Option<&str>, starting: &str) -> SecretString {
    let arn_text = arn.unwrap_or_default();
    let account = arn_text.split(':').nth(4).filter(|a| !a.is_empty());
    let mut creds = serde_json::json!({
        "AccessKeyId": credentials.access_key_id(),
        "SecretAccessKey": credentials.secret_access_key().expose(),
        "SessionToken": credentials.session_token().map(SecretString::expose).unwrap_or_default(),
        "Expiration": credentials.expiration().map(format_time).unwrap_or_default(),
    });
    if let Some(account) = account {
        creds["AccountId"] = account.into();
    }
    let mut doc = serde_json::json!({
        "Credentials": creds,
        "AwsLogin": {"Source": starting},
    });
    if let Some(arn) = arn {
        let member = if arn.contains(":federated-user/") {
            "FederatedUser"
        } else {
            "AssumedRoleUser"
        };
        doc[member] = serde_json::json!({"Arn": arn});
    }
    SecretString::new(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(origin: Origin) -> RoleHop {
        RoleHop {
            origin,
            role_arn: "arn:aws:iam::111122223333:role/Admin".into(),
            role_session_name: None,
            external_id: None,
            mfa_serial: Some("arn:aws:iam::111122223333:mfa/alice".into()),
            duration_seconds: Some(3600),
            source_identity: None,
        }
    }

    #[test]
    fn profile_hops_have_botocores_key() {
        // sha1(json.dumps({"RoleArn": ..., "SerialNumber": ..., "DurationSeconds": 3600},
        // sort_keys=True)) as botocore computes it.
        let key = role_key(&hop(Origin::Profile("dev".into())), "chain-a");
        let json = r#"{"DurationSeconds": 3600, "RoleArn": "arn:aws:iam::111122223333:role/Admin", "SerialNumber": "arn:aws:iam::111122223333:mfa/alice"}"#;
        assert_eq!(key, hex::encode(sha1::Sha1::digest(json.as_bytes())));
        // The chain does not change a profile hop's key; it does change a flag hop's.
        assert_eq!(
            key,
            role_key(&hop(Origin::Profile("dev".into())), "chain-b")
        );
        assert_ne!(
            role_key(&hop(Origin::Flags), "chain-a"),
            role_key(&hop(Origin::Flags), "chain-b")
        );
        assert_eq!(
            py_json_string("é\u{1F600}\""),
            "\"\\u00e9\\ud83d\\ude00\\\"\""
        );
    }

    #[test]
    fn answers_are_read_only_while_they_last_and_for_their_source() {
        let now = parse_time("2026-11-30T10:00:00Z").unwrap();
        let source = "start-a";
        let assumed = Credentials::new(
            "ASIACACHED",
            "SECRET",
            Some(SecretString::new("TOKEN")),
            Some(parse_time("2026-11-30T11:00:00Z").unwrap()),
        );
        let arn = "arn:aws:sts::111122223333:assumed-role/Admin/aws-login";
        let text = document(&assumed, Some(arn), source);
        let read_back = read(text.expose(), Some(source), now).unwrap();
        assert_eq!(read_back.credentials.access_key_id(), "ASIACACHED");
        assert_eq!(read_back.arn.as_deref(), Some(arn));
        let json: serde_json::Value = serde_json::from_str(text.expose()).unwrap();
        assert_eq!(json["Credentials"]["AccountId"], "111122223333");
        // A chain that started elsewhere: not used.
        assert!(read(text.expose(), Some("start-b"), now).is_none());
        // 15 minutes or less left: not used.
        let late = parse_time("2026-11-30T10:45:00Z").unwrap();
        assert!(read(text.expose(), Some(source), late).is_none());
        // The AWS CLI's own file (no AwsLogin, botocore's time format): used.
        let cli = r#"{"Credentials": {"AccessKeyId": "ASIACLI", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2026-11-30T11:00:00UTC"}, "AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/r/s"}}"#;
        assert_eq!(
            read(cli, Some("start-b"), now)
                .unwrap()
                .credentials
                .access_key_id(),
            "ASIACLI"
        );
        for corrupt in ["", "{", "[]", r#"{"Credentials": {}}"#] {
            assert!(read(corrupt, Some(source), now).is_none());
        }
        // aws-login's member without a source: not trusted.
        let odd = text
            .expose()
            .replace(r#""Source":"start-a""#, r#""Other":1"#);
        assert!(read(&odd, Some(source), now).is_none());
        assert!(!format!("{text:?}").contains("SECRET"));
    }
}
