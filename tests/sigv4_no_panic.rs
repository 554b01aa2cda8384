//! The signer never panics: 20,000 seeded random requests with arbitrary Unicode, control
//! bytes, odd header names, broken escapes, empty fields and extreme lifetimes each end in
//! `Ok` or a typed `Err`. A signature, when there is one, is 64 hex digits and the canonical
//! request and string to sign are internally consistent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a broken fixture should fail the test loudly

use aws_login::credentials::Credentials;
use aws_login::secret::SecretString;
use aws_login::sigv4::{
    Payload, SessionTokenMode, SignableRequest, SigningKeyCache, SigningParams, SigningSettings,
    sign,
};
use chrono::DateTime;
use sha2::{Digest, Sha256};

/// xorshift64*: small, seeded, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// Text without control characters, `?` or `#`: what a valid path or header holds.
    fn clean(&mut self, max: usize) -> String {
        self.text(max)
            .chars()
            .filter(|c| !c.is_control() && *c != '?' && *c != '#')
            .collect()
    }
    fn text(&mut self, max: usize) -> String {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "0",
            "-",
            "_",
            ".",
            "~",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n ",
            "\n ",
            "\0",
            "\x7f",
            "%",
            "%2",
            "%zz",
            "%41",
            "%e1%88%b4",
            "+",
            "&",
            "=",
            "?",
            "#",
            "/",
            "//",
            "/./",
            "/../",
            "..",
            ";",
            ":",
            "@",
            "!",
            "'",
            "\"",
            "(",
            ")",
            "*",
            ",",
            "$",
            "[",
            "]",
            "{",
            "}",
            "\\",
            "|",
            "^",
            "`",
            "\u{e9}",
            "\u{1234}",
            "\u{1F600}",
            "\u{a0}",
            "\u{2028}",
            "\u{feff}",
        ];
        let n = self.below(max + 1);
        (0..n).map(|_| self.pick(PIECES)).collect()
    }
}

#[test]
fn random_requests_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let cache = SigningKeyCache::new();
    let (mut ok, mut err) = (0, 0);
    for _ in 0..20_000 {
        // Half the requests are hostile everywhere; the other half only where the signer
        // must cope (query, body, header values), so that both outcomes are exercised.
        let hostile = rng.below(2) == 0;
        if !hostile {
            let path = format!("/{}", rng.clean(12));
            let query = rng.clean(16);
            let values: Vec<String> = (0..rng.below(20)).map(|_| rng.clean(10)).collect();
            let mut headers: Vec<(&str, &str)> = vec![("host", "example.amazonaws.com")];
            headers.extend(values.iter().map(|v| ("x-amz-meta-v", v.as_str())));
            let body = rng.text(40).into_bytes();
            let credentials = Credentials::new(
                "AKID",
                "secret",
                Some(SecretString::new(rng.clean(30))),
                None,
            );
            let mut settings = if rng.below(2) == 0 {
                SigningSettings::s3()
            } else {
                SigningSettings::default()
            };
            if rng.below(2) == 0 {
                settings = settings.presigned(3600);
            }
            let request = SignableRequest {
                method: "GET",
                path: path.as_bytes(),
                query: &query,
                headers: &headers,
                payload: Payload::Bytes(&body),
            };
            let params = SigningParams {
                credentials: &credentials,
                region: "us-east-1",
                service: "service",
                time: DateTime::from_timestamp(1_440_938_160, 0).unwrap_or_default(),
                settings: &settings,
                key_cache: Some(&cache),
            };
            let signed = sign(&request, &params);
            let signed =
                signed.unwrap_or_else(|e| panic!("refused a valid request ({e}): {request:?}"));
            ok += 1;
            let cr_hash = hex::encode(Sha256::digest(signed.canonical_request().as_bytes()));
            assert!(signed.string_to_sign().ends_with(&cr_hash));
            // The canonical URI and query are percent-encoded: always ASCII.
            let mut lines = signed.canonical_request().lines().skip(1);
            let (uri, query) = (
                lines.next().unwrap_or_default(),
                lines.next().unwrap_or_default(),
            );
            assert!(uri.is_ascii() && query.is_ascii(), "{uri} {query}");
            continue;
        }
        let method = match rng.below(4) {
            0 => rng.text(3),
            _ => rng.pick(&["GET", "POST", "PUT", "get"]).to_owned(),
        };
        let path = match rng.below(3) {
            0 => rng.text(12),
            _ => format!("/{}", rng.text(12)),
        };
        let mut path_bytes = path.into_bytes();
        if rng.below(20) == 0 {
            path_bytes.push(0xff); // not UTF-8
        }
        let query = rng.text(16);
        let header_texts: Vec<(String, String)> = (0..rng.below(20))
            .map(|_| {
                let name = match rng.below(4) {
                    0 => rng.text(4),
                    _ => rng
                        .pick(&[
                            "Host",
                            "x-amz-date",
                            "X-Amz-Security-Token",
                            "authorization",
                            "x-a",
                            "Content-Type",
                        ])
                        .to_owned(),
                };
                (name, rng.text(10))
            })
            .collect();
        let headers: Vec<(&str, &str)> = header_texts
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let body = rng.text(40).into_bytes();
        let hash = rng.text(3);
        let payload = match rng.below(4) {
            0 => Payload::Unsigned,
            1 => Payload::Precomputed(&hash),
            _ => Payload::Bytes(&body),
        };
        let token = match rng.below(3) {
            0 => None,
            _ => Some(SecretString::new(rng.text(30))),
        };
        let credentials = Credentials::new(
            rng.pick(&["AKID", "", "A/B", "AK ID", "ASIA\u{e9}"]),
            rng.pick(&["s", ""]),
            token,
            None,
        );
        let mut settings = if rng.below(2) == 0 {
            SigningSettings::s3()
        } else {
            SigningSettings::default()
        };
        settings.normalize_uri_path = rng.below(2) == 0;
        if rng.below(3) == 0 {
            settings.session_token = SessionTokenMode::AddedAfterSigning;
        }
        if rng.below(2) == 0 {
            settings = settings.presigned([0, 1, 3600, 604_800, 604_801, u64::MAX][rng.below(6)]);
        }
        let time = DateTime::from_timestamp(
            [
                0,
                1_440_938_160,
                -62_000_000_000,
                253_402_300_799,
                253_402_300_800,
            ][rng.below(5)],
            0,
        )
        .unwrap_or_default();
        let region = rng.pick(&["us-east-1", "", "us east", "eu-west-2"]);
        let service = rng.pick(&["sts", "", "s3", "a/b"]);
        let request = SignableRequest {
            method: &method,
            path: &path_bytes,
            query: &query,
            headers: &headers,
            payload,
        };
        let params = SigningParams {
            credentials: &credentials,
            region,
            service,
            time,
            settings: &settings,
            key_cache: if rng.below(2) == 0 {
                Some(&cache)
            } else {
                None
            },
        };
        match sign(&request, &params) {
            Ok(signed) => {
                ok += 1;
                assert_eq!(signed.signature().len(), 64);
                assert!(signed.signature().bytes().all(|b| b.is_ascii_hexdigit()));
                let cr_hash = hex::encode(Sha256::digest(signed.canonical_request().as_bytes()));
                assert!(signed.string_to_sign().ends_with(&cr_hash));
                let _ = format!("{signed:?} {}", signed.redacted_canonical_request());
            }
            Err(e) => {
                err += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(
        ok > 1000 && err > 1000,
        "{ok} signed, {err} refused: the generator is too one-sided"
    );
}
