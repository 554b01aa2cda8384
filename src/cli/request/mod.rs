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
}

/// Assembles the body from `-d`, `--data-binary`, `--json`.
fn payload(args: &RequestArgs, s3: bool) -> Result<Payload, RequestError> {
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
    Ok(match data {
        Data::Bytes(bytes) => Payload {
            body: Body::Bytes(bytes.into()),
            content_type,
            // S3 signs UNSIGNED-PAYLOAD when asked; elsewhere the bytes are hashed.
            hash: unsigned.filter(|_| s3),
        },
        Data::File(path) => {
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
            }
        }
    })
}

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
    let service = args
        .service
        .clone()
        .or_else(|| inferred.as_ref().map(|i| i.service.clone()))
        .ok_or_else(|| RequestError::CannotInfer(host.clone()))?;
    let s3 = service == "s3" || service == "s3-object-lambda";
    let sigv4a =
        args.sigv4a || args.region_set.is_some() || inferred.as_ref().is_some_and(|i| i.sigv4a);
    let region = if sigv4a {
        args.region_set.clone().unwrap_or_else(|| "*".to_owned())
    } else {
        args.region
            .clone()
            .filter(|r| !r.trim().is_empty())
            .or_else(|| inferred.as_ref().map(|i| i.region.clone()))
            .ok_or_else(|| RequestError::CannotInfer(host.clone()))?
    };
    let mut headers = Vec::new();
    for text in &args.header {
        let (name, value) = parts::header(text)?;
        let name = hyper::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| RequestError::Header(format!("{name:?} is not a header name")))?;
        let value = hyper::header::HeaderValue::from_str(&value)
            .map_err(|_| RequestError::Header(format!("{name}'s value cannot be sent")))?;
        headers.push((name, value));
    }
    let payload = payload(args, s3)?;
    let given_type = headers
        .iter()
        .position(|(n, _)| n == hyper::header::CONTENT_TYPE);
    let content_type = match given_type {
        Some(i) => headers
            .remove(i)
            .1
            .to_str()
            .map(str::to_owned)
            .unwrap_or_default(),
        None => payload.content_type.unwrap_or_default().to_owned(),
    };
    if args.json.is_some() && !headers.iter().any(|(n, _)| n == hyper::header::ACCEPT) {
        headers.push((
            hyper::header::ACCEPT,
            hyper::header::HeaderValue::from_static("application/json"),
        ));
    }
    let mut settings = if s3 {
        SigningSettings::s3()
    } else {
        SigningSettings::default()
    };
    if sigv4a {
        settings = settings.sigv4a();
    }
    let mut identity = args.identity();
    identity.debug |= args.verbose;
    let session = Session::open(&identity, ctx)?;
    let idempotent = args.retry_all
        || matches!(
            method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        );
    let (endpoint, path) = match uri.path_and_query() {
        Some(pq) => (
            format!(
                "{}://{}",
                uri.scheme_str().unwrap_or("https"),
                uri.authority().map_or("", |a| a.as_str())
            ),
            pq.as_str().to_owned(),
        ),
        None => (url.clone(), "/".to_owned()),
    };
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
            headers: Vec::new(),
            signed_headers: headers.clone(),
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
        answer::write(args, ctx, answer, started).await
    })?
}
