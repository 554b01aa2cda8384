//! The config editor (`aws-login login`'s, `dumpconfig --merge`'s line model) on any
//! text: no panic, and setting the same keys a second time changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let keys = [("login_session", "arn:aws:iam::1:user/x"), ("region", "eu-west-1")];
    let (once, _) = aws_login::config::edit::set_profile_keys(text, "fuzz", &keys);
    let (twice, changed) = aws_login::config::edit::set_profile_keys(&once, "fuzz", &keys);
    assert_eq!(once, twice, "a second edit changed the text");
    assert!(!changed, "a second edit says it changed something");
});
