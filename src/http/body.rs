//! What a request sends: bytes in memory, or a file streamed from disk a chunk at a time
//! (`aws-login request -d @FILE` of a gigabyte keeps a bounded, small memory). A file body
//! is opened anew for each attempt, so a retried request sends it again from its start;
//! its length is taken when the request is made and must not change while it is sent.
//!
//! Reads from the file are plain blocking reads of [`CHUNK`] bytes inside `poll_frame`:
//! a local file answers in microseconds, and the runtime has no file I/O of its own.

use std::fmt;
use std::io::Read as _;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::body::{Body as HttpBody, Bytes, Frame, SizeHint};

/// How much of a file one frame carries (256 KiB).
pub const CHUNK: usize = 256 * 1024;

/// A request body.
#[derive(Clone, PartialEq, Eq)]
pub enum Body {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A file, sent from its start, `len` bytes.
    File {
        /// The file.
        path: PathBuf,
        /// Its length when the request was made (what `Content-Length` says).
        len: u64,
    },
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A body may be a secret (a form with a password): its size only.
        match self {
            Self::Bytes(b) => write!(f, "Body({} bytes)", b.len()),
            Self::File { path, len } => write!(f, "Body(file {}, {len} bytes)", path.display()),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self::Bytes(bytes)
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::Bytes(Bytes::new())
    }
}

impl Body {
    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::File { len, .. } => *len,
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are in memory.
    pub fn bytes(&self) -> Option<&Bytes> {
        match self {
            Self::Bytes(b) => Some(b),
            Self::File { .. } => None,
        }
    }

    /// The body to send for one attempt (a file opened now). Errors: the file cannot be
    /// opened.
    pub(crate) fn sender(&self) -> std::io::Result<SendBody> {
        Ok(match self {
            Self::Bytes(b) => SendBody::Bytes(Some(b.clone())),
            Self::File { path, len } => SendBody::File {
                file: std::fs::File::open(path)?,
                remaining: *len,
                buf: vec![0; CHUNK].into_boxed_slice(),
            },
        })
    }
}

/// One attempt's body, as hyper sends it.
pub(crate) enum SendBody {
    /// What is left of the bytes (taken by the first frame).
    Bytes(Option<Bytes>),
    /// The open file, what is left of it, and the buffer a chunk is read into.
    File {
        file: std::fs::File,
        remaining: u64,
        buf: Box<[u8]>,
    },
}

impl HttpBody for SendBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Self::Bytes(bytes) => Poll::Ready(
                bytes
                    .take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            Self::File {
                file,
                remaining,
                buf,
            } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let want = usize::try_from(*remaining).map_or(buf.len(), |r| r.min(buf.len()));
                let read = match file.read(&mut buf[..want]) {
                    Ok(0) => Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file became shorter while it was sent",
                    )),
                    Ok(n) => Ok(n),
                    Err(e) => Err(e),
                };
                Poll::Ready(Some(read.map(|n| {
                    *remaining -= n as u64;
                    Frame::data(Bytes::copy_from_slice(&buf[..n]))
                })))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Bytes(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
            Self::File { remaining, .. } => *remaining == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Bytes(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Self::File { remaining, .. } => SizeHint::with_exact(*remaining),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    #[tokio::test]
    async fn a_file_is_sent_in_chunks_from_its_start_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("body");
        let data: Vec<u8> = (0..(CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let body = Body::File {
            path: path.clone(),
            len: data.len() as u64,
        };
        for _ in 0..2 {
            let sent = body.sender().unwrap();
            assert_eq!(sent.size_hint().exact(), Some(data.len() as u64));
            let got = sent.collect().await.unwrap().to_bytes();
            assert_eq!(got.as_ref(), data.as_slice());
        }
        // Shorter than said: an error, not a short body.
        std::fs::write(&path, &data[..10]).unwrap();
        assert!(body.sender().unwrap().collect().await.is_err());
        assert!(!format!("{:?}", Body::from(Bytes::from("password=1"))).contains("password"));
        let bytes = Body::from(Bytes::from_static(b"abc")).sender().unwrap();
        assert_eq!(bytes.collect().await.unwrap().to_bytes().as_ref(), b"abc");
    }
}
