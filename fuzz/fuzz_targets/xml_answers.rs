//! The XML reader behind STS and EC2 answers and AWS error bodies, on any bytes and
//! statuses: no panic.
#![no_main]

use aws_login::services::{ec2, sts};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status = if first & 1 == 0 {
        200
    } else {
        400 + u16::from(first)
    };
    let _ = sts::parse_get_caller_identity(status, body);
    let _ = sts::parse_assume_role(status, body);
    let _ = sts::parse_get_session_token(status, body);
    let _ = sts::parse_get_federation_token(status, body);
    let _ = sts::parse_decode_authorization_message(status, body);
    let _ = ec2::parse_instances(status, body);
    let _ = ec2::parse_images(status, body);
    let _ = ec2::parse_terminate(status, body);
    let _ = ec2::xml_to_json(status, body);
});
