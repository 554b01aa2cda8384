//! `aws-login request [METHOD] URL`: a signed request to any AWS API, as awscurl and
//! `curl --aws-sigv4` send one, with every credential source and transition of the
//! chain, and what they get wrong done right:
//!
//! - the service and region read from the host ([`crate::endpoints::infer`]);
//!   `--service`/`--region` override, and a host that says nothing needs both;
//! - S3's rules for S3 hosts (single encoding, no path normalisation,
//!   `x-amz-content-sha256`), `--unsigned-payload` for uploads signed without their hash;
//!   SigV4a (`--sigv4a`, `--region-set`, and Multi-Region Access Points by their host);
//! - the session token signed; a file body hashed in one pass and sent from disk, the
//!   answer written as it comes, so neither is held in memory whole;
//! - retries as the transport's policy says, for idempotent methods only unless
//!   `--retry-all`; a redirect is shown, never followed (it would carry the signature
//!   elsewhere);
//! - an AWS error (XML or JSON) said with its code, message and request id; exit 0 for
//!   an answer, 22 with `--fail` for a status of 400 or more, 4 for the network.

mod answer;
pub mod parts;

use argh::FromArgs;

use super::identity::command_with_identity;
use super::session::Session;
use super::{CliError, Context, Output};
use crate::endpoints::infer::infer;
use crate::http::call::ApiRequest;
use crate::http::client::Body;
use crate::sigv4::{SigningSettings, UNSIGNED_PAYLOAD};
use parts::{Data, RequestError};

/// The largest error answer read (a 2xx is streamed, whatever its size).
const ERROR_BODY_LIMIT: usize = 1024 * 1024;

command_with_identity! {
    /// send a signed request to any AWS API (like awscurl or curl --aws-sigv4): the
    /// service and region come from the URL's host; the answer's body goes to stdout
    #[derive(FromArgs, Debug, PartialEq)]
    #[argh(
        subcommand,
        name = "request",
        example = "{command_name} https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
        example = "{command_name} POST https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items --json '{{\"name\":\"x\"}}'",
        example = "{command_name} PUT https://bucket.s3.eu-west-1.amazonaws.com/big.iso --data-binary @big.iso --profile dev",
        example = "{command_name} https://bucket.s3.eu-west-1.amazonaws.com/key -o key.bin --fail"
    )]
    pub struct RequestArgs {
        /// [METHOD] URL: the method (default GET, POST with data) and the URL
        #[argh(positional)]
        pub target: [Vec<String>],
        /// a header to send and sign, 'Name: value' (repeatable)
        #[argh(option, short = 'H')]
        pub header: [Vec<String>],
        /// form data to send (POST by default): text, @FILE (its line breaks dropped) or
        /// @- (stdin); repeated, joined with &
        #[argh(option, short = 'd')]
        pub data: [Vec<String>],
        /// data sent exactly as given: text, @FILE (streamed from disk) or @- (stdin)
        #[argh(option)]
        pub data_binary: [Option<String>],
        /// JSON to send, with Content-Type and Accept application/json: text, @FILE or @-
        #[argh(option)]
        pub json: [Option<String>],
        /// write the answer's body to this file instead of stdout
        #[argh(option, short = 'o')]
        pub output: [Option<String>],
        /// write the answer's status line and headers before its body
        #[argh(switch, short = 'i')]
        pub include: [bool],
        /// exit 22 when the answer's status is 400 or more, its body not written (curl -f)
        #[argh(switch, short = 'f')]
        pub fail: [bool],
        /// say nothing on stderr but errors
        #[argh(switch, short = 's')]
        pub silent: [bool],
        /// show the request's and the answer's headers (signature and token redacted)
        /// and the timing on stderr
        #[argh(switch, short = 'v')]
        pub verbose: [bool],
        /// the name to sign for (default: read from the host: sts, s3, execute-api...)
        #[argh(option)]
        pub service: [Option<String>],
        /// sign UNSIGNED-PAYLOAD instead of the body's hash (S3 uploads)
        #[argh(switch)]
        pub unsigned_payload: [bool],
        /// sign with SigV4a (the asymmetric signature of multi-region endpoints)
        #[argh(switch)]
        pub sigv4a: [bool],
        /// the regions a SigV4a signature is good in, comma-separated (default *)
        #[argh(option)]
        pub region_set: [Option<String>],
        /// retry POST and PATCH too (by default only idempotent methods are retried)
        #[argh(switch)]
        pub retry_all: [bool],
    }
}

/// The body to send: what it is, its content type, and its payload hash when it is not
/// hashed from bytes in memory.
struct Payload {
    body: Body,
    content_type: Option<&'static str>,
    hash: Option<String>,
    /// A spooled stdin or pipe, removed when the payload is dropped.
    _spool: Option<tempfile::TempPath>,
}

/// Assembles the body from `-d`, `--data-binary`, `--json`.
fn payload(args: &RequestArgs) -> Result<Payload, RequestError> {
    let given = [
        !args.data.is_empty(),
        args.data_binary.is_some(),
        args.json.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(RequestError::MixedData);
    }
    let mut stdin = std::io::stdin().lock();
    let (data, content_type) = if !args.data.is_empty() {
        (
            Data::Bytes(parts::form_data(&args.data, &mut stdin)?),
            Some("application/x-www-form-urlencoded"),
        )
    } else if let Some(value) = &args.data_binary {
        (
            parts::binary_data(value, &mut stdin)?,
            Some("application/x-www-form-urlencoded"),
        )
    } else if let Some(value) = &args.json {
        (
            parts::binary_data(value, &mut stdin)?,
            Some("application/json"),
        )
    } else {
        (Data::Bytes(Vec::new()), None)
    };
    let unsigned = args.unsigned_payload.then(|| UNSIGNED_PAYLOAD.to_owned());
    let path = data.path().map(std::path::Path::to_owned);
    Ok(match (data, path) {
        (Data::Bytes(bytes), _) => Payload {
            body: Body::Bytes(bytes.into()),
            content_type,
            hash: unsigned,
            _spool: None,
        },
        (data, Some(path)) => {
            let (len, hash) = match unsigned {
                Some(unsigned) => (
                    std::fs::metadata(&path)
                        .map_err(|source| RequestError::Data {
                            source_name: format!("@{}", path.display()),
                            source,
                        })?
                        .len(),
                    unsigned,
                ),
                None => parts::hash_file(&path)?,
            };
            Payload {
                body: Body::File { path, len },
                content_type,
                hash: Some(hash),
                _spool: match data {
                    Data::Spooled(temp) => Some(temp),
                    _ => None,
                },
            }
        }
        (_, None) => Payload {
            body: Body::default(),
            content_type,
            hash: unsigned,
            _spool: None,
        },
    })
}

/// Headers sent as given but never signed: hop-by-hop ones a proxy may change, and
/// the client's name (botocore leaves them out too).
const UNSIGNED_HEADERS: [&str; 3] = ["connection", "expect", "user-agent"];

/// Runs `request`.
pub fn run(args: &RequestArgs, ctx: &Context<'_>) -> Result<Output, CliError> {
    let has_data = !args.data.is_empty() || args.data_binary.is_some() || args.json.is_some();
    let (method, url) = parts::target(&args.target, has_data)?;
    let url = parts::wire_url(&url)?;
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| RequestError::Url(e.to_string()))?;
    let host = uri.host().unwrap_or_default().to_owned();
    let inferred = infer(&host);
    let mut identity = args.identity();
    identity.debug |= args.verbose;
    let session = Session::open(&identity, ctx)?;
    let service = args
        .service
        .clone()
        .or_else(|| inferred.as_ref().map(|i| i.service.clone()))
        .ok_or_else(|| {
            RequestError::CannotInfer(format!(
                "cannot tell the service to sign for from the host {host:?}: give --service"
            ))
        })?;
    if !crate::sigv4::is_scope_part(&service) {
        return Err(RequestError::Scope(format!(
            "--service {service:?} cannot be signed for: letters, digits, '-', '_', '.' and '~' only"
        ))
        .into());
    }
    let s3 = service == "s3" || service == "s3-object-lambda";
    let sigv4a =
        args.sigv4a || args.region_set.is_some() || inferred.as_ref().is_some_and(|i| i.sigv4a);
    let region = if sigv4a {
        let set = args.region_set.clone().unwrap_or_else(|| "*".to_owned());
        if !crate::sigv4::is_region_set(&set) {
            return Err(RequestError::Scope(format!(
                "--region-set {set:?} is not regions (or *) separated by commas, without spaces"
            ))
            .into());
        }
        set
    } else {
        // --region, else the host's, else the session's (AWS_REGION, the profile's).
        let region = args
            .region
            .clone()
            .filter(|r| !r.trim().is_empty())
            .or_else(|| inferred.as_ref().map(|i| i.region.clone()))
            .or_else(|| session.region())
            .ok_or_else(|| {
                RequestError::CannotInfer(format!(
                    "cannot tell the region to sign for from the host {host:?}: give --region (or set AWS_REGION)"
                ))
            })?;
        crate::endpoints::check_region(&region)?;
        region
    };
    let mut signed_headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)> =
        Vec::new();
    let mut unsigned_headers = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for text in &args.header {
        let (name, value) = parts::header(text)?;
        let lower = name.to_ascii_lowercase();
        if names.contains(&lower) {
            return Err(RequestError::RepeatedHeader(name).into());
        }
        names.push(lower.clone());
        let Some(value) = value else {
            removed.push(lower);
            continue;
        };
        let header_name = hyper::header::HeaderName::from_bytes(lower.as_bytes())
            .map_err(|_| RequestError::Header(format!("{name:?} is not a header name")))?;
        let header_value = hyper::header::HeaderValue::from_str(&value)
            .map_err(|_| RequestError::Header(format!("{name}'s value cannot be sent")))?;
        if UNSIGNED_HEADERS.contains(&lower.as_str()) {
            unsigned_headers.push((header_name, header_value));
        } else {
            signed_headers.push((header_name, header_value));
        }
    }
    let payload = payload(args)?;
    let given_type = signed_headers
        .iter()
        .position(|(n, _)| n == hyper::header::CONTENT_TYPE);
    let content_type = match given_type {
        Some(i) => signed_headers
            .remove(i)
            .1
            .to_str()
            .map(str::to_owned)
            .unwrap_or_default(),
        None if removed.iter().any(|r| r == "content-type") => String::new(),
        None => payload.content_type.unwrap_or_default().to_owned(),
    };
    if args.json.is_some() && !names.iter().any(|n| n == "accept") {
        signed_headers.push((
            hyper::header::ACCEPT,
            hyper::header::HeaderValue::from_static("application/json"),
        ));
    }
    // Where the answer goes is opened before anything is sent: a path that cannot take
    // it is said while the request can still be left unsent.
    let sink = answer::Sink::open(args.output.as_deref())?;
    let mut settings = if s3 {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    if sigv4a {
        settings = settings.sigv4a();
    }
    let idempotent = args.retry_all
        || matches!(
            method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        );
    let endpoint = format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map_or("", |a| a.as_str())
    );
    // S3 signs each byte of the key that is not unreserved percent-encoded: the path goes
    // on the wire as it is signed, so a server that checks what it receives agrees.
    let mut path = if s3 {
        crate::sigv4::canonical_uri::single_encoded(uri.path())
    } else {
        uri.path().to_owned()
    };
    if let Some(query) = uri.query() {
        path.push('?');
        path.push_str(query);
    }
    let method = hyper::Method::from_bytes(method.as_bytes())
        .map_err(|_| RequestError::Method(method.clone()))?;
    super::block_on(async {
        let caller = session.caller()?;
        let caller = if args.verbose {
            caller.with_header_trace()
        } else {
            caller
        };
        // A method that may act twice is sent once, unless the user says otherwise.
        let caller = if idempotent {
            caller
        } else {
            caller.without_retries()
        };
        let credentials = session.credentials(&caller).await?;
        let request = ApiRequest {
            method,
            endpoint: &endpoint,
            path: &path,
            body: payload.body.clone(),
            payload_hash: payload.hash.as_deref(),
            content_type: &content_type,
            signing: Some((&credentials, &region, &service)),
            headers: unsigned_headers.clone(),
            signed_headers: signed_headers.clone(),
            signing_settings: Some(&settings),
            per_attempt: None,
            idempotent,
            max_body_bytes: Some(ERROR_BODY_LIMIT),
            error_code: crate::services::error_code,
        };
        let started = std::time::Instant::now();
        let answer = caller
            .call_streaming(&request)
            .await
            .map_err(|e| CliError::Call {
                step: "the request",
                source: Box::new(e.into()),
            })?;
        answer::write(args, ctx, sink, answer, started).await
    })?
}
