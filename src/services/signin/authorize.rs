//! The authorize step of an `aws login` sign-in (the AWS CLI's `SameDeviceLoginTokenFetcher`
//! and `CrossDeviceLoginTokenFetcher`): the page the user signs in on, the code the
//! cross-device page shows for pasting, and the session the sign-in's `idToken` names.
//!
//! - The page is `{sign-in endpoint}/v1/authorize?response_type=code&client_id=…&state=…
//!   &code_challenge_method=SHA-256&scope=openid[&redirect_uri=…]&code_challenge=…`
//!   (PKCE S256, RFC 7636; the AWS CLI names the method `SHA-256`).
//! - On this device the redirect is the loopback listener
//!   (`http://127.0.0.1:PORT/oauth/callback`, client `…/same-device`); on another one it
//!   is the service's own confirmation page (`{endpoint}/v1/sessions/confirmation`,
//!   client `…/cross-device`), which shows a code: base64 of `state=…&code=…`.
//! - The session's name (`login_session`) is the `sub` of the `idToken` JWT, an ARN whose
//!   account is the session's account.
//!
//! Pure: no I/O, no clock. The code and the verifier are secrets.

use base64::Engine as _;

use crate::secret::SecretString;
use crate::server::oauth_callback::decode;
use crate::sigv4::encode_query_component;

/// The client of the flow whose redirect comes back to this machine.
pub const CLIENT_ID_SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";

/// The client of the flow completed on another device (the code pasted back).
pub const CLIENT_ID_CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";

/// The authorize page's path.
pub const AUTHORIZE_PATH: &str = "/v1/authorize";

/// The cross-device flow's redirect target's path.
pub const CONFIRMATION_PATH: &str = "/v1/sessions/confirmation";

/// The authorize page on `base` (the sign-in endpoint) for `client_id`, with the PKCE
/// `challenge` and the `state` to expect back; `redirect_uri` where the code goes. No
/// secret in it.
pub fn authorize_url(
    base: &str,
    client_id: &str,
    state: &str,
    challenge: &str,
    redirect_uri: &str,
) -> String {
    let mut url = format!(
        "{}{AUTHORIZE_PATH}?response_type=code&client_id=",
        base.trim_end_matches('/')
    );
    encode_query_component(&mut url, client_id);
    url.push_str("&state=");
    encode_query_component(&mut url, state);
    url.push_str("&code_challenge_method=SHA-256&scope=openid&redirect_uri=");
    encode_query_component(&mut url, redirect_uri);
    url.push_str("&code_challenge=");
    url.push_str(challenge);
    url
}

/// The cross-device flow's redirect target on `base`.
pub fn confirmation_uri(base: &str) -> String {
    format!("{}{CONFIRMATION_PATH}", base.trim_end_matches('/'))
}

/// Why a pasted code cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PastedCodeError {
    /// Not base64 of text.
    NotBase64,
    /// It decodes, but holds no `code` or no `state`.
    Incomplete,
    /// It gives the code or the state twice (two codes pasted together?).
    Repeated,
}

impl std::fmt::Display for PastedCodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotBase64 => {
                "the pasted text is not the authorization code the page shows (it is not base64): copy the whole code"
            }
            Self::Incomplete => {
                "the pasted code holds no code or no state: copy the whole code the page shows"
            }
            Self::Repeated => {
                "the pasted text gives the code or the state twice: paste the page's code once"
            }
        })
    }
}

impl std::error::Error for PastedCodeError {}

/// The code and the state a pasted verification code holds (base64, standard or URL-safe,
/// padded or not, of `state=…&code=…`; blanks around and inside are ignored, as a
/// terminal may wrap a long line).
pub fn parse_pasted(text: &str) -> Result<(SecretString, String), PastedCodeError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let unpadded = compact.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(unpadded)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(unpadded))
        .map_err(|_| PastedCodeError::NotBase64)?;
    let query = String::from_utf8(bytes).map_err(|_| PastedCodeError::NotBase64)?;
    let mut code = None;
    let mut state = None;
    for pair in query.split('&') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let slot = match decode(key).as_str() {
            "code" => &mut code,
            "state" => &mut state,
            _ => continue,
        };
        if slot.is_some() {
            return Err(PastedCodeError::Repeated);
        }
        *slot = Some(decode(value)).filter(|v| !v.is_empty());
    }
    match (code, state) {
        (Some(code), Some(state)) => Ok((SecretString::new(code), state)),
        _ => Err(PastedCodeError::Incomplete),
    }
}

/// Why an `idToken` names no session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdTokenError {
    /// Not three dot-separated parts with a base64url JSON payload.
    NotJwt,
    /// The payload has no `sub`.
    NoSubject,
    /// `sub` is not an ARN with an account.
    NotArn(String),
}

impl std::fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotJwt => f.write_str("the sign-in's idToken is not a JWT"),
            Self::NoSubject => f.write_str("the sign-in's idToken names no subject (sub)"),
            Self::NotArn(sub) => write!(
                f,
                "the sign-in's idToken subject {sub:?} is not an ARN with an account"
            ),
        }
    }
}

impl std::error::Error for IdTokenError {}

/// The session an `idToken` names (its `sub`, an ARN) and that ARN's account. The token's
/// signature is not checked: it came over TLS from the service it names, and only its
/// name is used.
pub fn session_of(id_token: &str) -> Result<(String, String), IdTokenError> {
    let mut parts = id_token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(IdTokenError::NotJwt);
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| IdTokenError::NotJwt)?;
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| IdTokenError::NotJwt)?;
    let sub = json
        .get("sub")
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(IdTokenError::NoSubject)?;
    // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
    let fields: Vec<&str> = sub.splitn(6, ':').collect();
    match fields.as_slice() {
        ["arn", partition, service, _, account, resource]
            if !partition.is_empty()
                && !service.is_empty()
                && !resource.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !sub.contains(|c: char| c.is_control() || c.is_whitespace()) =>
        {
            Ok((sub.to_owned(), (*account).to_owned()))
        }
        _ => Err(IdTokenError::NotArn(sub.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn the_authorize_page_is_asked_for_as_the_aws_cli_does() {
        let url = authorize_url(
            "https://us-east-1.signin.aws.amazon.com/",
            CLIENT_ID_SAME_DEVICE,
            "6f1c0c1e-5c1a-4a8e-9d0e-1f2a3b4c5d6e",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "http://127.0.0.1:4242/oauth/callback",
        );
        assert_eq!(
            url,
            "https://us-east-1.signin.aws.amazon.com/v1/authorize?response_type=code\
             &client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fsame-device\
             &state=6f1c0c1e-5c1a-4a8e-9d0e-1f2a3b4c5d6e&code_challenge_method=SHA-256\
             &scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A4242%2Foauth%2Fcallback\
             &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(
            confirmation_uri("https://us-east-1.signin.aws.amazon.com"),
            "https://us-east-1.signin.aws.amazon.com/v1/sessions/confirmation"
        );
    }

    #[test]
    fn a_pasted_code_is_read_however_it_was_copied() {
        let code = b64("state=s-1&code=c%2B1");
        let (c, s) = parse_pasted(&code).unwrap();
        assert_eq!((c.expose(), s.as_str()), ("c+1", "s-1"));
        // Wrapped by the terminal, padding lost, URL-safe alphabet.
        let long = b64("code=ab?>cd&state=s-2");
        let wrapped = format!("  {}\n{} ", &long[..10], long[10..].trim_end_matches('='));
        assert_eq!(parse_pasted(&wrapped).unwrap().1, "s-2");
        let url_safe = long.replace('+', "-").replace('/', "_");
        assert_eq!(parse_pasted(&url_safe).unwrap().0.expose(), "ab?>cd");
        assert_eq!(parse_pasted("not base64!"), Err(PastedCodeError::NotBase64));
        assert_eq!(
            parse_pasted(&b64("code=only")),
            Err(PastedCodeError::Incomplete)
        );
        assert_eq!(
            parse_pasted(&b64("state=s&code=")),
            Err(PastedCodeError::Incomplete)
        );
        assert_eq!(
            parse_pasted(&b64("state=s&code=X&code=Y")),
            Err(PastedCodeError::Repeated)
        );
        let err = parse_pasted(&b64("state=s&code=SECRET")).map(|(c, _)| format!("{c:?}"));
        assert!(!err.unwrap().contains("SECRET"));
    }

    #[test]
    fn the_session_is_the_id_tokens_subject() {
        let jwt = |payload: &str| {
            format!(
                "eyJhbGciOiJub25lIn0.{}.sig",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)
            )
        };
        assert_eq!(
            session_of(&jwt(r#"{"sub":"arn:aws:iam::111122223333:user/alice"}"#)),
            Ok((
                "arn:aws:iam::111122223333:user/alice".into(),
                "111122223333".into()
            ))
        );
        assert_eq!(
            session_of(&jwt(
                r#"{"sub":"arn:aws-cn:sts::444455556666:assumed-role/Admin/bob"}"#
            ))
            .unwrap()
            .1,
            "444455556666"
        );
        assert_eq!(session_of("a.b"), Err(IdTokenError::NotJwt));
        assert_eq!(session_of("a.!!.c"), Err(IdTokenError::NotJwt));
        assert_eq!(
            session_of(&jwt(r#"{"aud":"x"}"#)),
            Err(IdTokenError::NoSubject)
        );
        assert!(matches!(
            session_of(&jwt(r#"{"sub":"alice"}"#)),
            Err(IdTokenError::NotArn(_))
        ));
        assert!(matches!(
            session_of(&jwt(r#"{"sub":"arn:aws:iam::12:user/a"}"#)),
            Err(IdTokenError::NotArn(_))
        ));
    }
}
