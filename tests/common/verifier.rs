//! The project's own SigV4 / SigV4a verifier for fakes: the request as received is signed
//! again with the known secret at its `X-Amz-Date`, with the headers it says it signed,
//! and the signature compared (SigV4) or checked with the public key of the key derived
//! from the credentials (SigV4a, whose signatures are randomised).

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::sigv4a::derive_sigv4a_key;
use aws_login::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign};
use p256::ecdsa::signature::Verifier as _;

use super::mock::Request;

/// Checks `req`'s `Authorization` for the access key's `secret` (S3's rules with `s3`).
/// Errors say what did not match.
pub fn verify(req: &Request, secret: &str, s3: bool) -> Result<(), String> {
    let auth = req.header("authorization").ok_or("no Authorization")?;
    let (algorithm, rest) = auth.split_once(' ').ok_or("no algorithm")?;
    let field = |name: &str| {
        rest.split(", ")
            .find_map(|p| p.trim().strip_prefix(name))
            .ok_or(format!("no {name}"))
    };
    let credential = field("Credential=")?;
    let signed_headers = field("SignedHeaders=")?;
    let signature = field("Signature=")?;
    let scope: Vec<&str> = credential.split('/').collect();
    let v4a = algorithm == "AWS4-ECDSA-P256-SHA256";
    let (key_id, region, service) = match (v4a, scope.as_slice()) {
        (false, [key, _, region, service, "aws4_request"]) => (*key, *region, *service),
        (true, [key, _, service, "aws4_request"]) => (
            *key,
            req.header("x-amz-region-set").ok_or("no region set")?,
            *service,
        ),
        _ => return Err(format!("bad credential scope {credential}")),
    };
    let amz_date = req.header("x-amz-date").ok_or("no X-Amz-Date")?;
    let time = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .map_err(|e| e.to_string())?
        .and_utc();
    let headers: Vec<(&str, &str)> = signed_headers
        .split(';')
        .map(|name| Ok((name, req.header(name).ok_or(format!("no {name}"))?)))
        .collect::<Result<_, String>>()?;
    let (path, query) = req.target().split_once('?').unwrap_or((req.target(), ""));
    let payload = match req.header("x-amz-content-sha256") {
        Some(hash) => Payload::Precomputed(hash),
        None => Payload::Bytes(req.body.as_bytes()),
    };
    let mut settings = if s3 {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    if v4a {
        settings = settings.sigv4a();
    }
    let credentials = Credentials::new(
        key_id,
        secret,
        req.header("x-amz-security-token").map(SecretString::new),
        None,
    );
    let request = SignableRequest::new(req.method(), path, query, &headers, payload);
    let params = SigningParams {
        credentials: &credentials,
        region,
        service,
        time,
        settings: &settings,
        key_cache: None,
    };
    let again = sign(&request, &params).map_err(|e| e.to_string())?;
    if again.signed_headers() != signed_headers {
        return Err(format!(
            "signed headers {signed_headers} but would sign {}",
            again.signed_headers()
        ));
    }
    if v4a {
        let key = derive_sigv4a_key(key_id, secret).map_err(|e| e.to_string())?;
        let der = hex::decode(signature).map_err(|e| e.to_string())?;
        let sig = p256::ecdsa::Signature::from_der(&der).map_err(|e| e.to_string())?;
        return key
            .verifying_key()
            .verify(again.string_to_sign().as_bytes(), &sig)
            .map_err(|_| "the SigV4a signature does not verify".to_owned());
    }
    if again.signature() == signature {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch; canonical request:\n{}",
            again.redacted_canonical_request()
        ))
    }
}
