//! The one HTTP transport and its policies: `client` (hyper + rustls, proxies, timeouts,
//! body cap; the only place that opens sockets; its settings in `config`, its errors in
//! `error`), `retry` (the standard retry mode, pure), `call` (sign, send, retry, correct
//! clock skew), `tunnel` (CONNECT through a proxy), `idle` (the read timeout) and `trust`
//! (the TLS roots, built on the first handshake).

mod api_request;
pub mod body;
pub mod call;
pub mod client;
mod config;
mod error;
pub mod idle;
pub mod retry;
mod stream;
pub mod trust;
pub mod tunnel;
