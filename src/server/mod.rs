//! Loopback HTTP servers aws-login runs for other programs: `credentials_endpoint`, the
//! container credentials protocol `runas --credentials-server` gives its child (and a
//! standalone relay next).

pub mod credentials_endpoint;
