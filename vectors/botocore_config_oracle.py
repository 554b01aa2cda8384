#!/usr/bin/env python3
"""botocore as the oracle for reading the shared config and credentials files.

Generates varied files from a seed (indentation, tabs, `key: value`, comments, blank
lines, continuation lines and sub-properties, quoted and spaced section names,
[DEFAULT], repeated sections and keys, byte-order marks, bytes that are not UTF-8,
CR and CRLF line endings...) and reads each as botocore does (a file that starts with a
byte-order mark is read without it: aws-login skips the mark, botocore refuses the file): the config file with
botocore.configloader.load_config, the credentials file with raw_config_parse. Also
splits random command lines with shlex.split, as botocore does credential_process.
Prints one JSON document:

    {"botocore": version, "seed": seed,
     "files": [{"bytes_b64": ..., "config": {...} | {"error": name},
                "credentials": {...} | {"error": name}}, ...],
     "shlex": [{"line": ..., "words": [...] | null}, ...]}

where a config result is {"profiles": {...}, "sso_sessions": {...}, "services": {...}}
and a credentials result is {"sections": {...}}; a value is a string, or an object for
sub-properties.

    python vectors/botocore_config_oracle.py --seed 7 --count 300
"""

import argparse
import base64
import json
import os
import random
import shlex
import sys
import tempfile

import botocore
import botocore.configloader
import botocore.exceptions

HEADERS = [
    "[default]", "[profile a]", "[profile b]", '[profile "b c"]', "[profile 'd e']",
    "[profile f g]", "[ profile h ]", "[profiles i]", "[profile]", "[sso-session s]",
    '[sso-session "s t"]', "[services x]", "[DEFAULT]", "[Foo Bar]", "[a]b]", "[]",
    '[profile "unclosed]', "[default] # note", "[default", "[profile default]",
    "[profile a\\ b]", "[preview]", "[profile a]x", "[ default ]", "[profile\ta]",
]
KEYS = [
    "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "region",
    "Region", "role_arn", "source_profile", "s3", "sts", "credential_process",
    "a b", "k", "K", "x-y", "café",
]
VALUES = [
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1",
    "arn:aws:iam::123456789012:role/r", "a=b", "a:b", "v # not a comment", "v ; x",
    "", "  spaced  ", "café 🐱", "sh -c 'a ; b'", "[profile z]", "x = 1",
]
INDENTS = ["", "", "", " ", "  ", "    ", "\t", " \t"]
SEPARATORS = [" = ", "=", ": ", ":", " =", "= ", " : ", "\t=\t"]


def line(rng):
    kind = rng.random()
    indent = rng.choice(INDENTS)
    if kind < 0.18:
        return indent + rng.choice(HEADERS)
    if kind < 0.65:
        return indent + rng.choice(KEYS) + rng.choice(SEPARATORS) + rng.choice(VALUES)
    if kind < 0.72:
        return indent + rng.choice(["# comment", "; comment", "#", ";x"])
    if kind < 0.80:
        return rng.choice(["", " ", "\t"])
    if kind < 0.88:
        return indent + rng.choice(["max = 1", "endpoint_url = http://127.0.0.1:4566", "X = Y"])
    if kind < 0.91:
        return indent + rng.choice(["just words", "= v", "===", ":"])
    return indent + rng.choice(KEYS) + rng.choice(SEPARATORS)


def make_file(rng):
    lines = [line(rng) for _ in range(rng.randint(0, 14))]
    if rng.random() < 0.9:
        lines.insert(0, rng.choice(["[default]", "[profile a]", "[a]"]))
    ending = rng.choice(["\n", "\n", "\n", "\r\n", "\r"])
    data = ending.join(lines).encode("utf-8")
    if rng.random() < 0.5:
        data += ending.encode()
    roll = rng.random()
    if roll < 0.05:
        data = b"\xef\xbb\xbf" + data
    elif roll < 0.08 and lines:
        at = data.find(b"\n")
        data = data[: at + 1] + b"\xef\xbb\xbf" + data[at + 1:] if at >= 0 else data
    elif roll < 0.11:
        data = data.replace(b"e", b"\xe9", 1)
    return data


def jsonable(parsed):
    return {name: dict(values) for name, values in parsed.items()}


def read(path, loader):
    try:
        return loader(path)
    except botocore.exceptions.ConfigParseError as e:
        cause = type(e.__context__).__name__ if e.__context__ else "ConfigParseError"
        return {"error": cause}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    if sys.flags.utf8_mode != 1:
        sys.exit("run with PYTHONUTF8=1: configparser reads files in the locale's encoding")
    rng = random.Random(args.seed)
    files = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "file")
        for _ in range(args.count):
            data = make_file(rng)
            # botocore refuses a file that starts with a UTF-8 byte-order mark; aws-login
            # skips the mark, so what botocore reads once the mark is gone is the answer.
            with open(path, "wb") as f:
                f.write(data.removeprefix(b"\xef\xbb\xbf"))

            def config(p):
                loaded = botocore.configloader.load_config(p)
                return {k: jsonable(loaded[k]) for k in ("profiles", "sso_sessions", "services")}

            def credentials(p):
                return {"sections": jsonable(botocore.configloader.raw_config_parse(p))}

            files.append({
                "bytes_b64": base64.b64encode(data).decode(),
                "config": read(path, config),
                "credentials": read(path, credentials),
            })
    pieces = ["a", "b c", "'", '"', "\\", " ", "\t", "$x", "''", '""', "'q r'", '"s \\" t"',
              '"\\\\"', '"\\$"', "\\ ", "\\\n", "#", "é"]
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(args.count)]
    splits = []
    for text in lines:
        try:
            words = shlex.split(text)
        except ValueError:
            words = None
        splits.append({"line": text, "words": words})
    json.dump({"botocore": botocore.__version__, "seed": args.seed, "files": files, "shlex": splits},
              sys.stdout)


if __name__ == "__main__":
    main()
