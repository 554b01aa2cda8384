//! A fake IAM Identity Center on the mock server, behaving like the real OIDC service and
//! portal: RegisterClient, StartDeviceAuthorization, CreateToken (device code with a
//! scripted sequence of pending/slow_down/approved/expired/denied answers; authorization
//! code checked against the PKCE challenge and redirect URI it was issued for; refresh
//! tokens rotated), the `/authorize` page (a redirect with a code to the registered
//! loopback), GetRoleCredentials for the tokens it issued, and Logout.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use sha2::Digest as _;

use super::mock::{Answer, Mock, Request, reply, serve_with};

/// What the device flow's CreateToken answers, in order (the last one repeats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStep {
    Pending,
    SlowDown,
    Approve,
    Expire,
    Deny,
}

#[derive(Default)]
pub struct State {
    /// Each RegisterClient body.
    pub registrations: Vec<serde_json::Value>,
    /// The device flow's script.
    pub device: Vec<DeviceStep>,
    /// Authorization codes issued: code -> (challenge, redirect URI).
    pub codes: HashMap<String, (String, String)>,
    /// Each `/authorize` query.
    pub authorize_queries: Vec<String>,
    /// Access tokens issued.
    pub issued: usize,
    /// The refresh token accepted next.
    pub refresh: String,
    /// Each CreateToken grant type, in order.
    pub grants: Vec<String>,
    /// Access tokens logged out.
    pub logged_out: Vec<String>,
    /// The accounts and roles the portal assigns (ListAccounts, ListAccountRoles),
    /// handed out `page_size` at a time.
    pub accounts: Vec<FakeAccount>,
    /// Items per page of the lists (0: all on one page).
    pub page_size: usize,
    /// The next list calls answered with throttling (HTTP 429).
    pub throttle: usize,
    /// Every list call (`accounts PAGE`, `roles ACCOUNT PAGE`) and `throttled`.
    pub list_calls: Vec<String>,
}

/// An account of the fake portal's directory.
#[derive(Debug, Clone)]
pub struct FakeAccount {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
}

/// One page of `items` from the `next_token` given (`p<N>`, the index of the first item).
fn page<T: Clone>(items: &[T], size: usize, next: Option<&String>) -> (Vec<T>, Option<String>) {
    let from: usize = next
        .and_then(|t| t.strip_prefix('p'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let size = if size == 0 { items.len().max(1) } else { size };
    let to = (from + size).min(items.len());
    let more = (to < items.len()).then(|| format!("p{to}"));
    (items.get(from..to).unwrap_or_default().to_vec(), more)
}

fn oauth_error(status: u16, exception: &str, code: &str) -> Answer {
    reply(
        status,
        &format!(r#"{{"error":"{code}","error_description":"fake"}}"#),
    )
    .with_header("x-amzn-errortype", &format!("{exception}:"))
    .with_header("content-type", "application/json")
}

fn token(state: &mut State) -> Answer {
    state.issued += 1;
    let n = state.issued;
    state.refresh = format!("REFRESH-{n}");
    reply(
        200,
        &format!(
            r#"{{"accessToken":"ACCESS-{n}","tokenType":"Bearer","expiresIn":28800,"refreshToken":"REFRESH-{n}"}}"#
        ),
    )
}

fn query_params(target: &str) -> HashMap<String, String> {
    let decode = |s: &str| {
        let hex = |b: u8| {
            char::from(b)
                .to_digit(16)
                .and_then(|d| u8::try_from(d).ok())
        };
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match (
                b[i],
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (b'%', Some(hi), Some(lo)) => {
                    out.push(hi * 16 + lo);
                    i += 3;
                }
                (b'+', _, _) => {
                    out.push(b' ');
                    i += 1;
                }
                (c, _, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).unwrap()
    };
    target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn handle(state: &Mutex<State>, req: &Request) -> Answer {
    let mut s = state.lock().unwrap();
    let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
    match (req.method(), req.path()) {
        ("POST", "/client/register") => {
            s.registrations.push(body);
            let n = s.registrations.len();
            reply(
                200,
                &format!(
                    r#"{{"clientId":"cid-{n}","clientSecret":"CLIENT-SECRET-{n}","clientIdIssuedAt":1,"clientSecretExpiresAt":4102444800}}"#
                ),
            )
        }
        ("POST", "/device_authorization") => reply(
            200,
            r#"{"deviceCode":"DEVICE-CODE","userCode":"ABCD-EFGH","verificationUri":"https://device.sso.fake/","verificationUriComplete":"https://device.sso.fake/?user_code=ABCD-EFGH","expiresIn":600,"interval":1}"#,
        ),
        ("POST", "/token") => {
            let grant = body["grantType"].as_str().unwrap_or_default().to_owned();
            s.grants.push(grant.clone());
            match grant.as_str() {
                "urn:ietf:params:oauth:grant-type:device_code" => {
                    if body["deviceCode"] != "DEVICE-CODE" {
                        return oauth_error(400, "InvalidGrantException", "invalid_grant");
                    }
                    let step = if s.device.len() > 1 {
                        s.device.remove(0)
                    } else {
                        s.device.first().copied().unwrap_or(DeviceStep::Approve)
                    };
                    match step {
                        DeviceStep::Pending => oauth_error(
                            400,
                            "AuthorizationPendingException",
                            "authorization_pending",
                        ),
                        DeviceStep::SlowDown => oauth_error(400, "SlowDownException", "slow_down"),
                        DeviceStep::Expire => {
                            oauth_error(400, "ExpiredTokenException", "expired_token")
                        }
                        DeviceStep::Deny => {
                            oauth_error(400, "AccessDeniedException", "access_denied")
                        }
                        DeviceStep::Approve => token(&mut s),
                    }
                }
                "authorization_code" => {
                    let code = body["code"].as_str().unwrap_or_default();
                    let Some((challenge, redirect)) = s.codes.remove(code) else {
                        return oauth_error(400, "InvalidGrantException", "invalid_grant");
                    };
                    let verifier = body["codeVerifier"].as_str().unwrap_or_default();
                    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(sha2::Sha256::digest(verifier.as_bytes()));
                    if computed != challenge || body["redirectUri"] != redirect.as_str() {
                        return oauth_error(400, "InvalidGrantException", "invalid_grant");
                    }
                    token(&mut s)
                }
                "refresh_token" => {
                    if body["refreshToken"] != s.refresh.as_str() {
                        return oauth_error(400, "InvalidGrantException", "invalid_grant");
                    }
                    token(&mut s)
                }
                _ => oauth_error(
                    400,
                    "UnsupportedGrantTypeException",
                    "unsupported_grant_type",
                ),
            }
        }
        ("GET", "/authorize") => {
            s.authorize_queries.push(req.target().to_owned());
            let q = query_params(req.target());
            let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
            if !redirect.starts_with("http://127.0.0.1:")
                || q.get("code_challenge_method").map(String::as_str) != Some("S256")
            {
                return reply(400, "bad authorize request");
            }
            let code = format!("AUTHCODE-{}", s.codes.len() + s.issued + 1);
            s.codes.insert(
                code.clone(),
                (
                    q.get("code_challenge").cloned().unwrap_or_default(),
                    redirect.clone(),
                ),
            );
            let state = q.get("state").cloned().unwrap_or_default();
            Answer::Respond {
                status: 302,
                headers: vec![
                    ("Location", format!("{redirect}?code={code}&state={state}")),
                    ("Content-Type", "text/html".to_owned()),
                ],
                body: String::new(),
            }
        }
        ("GET", path @ ("/assignment/accounts" | "/assignment/roles")) => {
            let token = req.header("x-amz-sso_bearer_token").unwrap_or_default();
            if !(1..=s.issued).any(|n| token == format!("ACCESS-{n}")) {
                return reply(401, r#"{"message":"Session token not found or invalid"}"#)
                    .with_header("x-amzn-errortype", "UnauthorizedException:");
            }
            if s.throttle > 0 {
                s.throttle -= 1;
                s.list_calls.push("throttled".into());
                return reply(429, r#"{"message":"Rate exceeded"}"#)
                    .with_header("x-amzn-errortype", "TooManyRequestsException:");
            }
            let q = query_params(req.target());
            let next = q.get("next_token");
            let size = s.page_size;
            if path == "/assignment/accounts" {
                let (items, more) = page(&s.accounts, size, next);
                s.list_calls
                    .push(format!("accounts {}", next.map_or("-", String::as_str)));
                let list: Vec<serde_json::Value> = items
                    .iter()
                    .map(|a| serde_json::json!({"accountId": a.id, "accountName": a.name, "emailAddress": a.email}))
                    .collect();
                reply(
                    200,
                    &serde_json::json!({"accountList": list, "nextToken": more}).to_string(),
                )
            } else {
                let account = q.get("account_id").cloned().unwrap_or_default();
                let roles = s
                    .accounts
                    .iter()
                    .find(|a| a.id == account)
                    .map(|a| a.roles.clone())
                    .unwrap_or_default();
                let (items, more) = page(&roles, size, next);
                s.list_calls.push(format!(
                    "roles {account} {}",
                    next.map_or("-", String::as_str)
                ));
                let list: Vec<serde_json::Value> = items
                    .iter()
                    .map(|r| serde_json::json!({"roleName": r, "accountId": account}))
                    .collect();
                reply(
                    200,
                    &serde_json::json!({"roleList": list, "nextToken": more}).to_string(),
                )
            }
        }
        ("GET", "/federation/credentials") => {
            let token = req.header("x-amz-sso_bearer_token").unwrap_or_default();
            let q = query_params(req.target());
            let (account, role) = (
                q.get("account_id").cloned().unwrap_or_default(),
                q.get("role_name").cloned().unwrap_or_default(),
            );
            let assigned = s
                .accounts
                .iter()
                .any(|a| a.id == account && a.roles.contains(&role));
            if assigned && (1..=s.issued).any(|n| token == format!("ACCESS-{n}")) {
                // With a directory, the credentials say whose they are.
                return reply(
                    200,
                    &serde_json::json!({"roleCredentials": {
                        "accessKeyId": format!("ASIA{account}"),
                        "secretAccessKey": "SSOSECRET",
                        "sessionToken": format!("SSOTOKEN-{account}-{role}"),
                        "expiration": 4_102_444_800_000_u64,
                    }})
                    .to_string(),
                );
            }
            if (1..=s.issued).any(|n| token == format!("ACCESS-{n}")) {
                reply(
                    200,
                    r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"SSOSECRET","sessionToken":"SSOTOKEN","expiration":4102444800000}}"#,
                )
            } else {
                reply(401, r#"{"message":"Session token not found or invalid"}"#)
                    .with_header("x-amzn-errortype", "UnauthorizedException:")
            }
        }
        ("POST", "/logout") => {
            let token = req
                .header("x-amz-sso_bearer_token")
                .unwrap_or_default()
                .to_owned();
            s.logged_out.push(token);
            reply(200, "")
        }
        _ => reply(404, "not found"),
    }
}

/// Starts the fake with a device flow script.
pub async fn start(device: Vec<DeviceStep>) -> (SocketAddr, Arc<Mock>, Arc<Mutex<State>>) {
    let state = Arc::new(Mutex::new(State {
        device,
        ..State::default()
    }));
    let shared = state.clone();
    let (mock, addr) = serve_with(move |req| handle(&shared, req)).await;
    (addr, mock, state)
}
