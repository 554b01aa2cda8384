//! Step 4: signing a request. Everything before is pure text; this joins the steps,
//! hashes, and returns what to add to the request. No clock, no I/O, no globals.

use std::fmt::Write as _;
use std::ops::Range;

use chrono::{DateTime, Utc};
use hmac::Mac;
use sha2::{Digest, Sha256};

use super::amz_date::AmzDate;
use super::canonical_headers::{
    NameInfo, SortedHeaders, ValueInfo, check_name, check_value, is_valid_name,
};
use super::canonical_query::QueryParams;
use super::canonical_uri::write_canonical_uri;
use super::encode::{Keep, encode_into};
use super::error::SigningError;
use super::hex::Hex64;
use super::request::SignableRequest;
use super::settings::SigningAlgorithm;
use super::settings::{SessionTokenMode, SignatureLocation, SigningSettings};
use super::signed::Signature;
use super::signing_key::{SigningKeyCache, derive_signing_key, hmac_with_key};
use super::sigv4a::ALGORITHM_V4A;
use super::string_to_sign::{ALGORITHM, write_scope, write_string_to_sign};
use crate::credentials::Credentials;

/// The hash of an empty payload.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The payload hash of an unsigned body.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The longest presigned URL lifetime AWS accepts: 7 days.
pub const MAX_EXPIRES_SECS: u64 = 604_800;

/// Everything besides the request that a signature depends on.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// Who signs.
    pub credentials: &'a Credentials,
    /// The region of the credential scope (`us-east-1`).
    pub region: &'a str,
    /// The service of the credential scope (`sts`, `ec2`, `s3`...).
    pub service: &'a str,
    /// The signing time, passed in: the signer never reads the clock.
    pub time: DateTime<Utc>,
    /// How to sign.
    pub settings: &'a SigningSettings,
    /// Where to keep signing keys between signatures; `None` derives the key every time.
    pub key_cache: Option<&'a SigningKeyCache>,
}

#[derive(Clone, Copy)]
pub(super) enum PayloadHash<'a> {
    Computed(Hex64),
    Given(&'a str),
}

impl PayloadHash<'_> {
    pub(super) fn as_str(&self) -> &str {
        match self {
            PayloadHash::Computed(h) => h.as_str(),
            PayloadHash::Given(s) => s,
        }
    }
}

use super::signed::SignedRequest;
use super::validate::{payload_hash, validate_params, validate_path, validate_query};

/// A parameter a presigned URL gains before it is signed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum AuthParam {
    Algorithm,
    Credential,
    Date,
    Expires,
    RegionSet,
    SecurityToken,
    SignedHeaders,
}

impl AuthParam {
    /// All of them, in canonical (byte) order of their names.
    const SORTED: [AuthParam; 7] = [
        AuthParam::Algorithm,
        AuthParam::Credential,
        AuthParam::Date,
        AuthParam::Expires,
        AuthParam::RegionSet,
        AuthParam::SecurityToken,
        AuthParam::SignedHeaders,
    ];

    fn name(self) -> &'static str {
        match self {
            AuthParam::Algorithm => "X-Amz-Algorithm",
            AuthParam::Credential => "X-Amz-Credential",
            AuthParam::Date => "X-Amz-Date",
            AuthParam::Expires => "X-Amz-Expires",
            AuthParam::RegionSet => "X-Amz-Region-Set",
            AuthParam::SecurityToken => "X-Amz-Security-Token",
            AuthParam::SignedHeaders => "X-Amz-SignedHeaders",
        }
    }
}

/// What the presigned URL's parameters say.
struct AuthParamValues<'v> {
    algorithm: &'v str,
    key_id: &'v str,
    amz: &'v str,
    /// The scope's region (`None` for SigV4a).
    region: Option<&'v str>,
    /// SigV4a's region set.
    region_set: Option<&'v str>,
    service: &'v str,
    expires_in: u64,
    token: Option<&'v str>,
    headers: &'v SortedHeaders<'v>,
}

impl AuthParamValues<'_> {
    /// Appends the value of `param`, percent-encoded.
    fn write(&self, out: &mut String, param: AuthParam) {
        match param {
            AuthParam::Algorithm => out.push_str(self.algorithm),
            AuthParam::Credential => {
                encode_into(out, self.key_id, Keep::Unreserved);
                out.push_str("%2F");
                write_scope(out, &self.amz[..8], self.region, self.service, "%2F");
            }
            AuthParam::Date => out.push_str(self.amz),
            AuthParam::Expires => {
                let _ = write!(out, "{}", self.expires_in);
            }
            AuthParam::RegionSet => {
                if let Some(set) = self.region_set {
                    encode_into(out, set, Keep::Unreserved);
                }
            }
            AuthParam::SecurityToken => {
                if let Some(t) = self.token {
                    encode_into(out, t, Keep::Unreserved);
                }
            }
            AuthParam::SignedHeaders => {
                self.headers.write_signed_for_query(out);
            }
        }
    }
}

/// What `sign` settled before writing anything: the validated inputs and their modes.
struct Inputs<'a> {
    /// The algorithm's name.
    algorithm: &'static str,
    /// The scope's region (`None` for SigV4a, whose scope names none).
    scope_region: Option<&'a str>,
    /// SigV4a's region set.
    region_set: Option<&'a str>,
    path: &'a str,
    payload: PayloadHash<'a>,
    amz_date: AmzDate,
    key_id: &'a str,
    token: Option<&'a str>,
    /// The token is part of the signature (not added after signing).
    token_signed: bool,
    header_mode: bool,
    /// `x-amz-content-sha256` is added and signed.
    content_header: bool,
}

/// The headers to sign, sorted: the request's, minus excluded ones and the ones the
/// signature sets itself, plus those (in header mode).
fn collect_headers<'h>(
    request: &SignableRequest<'h>,
    settings: &SigningSettings,
    inputs: &'h Inputs<'h>,
) -> Result<SortedHeaders<'h>, SigningError> {
    let mut headers = SortedHeaders::new();
    for (index, &(name, value)) in request.headers.iter().enumerate() {
        let name_info = check_name(name).ok_or(SigningError::InvalidHeaderName { index })?;
        let value_info = check_value(value).ok_or_else(|| SigningError::InvalidHeaderValue {
            name: name.to_owned(),
        })?;
        let ours = inputs.header_mode
            && (name.eq_ignore_ascii_case("x-amz-date")
                || (inputs.region_set.is_some() && name.eq_ignore_ascii_case("x-amz-region-set"))
                || name.eq_ignore_ascii_case("authorization")
                || (inputs.token.is_some() && name.eq_ignore_ascii_case("x-amz-security-token"))
                || (inputs.content_header && name.eq_ignore_ascii_case("x-amz-content-sha256")));
        if !ours && !settings.is_excluded(name) {
            headers.push(name, name_info, value, value_info);
        }
    }
    if inputs.header_mode {
        headers.push(
            "x-amz-date",
            NameInfo::LOWER,
            inputs.amz_date.as_str(),
            ValueInfo::PLAIN,
        );
        if let Some(set) = inputs.region_set {
            headers.push("x-amz-region-set", NameInfo::LOWER, set, ValueInfo::PLAIN);
        }
        if let Some(t) = inputs.token {
            // As a header the token must be a valid header value (in a query it is encoded).
            let info = check_value(t).ok_or_else(|| SigningError::InvalidHeaderValue {
                name: "x-amz-security-token".to_owned(),
            })?;
            if inputs.token_signed {
                headers.push("x-amz-security-token", NameInfo::LOWER, t, info);
            }
        }
        if inputs.content_header {
            let hash = inputs.payload.as_str();
            headers.push(
                "x-amz-content-sha256",
                NameInfo::LOWER,
                hash,
                ValueInfo::PLAIN,
            );
        }
    }
    headers.sort();
    Ok(headers)
}

/// An upper bound of the canonical request, string to sign and output together, so that
/// the buffer holding them is allocated once; and of the canonical query alone.
fn buffer_capacity(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    inputs: &Inputs<'_>,
    headers: &SortedHeaders<'_>,
) -> (usize, usize) {
    let scope_len = 8 + params.region.len() + params.service.len() + 15;
    // A SigV4a signature is DER, up to 72 bytes (144 hex digits) instead of 32.
    let signature_len = if inputs.region_set.is_some() { 144 } else { 64 };
    let token_len = inputs.token.map_or(0, str::len);
    let header_bytes = headers.byte_bound();
    let auth_params_len = if inputs.header_mode {
        0
    } else {
        230 + 3 * (inputs.key_id.len() + token_len + header_bytes) + scope_len
    };
    // A query byte becomes at most 3 (`%XX`), plus `=` for a name without a value.
    let query_len = 4 * request.query.len() + auth_params_len;
    let cr_len = request.method.len()
        + 3 * inputs.path.len()
        + query_len
        + header_bytes
        + inputs.payload.as_str().len()
        + 8;
    let sts_len = ALGORITHM_V4A.len() + 16 + scope_len + 64 + 4;
    let out_len = if inputs.header_mode {
        ALGORITHM_V4A.len() + 40 + inputs.key_id.len() + scope_len + header_bytes + signature_len
    } else {
        query_len + 3 * token_len + 20 + signature_len
    };
    (cr_len + sts_len + out_len, query_len)
}

/// Appends the canonical query: the request's parameters and, for a presigned URL, the
/// `X-Amz-*` ones, encoded and sorted.
fn write_canonical_query(
    buf: &mut String,
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    inputs: &Inputs<'_>,
    headers: &SortedHeaders<'_>,
    query_len: usize,
) {
    let SignatureLocation::Query { expires_in } = params.settings.location else {
        if !request.query.is_empty() {
            let mut scratch = String::with_capacity(query_len);
            let mut query = QueryParams::new(&mut scratch);
            query.add_raw_query(request.query);
            query.write_sorted(buf);
        }
        return;
    };
    let values = AuthParamValues {
        algorithm: inputs.algorithm,
        key_id: inputs.key_id,
        amz: inputs.amz_date.as_str(),
        region: inputs.scope_region,
        region_set: inputs.region_set,
        service: params.service,
        expires_in,
        token: inputs.token.filter(|_| inputs.token_signed),
        headers,
    };
    let auth_params = AuthParam::SORTED.into_iter().filter(|p| match p {
        AuthParam::SecurityToken => values.token.is_some(),
        AuthParam::RegionSet => values.region_set.is_some(),
        _ => true,
    });
    if request.query.split('&').all(str::is_empty) {
        // Only our parameters, whose canonical order is known: written in place.
        for (i, param) in auth_params.enumerate() {
            if i > 0 {
                buf.push('&');
            }
            buf.push_str(param.name());
            buf.push('=');
            values.write(buf, param);
        }
    } else {
        // Encoded into a scratch buffer with the request's own, then sorted into place.
        let mut scratch = String::with_capacity(query_len);
        let mut query = QueryParams::new(&mut scratch);
        query.add_raw_query(request.query);
        for param in auth_params {
            query.add_encoded(param.name(), |o| values.write(o, param));
        }
        query.write_sorted(buf);
    }
}

/// Appends what goes on the request: the `Authorization` value (header mode) or the
/// presigned query string (query mode).
fn write_signature_output(
    buf: &mut String,
    inputs: &Inputs<'_>,
    scope: Range<usize>,
    signed_headers: Range<usize>,
    query: Range<usize>,
    signature: &str,
) {
    if inputs.header_mode {
        buf.push_str(inputs.algorithm);
        buf.push_str(" Credential=");
        buf.push_str(inputs.key_id);
        buf.push('/');
        buf.extend_from_within(scope);
        buf.push_str(", SignedHeaders=");
        buf.extend_from_within(signed_headers);
        buf.push_str(", Signature=");
        buf.push_str(signature);
    } else {
        buf.extend_from_within(query);
        if let Some(t) = inputs.token.filter(|_| !inputs.token_signed) {
            buf.push_str("&X-Amz-Security-Token=");
            encode_into(buf, t, Keep::Unreserved);
        }
        buf.push_str("&X-Amz-Signature=");
        buf.push_str(signature);
    }
}

/// Signs a request. Pure: the time, the credentials and the key cache are all passed in.
pub fn sign<'a>(
    request: &SignableRequest<'a>,
    params: &SigningParams<'a>,
) -> Result<SignedRequest<'a>, SigningError> {
    validate_params(params)?;
    let settings = params.settings;
    let amz_date = AmzDate::new(params.time)?;
    if request.method.is_empty() || !is_valid_name(request.method) {
        return Err(SigningError::InvalidMethod);
    }
    let path = validate_path(request.path)?;
    validate_query(request.query)?;
    let token: Option<&'a str> = params.credentials.session_token().map(|t| t.expose());
    let header_mode = matches!(settings.location, SignatureLocation::Headers);
    let v4a = settings.algorithm == SigningAlgorithm::SigV4a;
    let inputs = Inputs {
        algorithm: if v4a { ALGORITHM_V4A } else { ALGORITHM },
        scope_region: (!v4a).then_some(params.region),
        region_set: v4a.then_some(params.region),
        path,
        payload: payload_hash(request.payload)?,
        amz_date,
        key_id: params.credentials.access_key_id(),
        token,
        token_signed: token.is_some() && settings.session_token == SessionTokenMode::Signed,
        header_mode,
        content_header: header_mode && settings.content_sha256_header,
    };
    let headers = collect_headers(request, settings, &inputs)?;
    let (capacity, query_len) = buffer_capacity(request, params, &inputs, &headers);
    let mut buf = String::with_capacity(capacity);

    // 1. The canonical request.
    buf.push_str(request.method);
    buf.push('\n');
    write_canonical_uri(
        &mut buf,
        path,
        settings.uri_encoding,
        settings.normalize_uri_path,
    );
    buf.push('\n');
    let query_start = buf.len();
    write_canonical_query(&mut buf, request, params, &inputs, &headers, query_len);
    let query = query_start..buf.len();
    buf.push('\n');
    headers.write_canonical(&mut buf);
    buf.push('\n');
    let signed_start = buf.len();
    headers.write_signed(&mut buf);
    let signed_headers = signed_start..buf.len();
    buf.push('\n');
    buf.push_str(inputs.payload.as_str());
    let cr_end = buf.len();

    // 2. The string to sign.
    let amz = inputs.amz_date.as_str();
    let date = &amz[..8];
    let cr_hash = Hex64::new(&Sha256::digest(buf.as_bytes()).into());
    let scope = write_string_to_sign(
        &mut buf,
        inputs.algorithm,
        amz,
        date,
        inputs.scope_region,
        params.service,
        cr_hash.as_str(),
    );
    let sts_end = buf.len();

    // 3. The signature: an HMAC with the (cached) signing key, or SigV4a's ECDSA with
    // the key derived from the credentials.
    let secret = params.credentials.secret_access_key().expose();
    let signature = if v4a {
        let key = match params.key_cache {
            Some(cache) => cache.sigv4a_key(inputs.key_id, secret)?,
            None => super::sigv4a::derive_sigv4a_key(inputs.key_id, secret)?,
        };
        Signature::Ecdsa(super::sigv4a::sign_string(&key, &buf[cr_end..sts_end]))
    } else {
        let (region, service) = (params.region, params.service);
        let mut mac = match params.key_cache {
            Some(cache) => cache.keyed_mac(secret, inputs.amz_date.date(), date, region, service),
            None => hmac_with_key(&derive_signing_key(secret, date, region, service)),
        };
        mac.update(&buf.as_bytes()[cr_end..sts_end]);
        Signature::Hmac(Hex64::new(&mac.finalize().into_bytes().into()))
    };

    // 4. What goes on the request.
    write_signature_output(
        &mut buf,
        &inputs,
        scope,
        signed_headers.clone(),
        query,
        signature.as_str(),
    );

    Ok(SignedRequest {
        location: settings.location,
        buf,
        cr_end,
        sts_end,
        signed_headers,
        signature,
        region_set: inputs.region_set,
        amz_date: inputs.amz_date,
        payload_hash: inputs.payload,
        content_sha256_header: inputs.content_header,
        session_token: token,
        token_signed: inputs.token_signed,
    })
}

#[cfg(test)]
mod tests;
