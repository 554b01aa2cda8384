//! What kind of failure an error is: each error type of the library says its kind, and the
//! binary maps kinds to exit codes in one place ([`ErrorKind::exit_code`]), instead of
//! matching three levels into nested errors.

/// The kind of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// What the user asked for cannot be done as asked: contradicting or invalid flags, a
    /// profile that does not exist, a request outside the service's model, an endpoint or
    /// proxy URL that cannot work. Nothing was sent.
    Usage,
    /// AWS answered with an error (its code, message and request id are shown).
    Aws,
    /// A service could not be reached or its answer could not be read: connection
    /// failures, timeouts, a proxy's refusal, an answer that is not what the protocol
    /// promises, and a credential source the configuration names that does not answer.
    Network,
    /// Anything else: no credentials anywhere, a helper that failed, a file that cannot
    /// be written.
    Failure,
}

impl ErrorKind {
    /// The exit status for this kind: 2 usage, 3 AWS error, 4 network, 1 otherwise (the
    /// codes the README documents).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Usage => 2,
            ErrorKind::Aws => 3,
            ErrorKind::Network => 4,
            ErrorKind::Failure => 1,
        }
    }
}
