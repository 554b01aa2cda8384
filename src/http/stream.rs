//! Answers read as they come: a 2xx of [`super::client::HttpClient::send_streaming`]
//! whose body is taken a chunk at a time (a download of any size in bounded memory),
//! each wait for the next bytes within the read timeout; and an error answer too large to
//! read whole, streamed the same way from what was read of it.

use std::fmt;
use std::time::Duration;

use http_body_util::BodyExt as _;
use hyper::HeaderMap;
use hyper::body::Bytes;

use http_body_util::Limited;

use super::client::{HttpClient, Request, Response, TransportError, chain, redact_query};
use super::idle::ReadTimedOut;

/// An answer whose body is read as it comes (a 2xx of [`HttpClient::send_streaming`]).
pub struct ResponseStream {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    pub(super) body: hyper::body::Incoming,
    /// What was read before the stream was handed over (an error answer's start).
    pub(super) pending: Option<Bytes>,
    pub(super) url: String,
    pub(super) read_timeout: Duration,
}

impl fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseStream")
            .field("status", &self.status)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl ResponseStream {
    /// The next bytes of the body (`None`: the end), within the read timeout.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        if let Some(pending) = self.pending.take().filter(|p| !p.is_empty()) {
            return Ok(Some(pending));
        }
        loop {
            match self.body.frame().await {
                None => return Ok(None),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                }
                Some(Err(e)) => {
                    return Err(if is_read_timeout(&e) {
                        TransportError::ReadTimeout {
                            url: self.url.clone(),
                            after: self.read_timeout,
                        }
                    } else {
                        TransportError::Reset {
                            url: self.url.clone(),
                            source: Box::new(e),
                        }
                    });
                }
            }
        }
    }
}

/// What [`HttpClient::send_streaming`] gives: a 2xx (or an error answer larger than the
/// limit) to read as it comes, or any other answer read whole (for its error).
#[derive(Debug)]
pub enum Answer {
    /// A 2xx.
    Streaming(ResponseStream),
    /// Any other status, its body read.
    Whole(Response),
}

/// Whether an error (or one it wraps) is the idle connector's read timeout.
pub(super) fn is_read_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    // io::Error's source() skips the error it wraps: look inside it.
    chain(e).any(|c| {
        c.downcast_ref::<ReadTimedOut>().is_some()
            || c.downcast_ref::<std::io::Error>()
                .and_then(std::io::Error::get_ref)
                .is_some_and(|inner| inner.downcast_ref::<ReadTimedOut>().is_some())
    })
}

impl HttpClient {
    /// Sends one attempt whose 2xx body is read as it comes; any other answer is read
    /// whole, up to `error_limit` bytes.
    pub async fn send_streaming(
        &self,
        request: Request,
        error_limit: usize,
    ) -> Result<Answer, TransportError> {
        let url = redact_query(&request.uri);
        let (url, parts, body) = self.head(request, &url).await?;
        let mut stream = ResponseStream {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            pending: None,
            url,
            read_timeout: self.config().read_timeout.unwrap_or_default(),
        };
        if parts.status.is_success() {
            return Ok(Answer::Streaming(stream));
        }
        // Another answer is read whole for its error, unless it is larger than
        // `error_limit`: then it is handed over as a stream, from what was read.
        let mut read = Vec::new();
        while let Some(chunk) = stream.chunk().await? {
            read.extend_from_slice(&chunk);
            if read.len() > error_limit {
                stream.pending = Some(Bytes::from(read));
                return Ok(Answer::Streaming(stream));
            }
        }
        Ok(Answer::Whole(Response {
            status: stream.status,
            headers: stream.headers,
            body: Bytes::from(read),
        }))
    }

    /// Reads a whole body, at most `limit` bytes, within the read timeout.
    pub(super) async fn read_body(
        &self,
        body: hyper::body::Incoming,
        url: &str,
        limit: usize,
    ) -> Result<Bytes, TransportError> {
        let timed_out = |url: &str| TransportError::ReadTimeout {
            url: url.to_owned(),
            after: self.config().read_timeout.unwrap_or_default(),
        };
        let body = Limited::new(body, limit).collect().await.map_err(|e| {
            if is_read_timeout(e.as_ref()) {
                timed_out(url)
            } else if e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                TransportError::BodyTooLarge {
                    url: url.to_owned(),
                    limit,
                }
            } else {
                TransportError::Reset {
                    url: url.to_owned(),
                    source: e,
                }
            }
        })?;
        Ok(body.to_bytes())
    }
}
