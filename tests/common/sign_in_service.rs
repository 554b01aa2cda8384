//! A fake AWS Sign-In service (`aws login`'s) that behaves like the real one where the
//! tests look: the authorize page (`GET /v1/authorize`: each parameter checked, a code
//! issued for the challenge, the client and the redirect URI, and a 302 to the redirect
//! with `code` and `state`), the cross-device confirmation page (the code to paste:
//! base64 of `state=…&code=…`), and CreateOAuth2Token (`POST /v1/token`) for both grants,
//! each proven with DPoP: a code is good once, for its client, redirect URI and PKCE
//! verifier; the refresh token it gives is bound to the key of that proof, and a refresh
//! proven with another key is refused, as RFC 9449 binds them. And the console
//! federation endpoint of the same host (`GET /federation`, getSigninToken).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use sha2::Digest as _;

use super::mock::{Answer, Request, ok, reply, serve_with};

/// The session a sign-in is for (the `idToken`'s subject).
pub const SUBJECT: &str = "arn:aws:iam::111122223333:user/alice";

/// What the fake knows and has seen.
#[derive(Default)]
pub struct SignInState {
    /// Codes issued and not yet used: code → (challenge, redirect URI, client id).
    pub codes: HashMap<String, (String, String, String)>,
    /// Refresh tokens → the JWK (`x.y`) they are bound to.
    pub bound: HashMap<String, String>,
    /// One line per call: `PATH GRANT verdict`.
    pub log: Vec<String>,
    /// Each authorize query, as sent.
    pub authorize_queries: Vec<String>,
    /// Each CreateOAuth2Token body, as sent.
    pub token_bodies: Vec<serde_json::Value>,
    /// An `AccessDeniedException` `error` to answer the next code exchange with.
    pub deny_exchange: Option<&'static str>,
    /// `expiresIn` of the credentials given (900 unless set).
    pub expires_in: Option<i64>,
    /// The subject of the `idToken` (SUBJECT unless set).
    pub subject: Option<String>,
    issued: usize,
    jtis: Mutex<Vec<String>>,
}

fn b64url(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

/// The `x.y` of the JWK in a DPoP proof's header.
fn proof_jwk(req: &Request) -> String {
    let header = req
        .header("dpop")
        .and_then(|p| p.split('.').next())
        .and_then(|h| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(h)
                .ok()
        })
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .unwrap_or_default();
    format!(
        "{}.{}",
        header["jwk"]["x"].as_str().unwrap_or_default(),
        header["jwk"]["y"].as_str().unwrap_or_default()
    )
}

fn denied(code: &str) -> Answer {
    reply(403, &format!(r#"{{"error":"{code}","message":"denied"}}"#))
        .with_header("x-amzn-errortype", "AccessDeniedException:")
        .with_header("content-type", "application/json")
}

fn invalid(message: &str) -> Answer {
    reply(
        400,
        &format!(r#"{{"error":"invalid_request","message":"{message}"}}"#),
    )
    .with_header("x-amzn-errortype", "ValidationException:")
}

impl SignInState {
    fn credentials(&mut self, subject_token: bool, key: String) -> Answer {
        self.issued += 1;
        let n = self.issued;
        let refresh = format!("REFRESH-{n}");
        self.bound.insert(refresh.clone(), key);
        let mut answer = serde_json::json!({
            "accessToken": {
                "accessKeyId": format!("ASIASIGNIN{n}"),
                "secretAccessKey": format!("SECRET-{n}"),
                "sessionToken": format!("TOKEN-{n}"),
            },
            "tokenType": "aws_sigv4",
            "expiresIn": self.expires_in.unwrap_or(900),
            "refreshToken": refresh,
        });
        if subject_token {
            let subject = self.subject.clone().unwrap_or_else(|| SUBJECT.to_owned());
            let payload =
                serde_json::json!({"sub": subject, "iss": "https://signin.aws.amazon.com"});
            answer["idToken"] = format!(
                "{}.{}.{}",
                b64url(br#"{"alg":"ES384","typ":"JWT"}"#),
                b64url(payload.to_string().as_bytes()),
                b64url(b"signature")
            )
            .into();
        }
        ok(&answer.to_string()).with_header("content-type", "application/json")
    }

    fn authorize(&mut self, req: &Request) -> Answer {
        self.authorize_queries.push(req.target().to_owned());
        let q = req.query();
        let host = req.header("host").unwrap_or_default();
        let client = q.get("client_id").map(String::as_str).unwrap_or_default();
        let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
        let redirect_ok = match client {
            "arn:aws:signin:::devtools/same-device" => {
                redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/oauth/callback")
            }
            "arn:aws:signin:::devtools/cross-device" => {
                redirect == format!("http://{host}/v1/sessions/confirmation")
            }
            _ => false,
        };
        let challenge = q.get("code_challenge").cloned().unwrap_or_default();
        if q.get("response_type").map(String::as_str) != Some("code")
            || q.get("code_challenge_method").map(String::as_str) != Some("SHA-256")
            || q.get("scope").map(String::as_str) != Some("openid")
            || q.get("state").is_none_or(String::is_empty)
            || challenge.len() != 43
            || !redirect_ok
        {
            return reply(400, "<html>bad authorize request</html>");
        }
        let code = format!("AUTHCODE-{}", self.codes.len() + self.issued + 1);
        self.codes.insert(
            code.clone(),
            (challenge, redirect.clone(), client.to_owned()),
        );
        let state = &q["state"];
        Answer::Respond {
            status: 302,
            headers: vec![
                ("Location", format!("{redirect}?code={code}&state={state}")),
                ("Content-Type", "text/html".to_owned()),
            ],
            body: String::new(),
        }
    }

    fn token(&mut self, req: &Request) -> Answer {
        let url = format!("http://{}/v1/token", req.header("host").unwrap_or_default());
        let now = aws_login::time::Clock::now(&aws_login::time::SystemClock).timestamp();
        let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
        self.token_bodies.push(body.clone());
        let grant = body["grantType"].as_str().unwrap_or("-").to_owned();
        let verdict = dpop_check(req, &url, now, &self.jtis);
        self.log.push(format!(
            "{} {grant} dpop={}",
            req.path(),
            verdict.clone().err().unwrap_or_else(|| "ok".into())
        ));
        if let Err(why) = verdict {
            return invalid(&why);
        }
        let key = proof_jwk(req);
        match grant.as_str() {
            "authorization_code" => {
                let code = body["code"].as_str().unwrap_or_default();
                let Some((challenge, redirect, client)) = self.codes.remove(code) else {
                    return invalid("unknown or used code");
                };
                let verifier = body["codeVerifier"].as_str().unwrap_or_default();
                if b64url(&sha2::Sha256::digest(verifier.as_bytes())) != challenge
                    || body["redirectUri"] != redirect.as_str()
                    || body["clientId"] != client.as_str()
                {
                    return invalid("the code's verifier, redirect or client is not its own");
                }
                if let Some(code) = self.deny_exchange.take() {
                    return denied(code);
                }
                self.credentials(true, key)
            }
            "refresh_token" => {
                let token = body["refreshToken"].as_str().unwrap_or_default();
                match self.bound.remove(token) {
                    Some(bound) if bound == key => self.credentials(false, key),
                    Some(_) => invalid("the refresh token is bound to another key"),
                    None => denied("TOKEN_EXPIRED"),
                }
            }
            _ => invalid("unsupported grant"),
        }
    }
}

/// Starts the fake: its address and state.
pub async fn start() -> (std::net::SocketAddr, Arc<Mutex<SignInState>>) {
    let state: Arc<Mutex<SignInState>> = Arc::default();
    let shared = state.clone();
    let (_, addr) = serve_with(move |req| {
        let mut s = shared.lock().unwrap();
        match (req.method(), req.path()) {
            ("GET", "/v1/authorize") => s.authorize(req),
            ("GET", "/v1/sessions/confirmation") => {
                let q = req.query();
                let shown = base64::engine::general_purpose::STANDARD.encode(format!(
                    "state={}&code={}",
                    q.get("state").cloned().unwrap_or_default(),
                    q.get("code").cloned().unwrap_or_default()
                ));
                reply(
                    200,
                    &format!("<html><body><p>Paste this code:</p><pre id=\"code\">{shown}</pre></body></html>"),
                )
                .with_header("content-type", "text/html")
            }
            ("POST", "/v1/token") => s.token(req),
            // The console federation endpoint of the same host: a sign-in token for the
            // session's credentials.
            ("GET", "/federation") => {
                let session: serde_json::Value = serde_json::from_str(
                    req.query().get("Session").map(String::as_str).unwrap_or_default(),
                )
                .unwrap_or_default();
                s.log.push(format!(
                    "/federation getSigninToken {}",
                    session["sessionId"].as_str().unwrap_or("-")
                ));
                ok(r#"{"SigninToken":"CONSOLE-SIGNIN-TOKEN"}"#)
            }
            _ => reply(404, "<html>not found</html>"),
        }
    })
    .await;
    (addr, state)
}

/// What botocore's credential chain gives profile `profile` (its `method` and the access
/// key id), run by `python` with `env` only (and no instance metadata).
pub async fn botocore_credentials(
    python: &std::ffi::OsStr,
    profile: &str,
    env: &[(&str, std::ffi::OsString)],
) -> serde_json::Value {
    let script = r#"
import json, sys, botocore.session
s = botocore.session.Session(profile=sys.argv[1])
c = s.get_credentials()
f = c.get_frozen_credentials()
print(json.dumps({"method": c.method, "key": f.access_key}))
"#;
    let mut cmd = tokio::process::Command::new(python);
    cmd.args(["-c", script, profile])
        .env_clear()
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A fake Sign-In service that checks DPoP as the real one does: the ES256 signature
/// with the JWK of the header, `htm`, `htu`, an `iat` within 5 minutes, and a `jti`
/// never seen before. Its log: `ok`, or why it refused.
pub fn dpop_check(
    req: &super::mock::Request,
    url: &str,
    now: i64,
    seen: &std::sync::Mutex<Vec<String>>,
) -> Result<(), String> {
    use base64::Engine as _;
    use p256::ecdsa::signature::Verifier as _;
    let b64 = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|e| e.to_string())
    };
    let proof = req.header("dpop").ok_or("no DPoP header")?;
    let parts: Vec<&str> = proof.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err("not a JWT".into());
    };
    let h: serde_json::Value = serde_json::from_slice(&b64(header)?).map_err(|e| e.to_string())?;
    let p: serde_json::Value = serde_json::from_slice(&b64(payload)?).map_err(|e| e.to_string())?;
    if h["typ"] != "dpop+jwt" || h["alg"] != "ES256" || h["jwk"]["crv"] != "P-256" {
        return Err(format!("bad header {h}"));
    }
    let mut point = vec![4u8];
    point.extend(b64(h["jwk"]["x"].as_str().unwrap_or_default())?);
    point.extend(b64(h["jwk"]["y"].as_str().unwrap_or_default())?);
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).map_err(|e| e.to_string())?;
    let sig = p256::ecdsa::Signature::from_slice(&b64(signature)?).map_err(|e| e.to_string())?;
    key.verify(format!("{header}.{payload}").as_bytes(), &sig)
        .map_err(|_| "bad signature".to_owned())?;
    if p["htm"] != "POST" || p["htu"] != url {
        return Err(format!("bad htm/htu {p}"));
    }
    if (p["iat"].as_i64().unwrap_or(0) - now).abs() > 300 {
        return Err("iat too far".into());
    }
    let jti = p["jti"].as_str().unwrap_or_default().to_owned();
    let mut seen = seen.lock().unwrap();
    if jti.is_empty() || seen.contains(&jti) {
        return Err("jti reused".into());
    }
    seen.push(jti);
    Ok(())
}
