#!/usr/bin/env python3
"""Prints the signing benchmark's medians and ratios from one `cargo bench --bench sign` run
(with `--sigv4a`: from one `cargo bench --bench sigv4a` run, no target).

Reads criterion's estimates under target/criterion and checks the targets of the signer:
(a), (b), (c) at least 5x faster than aws-sigv4 and within 1.5x of the floor; (d) within
3% of hashing its 1 MiB payload. Exits 1 when a target is missed.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"
SCENARIOS = [
    ("a_sts_get_caller_identity", "(a) STS GetCallerIdentity, 700-char token"),
    ("b_ec2_query_post_2k", "(b) EC2 Query POST, 2 KiB form"),
    ("c_s3_presigned_get", "(c) S3 presigned GET, token, 3600 s"),
    ("d_s3_put_1mib", "(d) S3 PUT, 1 MiB hashed"),
]


def median_ns(group, function):
    path = ROOT / group / function / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt(ns):
    if ns is None:
        return "-"
    return f"{ns / 1000:.2f} µs" if ns < 1_000_000 else f"{ns / 1e6:.3f} ms"


def main():
    ok = True
    print("| scenario | aws-login (warm cache) | aws-login (no cache) | floor | aws-sigv4 1.6.4 "
          "| aws-sigv4 / aws-login | aws-login / floor |")
    print("|---|---|---|---|---|---|---|")
    for group, label in SCENARIOS:
        warm = median_ns(group, "aws-login-warm-cache")
        cold = median_ns(group, "aws-login-no-cache")
        floor = median_ns(group, "floor")
        ref = median_ns(group, "aws-sigv4-1.6.4")
        if None in (warm, cold, floor, ref):
            print(f"| {label} | missing: run `cargo bench --bench sign` first |")
            ok = False
            continue
        speedup, over_floor = ref / warm, warm / floor
        bound = ref / floor
        print(f"| {label} | {fmt(warm)} | {fmt(cold)} | {fmt(floor)} | {fmt(ref)} "
              f"| {speedup:.1f}x | {over_floor:.2f}x |")
        if not group.startswith("d"):
            print(f"|  ↳ aws-sigv4 / floor (the most any signer can gain) | | | | | {bound:.1f}x | |")
        pre = median_ns(group, "aws-login-warm-cache-precomputed-hash")
        if pre is not None:
            pre_ref = median_ns(group, "aws-sigv4-1.6.4-precomputed-hash")
            pre_floor = median_ns(group, "floor-precomputed-hash")
            print(f"|  ↳ same, payload hash precomputed (not a target) | {fmt(pre)} | | {fmt(pre_floor)} "
                  f"| {fmt(pre_ref)} | {pre_ref / pre:.1f}x | {pre / pre_floor:.2f}x |")
        if group.startswith("d"):
            paired_file = ROOT / group / "paired.json"
            if not paired_file.exists():
                print("| ↳ (d) paired measurement missing: run `cargo bench --bench sign` |")
                ok = False
                continue
            paired = json.loads(paired_file.read_text())
            diff, hash_only = paired["median_diff_ns"], paired["median_hash_ns"]
            over_hash = diff / hash_only
            print(f"| ↳ (d) signing minus hashing the 1 MiB alone ({fmt(hash_only)}), paired median "
                  f"| {diff / 1000:+.2f} µs | | | | | {over_hash * 100:+.2f}% |")
            if over_hash > 0.03:
                ok = False
                print(f"target missed: (d) is {over_hash * 100:.2f}% over hashing 1 MiB (max 3%)",
                      file=sys.stderr)
        else:
            if speedup < 5 or over_floor > 1.5:
                ok = False
                print(f"target missed: {label}: {speedup:.1f}x aws-sigv4 (min 5x), "
                      f"{over_floor:.2f}x floor (max 1.5x)", file=sys.stderr)
    return 0 if ok else 1


def sigv4a():
    """The SigV4a table: aws-login (warm, no cache), the floor, aws-sigv4 1.6.4."""
    print("| SigV4a, region set `*` | aws-login (warm cache) | aws-login (no cache) | floor "
          "| aws-sigv4 1.6.4 | aws-sigv4 / aws-login | aws-login / floor |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for group, label in SCENARIOS:
        if group.startswith(("b", "d")):
            continue
        values = [median_ns(f"sigv4a_{group}", f) for f in
                  ("aws-login-warm-cache", "aws-login-no-cache", "floor", "aws-sigv4-1.6.4")]
        if None in values:
            print(f"| {label} | missing: run `cargo bench --bench sigv4a` first |")
            ok = False
            continue
        warm, cold, floor, ref = values
        print(f"| {label} | {fmt(warm)} | {fmt(cold)} | {fmt(floor)} | {fmt(ref)} "
              f"| {ref / warm:.2f}x | {warm / floor:.2f}x |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(sigv4a() if "--sigv4a" in sys.argv else main())
