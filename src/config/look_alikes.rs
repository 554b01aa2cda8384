//! Keys of a profile that no AWS tool reads but that look like one that is, and the key
//! meant (the warning `Session::open` gives for the profile in use). Pure.

/// Keys people write that no AWS tool reads, and the key they mean: `mfa_arn` (which a
/// widely shared guide tells users to write, so MFA silently never happens) is
/// `mfa_serial`.
pub const LOOK_ALIKES: [(&str, &str); 18] = [
    ("mfa_arn", "mfa_serial"),
    ("mfa-serial", "mfa_serial"),
    ("mfaserial", "mfa_serial"),
    ("mfa_serial_arn", "mfa_serial"),
    ("mfa_device", "mfa_serial"),
    ("mfa_serial_number", "mfa_serial"),
    ("role-session-name", "role_session_name"),
    ("duration-seconds", "duration_seconds"),
    ("credential-source", "credential_source"),
    ("web-identity-token-file", "web_identity_token_file"),
    ("role-arn", "role_arn"),
    ("rolearn", "role_arn"),
    ("source-profile", "source_profile"),
    ("aws_region", "region"),
    ("session_name", "role_session_name"),
    ("external-id", "external_id"),
    ("aws_access_key", "aws_access_key_id"),
    ("aws_secret_key", "aws_secret_access_key"),
];

/// One line per key of profile `name` that no AWS tool reads but looks like one that is.
pub fn warnings<'k>(name: &str, keys: impl Iterator<Item = &'k str>) -> Vec<String> {
    keys.filter_map(|key| {
        LOOK_ALIKES
            .iter()
            .find(|(wrong, _)| key.eq_ignore_ascii_case(wrong))
            .map(|(wrong, right)| {
                format!(
                    "warning: profile {name:?} has {wrong}, which no AWS tool reads: the key is {right}"
                )
            })
    })
    .collect()
}
