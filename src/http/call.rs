//! One AWS API call over the transport: sign each attempt, send it, retry what the
//! standard retry mode retries, and correct once for a skewed clock.
//!
//! Clock skew: when AWS answers that the request time is too far off (or the signature
//! expired) and its `Date` header says how far, the offset is kept for the rest of the
//! process, the request is signed again and sent once more.
//!
//! The clock, the random source for jitter and the trace sink are passed in.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use hyper::header::{CONTENT_TYPE, HOST, HeaderName, HeaderValue, USER_AGENT};
use hyper::{HeaderMap, Uri};

use super::client::{Body, HttpClient, Request, Response, TransportError, redact_query};
use super::retry::{Decision, Failure, Jitter, RetryPolicy, RetryQuota};
use crate::sigv4::{
    Payload, SignableRequest, SigningError, SigningKeyCache, SigningParams, SigningSettings,
    UNSIGNED_PAYLOAD, sign,
};
use crate::time::Clock;

/// The `User-Agent` aws-login sends.
pub const USER_AGENT_VALUE: &str = concat!("aws-login/", env!("CARGO_PKG_VERSION"));

/// Error codes that mean "your clock is off".
const SKEW_CODES: [&str; 6] = [
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// Everything one process shares between its calls.
pub struct Caller<'a> {
    client: &'a HttpClient,
    clock: &'a dyn Clock,
    policy: RetryPolicy,
    quota: RetryQuota,
    keys: SigningKeyCache,
    jitter: Mutex<Box<dyn Jitter + Send + 'a>>,
    skew_seconds: AtomicI64,
    trace: Option<&'a (dyn Fn(&str) + Sync)>,
    /// Whether the trace shows each attempt's headers and the answer's.
    trace_headers: bool,
    operation_timeout: Option<Duration>,
}

/// How long one AWS call may take, all attempts included, unless told otherwise.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(120);

impl fmt::Debug for Caller<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caller")
            .field("policy", &self.policy)
            .field("skew_seconds", &self.skew_seconds)
            .finish()
    }
}

pub use super::api_request::{ApiRequest, CallResponse, ErrorCodeReader, PerAttemptHeader};
pub use super::error::CallError;

mod fetch;

impl<'a> Caller<'a> {
    /// A caller over `client`, with the clock, retry policy and jitter source to use.
    pub fn new(
        client: &'a HttpClient,
        clock: &'a dyn Clock,
        policy: RetryPolicy,
        jitter: Box<dyn Jitter + Send + 'a>,
    ) -> Self {
        Self {
            client,
            clock,
            policy,
            quota: RetryQuota::new(),
            keys: SigningKeyCache::new(),
            jitter: Mutex::new(jitter),
            skew_seconds: AtomicI64::new(0),
            trace: None,
            trace_headers: false,
            operation_timeout: None,
        }
    }

    /// Bounds every call, all its attempts and the waits between them included
    /// (`None`: only the retry policy ends it).
    pub fn with_operation_timeout(mut self, limit: Option<Duration>) -> Self {
        self.operation_timeout = limit;
        self
    }

    /// Sends a line per attempt (method, URL without query, status, attempt, timing) to
    /// `trace`; never a header or a body.
    pub fn with_trace(mut self, trace: &'a (dyn Fn(&str) + Sync)) -> Self {
        self.trace = Some(trace);
        self
    }

    /// One attempt only, whatever the policy says (`request`'s POST and PATCH).
    pub fn without_retries(mut self) -> Self {
        self.policy.max_attempts = 1;
        self
    }

    /// The trace also shows each attempt's request headers (`> name: value`) and the
    /// answer's (`< name: value`), the signature and session token redacted (`-v`).
    pub fn with_header_trace(mut self) -> Self {
        self.trace_headers = true;
        self
    }

    /// Traces `headers`, each line after `mark`, the signature and the token redacted.
    fn trace_header_lines(&self, mark: &str, headers: &HeaderMap) {
        if !self.trace_headers {
            return;
        }
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = match name.as_str() {
                "authorization" => match value.split_once("Signature=") {
                    Some((before, _)) => format!("{before}Signature=<redacted>"),
                    None => "<redacted>".to_owned(),
                },
                "x-amz-security-token" | "x-amz-signature" => "<redacted>".to_owned(),
                _ => value.into_owned(),
            };
            let shown: String = shown
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            self.trace_line(|| format!("{mark} {name}: {shown}"));
        }
    }

    /// The transport, for requests that are not AWS API calls (metadata endpoints).
    pub fn client(&self) -> &HttpClient {
        self.client
    }

    /// The clock offset learnt from AWS, in seconds (0 until a skew error).
    pub fn skew_seconds(&self) -> i64 {
        self.skew_seconds.load(Ordering::Relaxed)
    }

    /// The current time, corrected by the skew learnt from AWS.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now() + TimeDelta::seconds(self.skew_seconds())
    }

    fn build(&self, req: &ApiRequest<'_>, uri: &Uri) -> Result<Request, CallError> {
        let host = uri
            .authority()
            .ok_or_else(|| CallError::InvalidUrl(redact_query(uri)))?
            .as_str()
            .to_owned();
        let host = host.rsplit('@').next().unwrap_or(&host).to_owned();
        let mut headers = HeaderMap::new();
        let value = |v: &str| {
            HeaderValue::from_str(v).map_err(|_| CallError::InvalidUrl(redact_query(uri)))
        };
        headers.insert(HOST, value(&host)?);
        if !req.content_type.is_empty() {
            headers.insert(CONTENT_TYPE, value(req.content_type)?);
        }
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        for (name, v) in req.headers.iter().chain(&req.signed_headers) {
            headers.insert(name.clone(), v.clone());
        }
        if let Some((name, make)) = &req.per_attempt {
            let v = make().ok_or_else(|| {
                CallError::Signing(SigningError::InvalidHeaderValue {
                    name: name.as_str().to_owned(),
                })
            })?;
            headers.insert(name.clone(), v);
        }
        if let Some((credentials, region, service)) = req.signing {
            let default_settings = SigningSettings::default();
            let settings = req.signing_settings.unwrap_or(&default_settings);
            let mut pairs: Vec<(&str, &str)> = vec![("host", host.as_str())];
            if !req.content_type.is_empty() {
                pairs.push(("content-type", req.content_type));
            }
            for (name, v) in &req.signed_headers {
                let v = v.to_str().map_err(|_| {
                    CallError::Signing(SigningError::InvalidHeaderValue {
                        name: name.as_str().to_owned(),
                    })
                })?;
                pairs.push((name.as_str(), v));
            }
            let signable = SignableRequest::new(
                req.method.as_str(),
                uri.path(),
                uri.query().unwrap_or_default(),
                &pairs,
                match (req.payload_hash, &req.body) {
                    (Some(hash), _) if hash == UNSIGNED_PAYLOAD => Payload::Unsigned,
                    (Some(hash), _) => Payload::Precomputed(hash),
                    (None, Body::Bytes(bytes)) => Payload::Bytes(bytes),
                    (None, Body::File { .. }) => {
                        return Err(CallError::Signing(SigningError::InvalidPayloadHash));
                    }
                },
            );
            let params = SigningParams {
                credentials,
                region,
                service,
                time: self.now(),
                settings,
                key_cache: Some(&self.keys),
            };
            let signed = sign(&signable, &params).map_err(CallError::Signing)?;
            for (name, v) in signed.headers() {
                let v = HeaderValue::from_str(v).map_err(|_| {
                    CallError::Signing(SigningError::InvalidHeaderValue {
                        name: name.to_owned(),
                    })
                })?;
                headers.insert(HeaderName::from_static(name), v);
            }
        }
        Ok(Request {
            method: req.method.clone(),
            uri: uri.clone(),
            headers,
            body: req.body.clone(),
        })
    }

    fn trace_line(&self, line: impl FnOnce() -> String) {
        if let Some(trace) = self.trace {
            trace(&line());
        }
    }

    /// Learns the clock offset from a skew error's `Date` header; true when it changed.
    fn correct_skew(&self, response: &Response, sent_at: DateTime<Utc>) -> bool {
        let Some(server) = response
            .headers
            .get(hyper::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        else {
            return false;
        };
        let offset = (server.with_timezone(&Utc) - sent_at).num_seconds();
        // Under a minute off is not what made the request fail.
        if offset.abs() < 60 {
            return false;
        }
        self.skew_seconds.fetch_add(offset, Ordering::Relaxed);
        true
    }

    /// Sends the request, retrying as the policy says. Any final HTTP response (2xx or
    /// not) is `Ok`: the service's parser reads errors from it.
    pub async fn call(&self, req: &ApiRequest<'_>) -> Result<CallResponse, CallError> {
        self.limited(self.attempts(req, false)).await
    }

    /// As [`Caller::call`], but a 2xx answer's body is not read: it is in
    /// [`CallResponse::stream`], to read as it comes (a download of any size). Other
    /// answers are read whole, as for `call`, and retried as the policy says. The
    /// operation timeout covers the attempts until the 2xx head, not its reading.
    pub async fn call_streaming(&self, req: &ApiRequest<'_>) -> Result<CallResponse, CallError> {
        self.limited(self.attempts(req, true)).await
    }

    /// `attempts` within the operation timeout.
    async fn limited(
        &self,
        attempts: impl std::future::Future<Output = Result<CallResponse, CallError>>,
    ) -> Result<CallResponse, CallError> {
        match self.operation_timeout {
            Some(limit) => tokio::time::timeout(limit, attempts)
                .await
                .unwrap_or(Err(CallError::OperationTimeout { after: limit })),
            None => attempts.await,
        }
    }

    /// Every attempt of one call, until an answer or the retry policy gives up.
    async fn attempts(
        &self,
        req: &ApiRequest<'_>,
        streaming: bool,
    ) -> Result<CallResponse, CallError> {
        let url = format!("{}{}", req.endpoint.trim_end_matches('/'), req.path);
        // The query may hold a secret (the console's session): never shown.
        let uri: Uri = url.parse().map_err(|_| {
            CallError::InvalidUrl(crate::secret::redact_userinfo(&match url.split_once('?') {
                Some((path, _)) => format!("{path}?<redacted>"),
                None => url.clone(),
            }))
        })?;
        let shown = redact_query(&uri);
        let mut attempt = 0;
        let mut skew_retried = false;
        let mut last_cost = None;
        loop {
            attempt += 1;
            let sent_at = self.now();
            let request = self.build(req, &uri)?;
            if self.trace_headers {
                self.trace_line(|| format!("> {} {shown}", req.method));
                self.trace_header_lines(">", &request.headers);
            }
            let started = Instant::now();
            let result = match (streaming, req.max_body_bytes) {
                (true, cap) => {
                    let cap = cap.unwrap_or(self.client.config().max_body_bytes);
                    match self.client.send_streaming(request, cap).await {
                        Ok(super::client::Answer::Streaming(stream)) => {
                            if self.trace_headers {
                                self.trace_line(|| format!("< HTTP {}", stream.status));
                            }
                            self.trace_header_lines("<", &stream.headers);
                            let elapsed = started.elapsed();
                            self.trace_line(|| {
                                format!(
                                    "{} {shown} -> {} (attempt {attempt}, {} ms)",
                                    req.method,
                                    stream.status,
                                    elapsed.as_millis()
                                )
                            });
                            self.quota.release_on_success(last_cost);
                            return Ok(CallResponse {
                                response: Response {
                                    status: stream.status,
                                    headers: stream.headers.clone(),
                                    body: hyper::body::Bytes::new(),
                                },
                                attempts: attempt,
                                stream: Some(stream),
                            });
                        }
                        Ok(super::client::Answer::Whole(response)) => Ok(response),
                        Err(e) => Err(e),
                    }
                }
                (false, Some(cap)) => self.client.send_capped(request, cap).await,
                (false, None) => self.client.send(request).await,
            };
            let elapsed = started.elapsed();
            let (failure_code, outcome) = match result {
                Ok(response) => {
                    if self.trace_headers {
                        self.trace_line(|| format!("< HTTP {}", response.status));
                    }
                    self.trace_header_lines("<", &response.headers);
                    self.trace_line(|| {
                        format!(
                            "{} {shown} -> {} (attempt {attempt}, {} ms)",
                            req.method,
                            response.status,
                            elapsed.as_millis()
                        )
                    });
                    if (200..300).contains(&response.status) {
                        self.quota.release_on_success(last_cost);
                        return Ok(CallResponse {
                            response,
                            attempts: attempt,
                            stream: None,
                        });
                    }
                    let code = (req.error_code)(&response);
                    if !skew_retried
                        && code.as_deref().is_some_and(|c| SKEW_CODES.contains(&c))
                        && self.correct_skew(&response, sent_at)
                    {
                        skew_retried = true;
                        // The resend counts as an attempt but takes nothing from the quota.
                        self.trace_line(|| {
                            format!(
                                "clock skew corrected by {}s; signing again",
                                self.skew_seconds()
                            )
                        });
                        continue;
                    }
                    (code, Ok(response))
                }
                Err(e) => {
                    self.trace_line(|| {
                        format!(
                            "{} {shown} -> {e} (attempt {attempt}, {} ms)",
                            req.method,
                            elapsed.as_millis()
                        )
                    });
                    (None, Err(e))
                }
            };
            let retry_after = match &outcome {
                Ok(r) => r
                    .headers
                    .get("x-amz-retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                Err(_) => None,
            };
            let failure = match &outcome {
                Ok(r) => Failure::Status {
                    status: r.status,
                    code: failure_code.as_deref(),
                    retry_after_ms: retry_after.as_deref(),
                },
                Err(TransportError::Connect { .. } | TransportError::ConnectTimeout { .. }) => {
                    Failure::Connect
                }
                Err(TransportError::Timeout { .. } | TransportError::ReadTimeout { .. })
                    if req.idempotent =>
                {
                    Failure::Timeout
                }
                Err(TransportError::Reset { .. }) if req.idempotent => Failure::Reset,
                Err(TransportError::Proxy { source, .. }) if source.is_transient() => {
                    Failure::Connect
                }
                Err(_) => Failure::Status {
                    status: 0,
                    code: None,
                    retry_after_ms: None,
                },
            };
            let decision = {
                let mut jitter = self.jitter.lock().unwrap_or_else(|p| p.into_inner());
                self.policy
                    .decide(attempt, &failure, &self.quota, jitter.as_mut())
            };
            match decision {
                Decision::Retry { delay, cost } => {
                    last_cost = Some(cost);
                    self.trace_line(|| format!("retrying in {} ms", delay.as_millis()));
                    tokio::time::sleep(delay).await;
                }
                Decision::GiveUp(reason) => {
                    self.trace_line(|| format!("{reason}"));
                    return match outcome {
                        Ok(response) => Ok(CallResponse {
                            response,
                            attempts: attempt,
                            stream: None,
                        }),
                        Err(source) => Err(CallError::Transport {
                            source,
                            attempts: attempt,
                        }),
                    };
                }
            }
        }
    }
}
