//! The signing scenarios shared by the benchmark and the allocation test: (a) STS
//! GetCallerIdentity POST with a 700-character session token, (b) an EC2 Query POST with a
//! ~2 KiB form body, (c) an S3 presigned GET with a session token for 3600 s, (d) a 1 MiB
//! S3 PUT with its payload hashed.

#![allow(dead_code, unreachable_pub)] // shared by two crates; each uses a subset

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::{Payload, SigningSettings};
use chrono::{DateTime, Utc};

pub const KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const TIME_SECS: i64 = 1_705_312_800; // 2024-01-15T10:00:00Z

/// A 700-character session token, shaped like a real one (base64 with `/` and `+`).
pub fn token() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u32 = 0x9e37_79b9;
    let mut t: String = (0..698)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            alphabet[(x % 64) as usize] as char
        })
        .collect();
    t.push_str("==");
    t
}

pub struct Scenario {
    pub name: &'static str,
    pub method: &'static str,
    pub host: &'static str,
    pub path: &'static str,
    pub query: &'static str,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
    /// Payload hashed by the signer (false: UNSIGNED-PAYLOAD).
    pub hash_body: bool,
    pub region: &'static str,
    pub service: &'static str,
    pub token: bool,
    pub s3: bool,
    pub presign: Option<u64>,
}

pub fn scenarios() -> Vec<Scenario> {
    let mut ec2 = String::from(
        "Action=RunInstances&Version=2016-11-15&ImageId=ami-0abcdef1234567890&InstanceType=t3.micro\
         &MinCount=1&MaxCount=1&KeyName=ops&SecurityGroupId.1=sg-0123456789abcdef0&UserData=",
    );
    let user_data = "IyEvYmluL2Jhc2gKc2V0IC1ldW8gcGlwZWZhaWwKYXdzLWxvZ2luIGR1bXBjcmVkcwo%3D";
    while ec2.len() < 2048 {
        ec2.push_str(user_data);
    }
    vec![
        Scenario {
            name: "a_sts_get_caller_identity",
            method: "POST",
            host: "sts.us-east-1.amazonaws.com",
            path: "/",
            query: "",
            content_type: Some("application/x-www-form-urlencoded; charset=utf-8"),
            body: b"Action=GetCallerIdentity&Version=2011-06-15".to_vec(),
            hash_body: true,
            region: "us-east-1",
            service: "sts",
            token: true,
            s3: false,
            presign: None,
        },
        Scenario {
            name: "b_ec2_query_post_2k",
            method: "POST",
            host: "ec2.eu-west-1.amazonaws.com",
            path: "/",
            query: "",
            content_type: Some("application/x-www-form-urlencoded; charset=utf-8"),
            body: ec2.into_bytes(),
            hash_body: true,
            region: "eu-west-1",
            service: "ec2",
            token: false,
            s3: false,
            presign: None,
        },
        Scenario {
            name: "c_s3_presigned_get",
            method: "GET",
            host: "examplebucket.s3.us-west-2.amazonaws.com",
            path: "/reports/2024/01/summary%20final.csv",
            query: "",
            content_type: None,
            body: Vec::new(),
            hash_body: false,
            region: "us-west-2",
            service: "s3",
            token: true,
            s3: true,
            presign: Some(3600),
        },
        Scenario {
            name: "d_s3_put_1mib",
            method: "PUT",
            host: "examplebucket.s3.us-west-2.amazonaws.com",
            path: "/uploads/blob.bin",
            query: "",
            content_type: Some("application/octet-stream"),
            body: (0..1 << 20)
                .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
            hash_body: true,
            region: "us-west-2",
            service: "s3",
            token: false,
            s3: true,
            presign: None,
        },
    ]
}

impl Scenario {
    /// The headers as sent.
    pub fn headers(&self) -> Vec<(&'static str, &'static str)> {
        let mut headers = vec![("host", self.host)];
        if let Some(ct) = self.content_type {
            headers.push(("content-type", ct));
        }
        headers
    }

    pub fn credentials(&self, token: &str) -> Credentials {
        Credentials::new(
            KEY_ID,
            SECRET,
            self.token.then(|| SecretString::new(token)),
            None,
        )
    }

    pub fn settings(&self) -> SigningSettings {
        let settings = if self.s3 {
            SigningSettings::s3()
        } else {
            SigningSettings::default()
        };
        match self.presign {
            Some(expires) => settings.presigned(expires),
            None => settings,
        }
    }

    pub fn payload(&self) -> Payload<'_> {
        if self.hash_body {
            Payload::Bytes(&self.body)
        } else {
            Payload::Unsigned
        }
    }

    pub fn time() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(TIME_SECS, 0).unwrap_or_default()
    }
}
