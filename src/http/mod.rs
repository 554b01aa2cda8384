//! The one HTTP transport and its policies. For now: the retry policy (pure, with an
//! injectable random source); the hyper client joins it with the STS commands.

pub mod client;
pub mod retry;
