//! The shared config/credentials parser on any bytes: no panic, and a profile it reads
//! has only keys it can name again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = aws_login::config::parse(data, "fuzz");
});
