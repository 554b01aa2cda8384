//! The device code grant (RFC 8628): start it, show the page and the code, poll.

use std::time::Duration;

use super::{Login, LoginError, SLOW_DOWN, Target, call};
use crate::services::sso_oidc::{
    self, DeviceAuthorization, Grant, OAuthError, Registration, TokenGrant,
};

impl Login<'_, '_> {
    /// The device code grant: start it, show the page and the code, poll.
    pub(super) async fn device_code(
        &self,
        target: &Target,
        registration: &Registration,
    ) -> Result<TokenGrant, LoginError> {
        let authorization = sso_oidc::start_device_authorization(
            self.caller,
            self.oidc,
            registration,
            &target.start_url,
        )
        .await
        .map_err(call("StartDeviceAuthorization"))?;
        self.poll(registration, &authorization).await
    }

    /// Polls CreateToken until the user approves, at the interval the service asks for
    /// (plus 5 seconds on each `slow_down`), until the device code expires.
    async fn poll(
        &self,
        registration: &Registration,
        authorization: &DeviceAuthorization,
    ) -> Result<TokenGrant, LoginError> {
        let mut interval = authorization.interval;
        let mut waited = 0i64;
        let mut shown = false;
        loop {
            match sso_oidc::create_token(
                self.caller,
                self.oidc,
                registration,
                Grant::DeviceCode(&authorization.device_code),
            )
            .await
            {
                Ok(grant) => {
                    if shown {
                        self.ui.done();
                    }
                    return Ok(grant);
                }
                Err(e) => match OAuthError::of(&e) {
                    Some(OAuthError::AuthorizationPending) => {}
                    Some(OAuthError::SlowDown) => interval += SLOW_DOWN,
                    Some(ended @ (OAuthError::ExpiredToken | OAuthError::AccessDenied)) => {
                        if shown {
                            self.ui.done();
                        }
                        return Err(LoginError::Ended(ended));
                    }
                    _ => return Err(call("CreateToken")(e)),
                },
            }
            if !shown {
                // The first attempt may already succeed (a pre-authorized client), as
                // the AWS CLI tries before it shows anything.
                let url = authorization
                    .verification_uri_complete
                    .as_deref()
                    .unwrap_or(&authorization.verification_uri);
                self.ui.show(url, Some(&authorization.user_code));
                shown = true;
            }
            if waited >= authorization.expires_in {
                self.ui.done();
                return Err(LoginError::Ended(OAuthError::ExpiredToken));
            }
            let pause = u64::try_from(interval.max(1)).unwrap_or(5);
            self.sleep.sleep(Duration::from_secs(pause)).await;
            waited += interval.max(1);
            self.ui
                .waiting(Duration::from_secs(u64::try_from(waited).unwrap_or(0)));
        }
    }
}
