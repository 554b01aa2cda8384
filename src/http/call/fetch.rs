//! A request to a metadata endpoint (IMDS, the container credentials endpoint) over the
//! caller's transport: unsigned, retried by its own [`FetchPolicy`] rather than the
//! standard retry mode, traced as an API call is.

use super::super::client::{Request, Response, TransportError, redact_query};
use super::super::retry::FetchPolicy;
use super::Caller;

impl Caller<'_> {
    /// Sends an unsigned request to a metadata endpoint, retried as `policy` says (see
    /// [`FetchPolicy`]); each attempt is traced as an API call's is. The last outcome is
    /// returned: an answer (a 5xx included, when the attempts ran out on one) or the last
    /// transport error.
    pub async fn fetch(
        &self,
        request: &Request,
        policy: &FetchPolicy,
    ) -> Result<Response, TransportError> {
        let shown = redact_query(&request.uri);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .client
                .send_within(request.clone(), policy.attempt_timeout)
                .await;
            self.trace_line(|| match &result {
                Ok(r) => format!(
                    "{} {shown} -> {} (attempt {attempt})",
                    request.method, r.status
                ),
                Err(e) => format!("{} {shown} -> {e} (attempt {attempt})", request.method),
            });
            let again = policy.retries(result.as_ref().ok().map(|r| r.status));
            if !again || attempt >= policy.attempts {
                return result;
            }
            tokio::time::sleep(policy.pause).await;
        }
    }
}
