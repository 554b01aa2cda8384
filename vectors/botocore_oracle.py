#!/usr/bin/env python3
"""botocore as a SigV4 oracle for aws-login.

Generates varied requests from a seed, signs each with botocore's own signers
(SigV4Auth, SigV4QueryAuth, S3SigV4Auth, S3SigV4QueryAuth) at a frozen time, and
prints one JSON document: {"botocore": version, "seed": seed, "cases": [...]}.
Each case holds the inputs aws-login needs and what botocore produced.

    python vectors/botocore_oracle.py --seed 2 --count 400 > vectors/botocore-sigv4.json

The committed vectors/botocore-sigv4.json was made with the pinned botocore of
vectors/requirements.txt; the differential test runs this with a fresh seed.

Inputs follow what botocore itself can be given, so differences are real ones:
  - botocore takes query parameters decoded (a list, or a dict when presigning,
    since presigning goes through a dict); aws-login gets the wire query, encoded
    in one of many equivalent ways (%xx in either case, '+' or %20, raw UTF-8...).
  - no Date, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-SHA256 or
    Authorization request headers: botocore rewrites those itself.
  - botocore never signs its own list of hop-by-hop and tracing headers; the case
    records that list as "excluded_headers" for aws-login to use.
"""

import argparse
import base64
import datetime
import json
import random
import sys
from urllib.parse import quote

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

SIGNERS = ["SigV4Auth", "SigV4QueryAuth", "S3SigV4Auth", "S3SigV4QueryAuth"]
UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

PATH_SEGMENTS = [
    "a", "b", "example", "2015-03-31", "functions", "arn:aws:lambda:us-west-2:1:function:f",
    "arn%3Aaws%3Alambda", "b c", "ü", "ሴ", "日本", "%3D", "%2F", "a%2Fb", "100%", "~tilde",
    "@connections", "x=y", "semi;colon", "$dollar", "!*'()", "+plus", "comma,", "[x]",
    ".", "..", "", "...", ".hidden", "a.b", "-_.~", "😀",
]
S3_KEY_PARTS = [
    "photos", "2024", "a b", "ü", "ሴ", "x+y", "a=b", "..", ".", "", "%", "~", "!'()*",
    "file.txt", "dir", "k#1", "q?x", "semi;colon", "😀", "a&b", "tab\tkey",
]
QUERY_KEYS = [
    "Action", "Version", "Param1", "param1", "Param-3", "ሴ", "a b", "a+b", "a=b", "a&b",
    "", "k", "ü", "list.member.1", "prefix", "max-keys", "%", "~", "Z", "_", "x/y", "日本",
]
QUERY_VALUES = [
    "", "value1", "Value1", "a b", "a+b", "a=b", "a&b", "100%", "ü", "ሴ", "/path/to",
    "2015-08-30T12:36:00Z", "!*'();:@$,", "quote\"d", "tab\there", "~-_.", "😀",
    "arn:aws:iam::123456789012:role/x", "{\"json\": [1, 2]}",
]
HEADER_NAMES = [
    "My-Header1", "my-header1", "MY-HEADER1", "X-Amz-Meta-Name", "x-amz-meta-name",
    "Content-Type", "Accept", "Content-MD5", "X-Amz-Target", "X-Custom", "a", "Z",
    "x-odd!name#$", "x-amz-checksum-crc32", "Cache-Control", "If-None-Match",
    "User-Agent", "X-Amzn-Trace-Id", "Expect", "Connection", "Transfer-Encoding",
    "traceparent", "Range", "x-amz-server-side-encryption",
]
HEADER_VALUES = [
    "value1", "  value1  ", "a   b   c", '"a   b   c"', "v1\tv2", "application/json",
    "application/x-amz-json-1.1", "bytes=0-99", "value1\n  value2\n     value3",
    "x\r\n y", "", "  ", "AWSSecurityTokenServiceV20110615.GetCallerIdentity",
    "!#$%&'*+-.^_`|~", "text/plain; charset=utf-8", "100-continue",
]


def rand_token(rng, length):
    return "".join(rng.choice(B64) for _ in range(length)) + rng.choice(["", "=", "=="])


def wire_encode_component(rng, s):
    """Encodes a query name or value for the wire, in one of many equivalent ways."""
    out = []
    for ch in s:
        b = ch.encode("utf-8")
        if ch == " ":
            out.append(rng.choice(["+", "%20"]))
        elif len(b) == 1 and b[0] in UNRESERVED:
            out.append(ch if rng.random() < 0.9 else "%%%02x" % b[0])
        elif ch in "&=+#%":
            out.append("".join("%%%02X" % x for x in b))
        elif len(b) > 1 and rng.random() < 0.4:
            out.append(ch)  # raw UTF-8 on the wire
        elif len(b) == 1 and ch in "!*'();:@$,/?[]\"{}" and rng.random() < 0.5:
            out.append(ch)  # sub-delims left raw by some clients
        else:
            fmt = "%%%02X" if rng.random() < 0.7 else "%%%02x"
            out.append("".join(fmt % x for x in b))
    return "".join(out)


def gen_case(rng, index):
    signer = rng.choice(SIGNERS)
    s3 = signer.startswith("S3")
    query_mode = signer.endswith("QueryAuth")
    service = "s3" if s3 else rng.choice(["sts", "ec2", "iam", "execute-api", "lambda", "service", "monitoring"])
    region = rng.choice(["us-east-1", "eu-west-2", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "us-east-2"])
    when = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
        seconds=rng.randrange(0, 35 * 365 * 86400)
    )
    key_id = rng.choice(["AKIA", "ASIA"]) + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    secret_len = rng.choice([40, 40, 40, 12, 130])
    secret = "".join(rng.choice(B64) for _ in range(secret_len))
    token = rng.choice([None, None, rand_token(rng, 40), rand_token(rng, rng.randrange(600, 1300))])

    if s3:
        bucket_style = rng.random() < 0.5
        parts = [rng.choice(S3_KEY_PARTS) for _ in range(rng.randrange(1, 6))]
        key = "/".join(parts)
        raw_path = ("/" if bucket_style else "/bucket/") + key
        path = quote(raw_path, safe="/~")
        host = "bucket.s3.%s.amazonaws.com" % region if bucket_style else "s3.%s.amazonaws.com" % region
    else:
        segs = [rng.choice(PATH_SEGMENTS) for _ in range(rng.randrange(0, 6))]
        path = "/" + "/".join(segs) + ("/" if rng.random() < 0.3 else "")
        host = rng.choice(["%s.%s.amazonaws.com" % (service, region), "example.amazonaws.com", "localhost:8080"])

    params = []
    used = set()
    for _ in range(rng.choice([0, 0, 1, 2, 3, 6, 12])):
        k = rng.choice(QUERY_KEYS)
        if query_mode and k in used:
            continue  # presigning goes through a dict: no repeated keys
        used.add(k)
        params.append([k, rng.choice(QUERY_VALUES)])
    wire_pairs = []
    for k, v in params:
        ek = wire_encode_component(rng, k)
        if v == "" and k != "" and rng.random() < 0.5:
            wire_pairs.append(ek)  # `k` alone means `k=`; an empty name needs its `=`
        else:
            wire_pairs.append(ek + "=" + wire_encode_component(rng, v))
    query = "&".join(wire_pairs)

    headers = [["Host", host]]
    for _ in range(rng.choice([0, 1, 2, 4, 8, 30])):
        name = rng.choice(HEADER_NAMES)
        value = rng.choice(HEADER_VALUES)
        if name.lower() == "content-type" and query_mode:
            value = "application/json"
        headers.append([name, value])
    rng.shuffle(headers)

    method = rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
    body = b""
    unsigned = False
    if not query_mode:
        kind = rng.choice(["empty", "text", "form", "binary", "big"])
        if kind == "text":
            body = "Param1=value1 ü\n".encode()
        elif kind == "form":
            body = ("Action=GetCallerIdentity&Version=2011-06-15&x=" + "y" * rng.randrange(0, 2000)).encode()
        elif kind == "binary":
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        elif kind == "big":
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(4000, 9000)))
        unsigned = rng.random() < 0.15
    expires = rng.choice([1, 60, 3600, 86400, 604800, rng.randrange(1, 604801)]) if query_mode else None

    return {
        "id": "case-%04d" % index,
        "signer": signer,
        "method": method,
        "path": path,
        "query": query,
        "params": params,
        "headers": headers,
        "body_b64": base64.b64encode(body).decode(),
        "unsigned_payload": unsigned,
        "region": region,
        "service": service,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "access_key_id": key_id,
        "secret_access_key": secret,
        "session_token": token,
        "expires": expires,
        "excluded_headers": list(botocore.auth.SIGNED_HEADERS_BLACKLIST) + ["authorization"],
    }


def sign(case):
    """Signs a case with botocore and returns what it produced."""
    when = datetime.datetime.strptime(case["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda: when
    creds = Credentials(case["access_key_id"], case["secret_access_key"], case["session_token"])
    cls = getattr(botocore.auth, case["signer"])
    if case["signer"].endswith("QueryAuth"):
        auth = cls(creds, case["service"], case["region"], expires=case["expires"])
        params = dict((k, v) for k, v in case["params"])
    else:
        auth = cls(creds, case["service"], case["region"])
        params = [tuple(p) for p in case["params"]]
    body = base64.b64decode(case["body_b64"])
    request = AWSRequest(method=case["method"], url="https://%s%s" % (case["headers_host"], case["path"]),
                         data=body, params=params)
    for name, value in case["headers"]:
        request.headers[name] = value
    if case["unsigned_payload"]:
        if case["signer"] == "S3SigV4Auth":
            request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
        else:
            request.context["payload_signing_enabled"] = False

    captured = {}
    original = auth.string_to_sign

    def string_to_sign(req, canonical_request):
        result = original(req, canonical_request)
        captured["canonical_request"] = canonical_request
        captured["string_to_sign"] = result
        return result

    auth.string_to_sign = string_to_sign
    auth.add_auth(request)
    expected = {
        "canonical_request": captured["canonical_request"],
        "string_to_sign": captured["string_to_sign"],
    }
    if case["signer"].endswith("QueryAuth"):
        query = request.url.split("?", 1)[1]
        expected["query"] = query
        expected["signature"] = query.rsplit("X-Amz-Signature=", 1)[1]
        expected["authorization"] = None
    else:
        authz = request.headers["Authorization"]
        expected["authorization"] = authz
        expected["signature"] = authz.rsplit("Signature=", 1)[1]
        expected["query"] = None
    return expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = []
    for i in range(args.count):
        case = gen_case(rng, i)
        host = next(v for n, v in case["headers"] if n.lower() == "host")
        case["headers_host"] = host
        case["expected"] = sign(case)
        del case["headers_host"]
        cases.append(case)
    json.dump({"botocore": botocore.__version__, "seed": args.seed, "cases": cases}, sys.stdout, indent=1,
              ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
