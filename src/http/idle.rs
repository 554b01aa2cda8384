//! The read timeout as the AWS CLI means it (`--cli-read-timeout`, botocore's
//! `read_timeout`, urllib3's socket timeout): how long a read may wait for the next bytes
//! from the server, not how long the whole response may take. A connector wrapper gives
//! every connection it makes that limit; a read that waits longer fails with
//! `TimedOut`, and the transport reports it as a timeout.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use tokio::time::Sleep;

/// The error inside the `TimedOut` I/O error a read gives when the server sent nothing
/// for `limit`: the transport tells it from other timeouts (the connect timeout's) by
/// this type.
#[derive(Debug, Clone, Copy)]
pub struct ReadTimedOut {
    /// How long the read waited.
    pub limit: Duration,
}

impl std::fmt::Display for ReadTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no data from the server for {}s (the read timeout; --cli-read-timeout sets it)",
            self.limit.as_secs_f64()
        )
    }
}

impl std::error::Error for ReadTimedOut {}

/// A connection whose reads give up after waiting `limit` for data.
pub struct IdleLimited<T> {
    inner: T,
    limit: Option<Duration>,
    waiting: Option<Pin<Box<Sleep>>>,
}

impl<T: Read + Unpin> Read for IdleLimited<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                this.waiting = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let Some(limit) = this.limit else {
                    return Poll::Pending;
                };
                let waiting = this
                    .waiting
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match waiting.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        ReadTimedOut { limit },
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<T: Write + Unpin> Write for IdleLimited<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<T: Connection> Connection for IdleLimited<T> {
    fn connected(&self) -> Connected {
        self.inner.connected()
    }
}

/// A connector whose connections get a read timeout (`None`: reads wait as long as the
/// server takes).
#[derive(Clone)]
pub struct IdleConnector<C> {
    inner: C,
    limit: Option<Duration>,
}

impl<C> IdleConnector<C> {
    /// Wraps `inner`.
    pub fn new(inner: C, limit: Option<Duration>) -> Self {
        Self { inner, limit }
    }
}

impl<C> tower_service::Service<Uri> for IdleConnector<C>
where
    C: tower_service::Service<Uri> + Send,
    C::Future: Send + 'static,
    C::Response: Read + Write + Unpin,
{
    type Response = IdleLimited<C::Response>;
    type Error = C::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        let limit = self.limit;
        let connecting = self.inner.call(target);
        Box::pin(async move {
            connecting.await.map(|inner| IdleLimited {
                inner,
                limit,
                waiting: None,
            })
        })
    }
}
