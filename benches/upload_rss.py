#!/usr/bin/env python3
"""Memory of a large streamed upload and download: `aws-login request` (release build) PUTs
a file of SIZE (default 1 GiB) with `--data-binary @FILE` to a loopback server that
reads and hashes it as it comes, then GETs the same size back to `-o FILE`; prints the
peak RSS (GNU time's %M) and the time of each, and checks the server saw the file's
SHA-256. The target: peak RSS stays small and bounded (under 16 MiB), not in proportion
to the body. Exits 1 when it is missed or the hash differs. Nothing leaves loopback.

Usage: python3 benches/upload_rss.py [--size-mib N]
"""
import hashlib
import http.server
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIMIT_KIB = 16 * 1024
CHUNK = 1 << 20


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    size = 0
    seen = {}

    def log_message(self, *args):
        pass

    def do_PUT(self):
        left = int(self.headers.get("Content-Length", "0"))
        digest = hashlib.sha256()
        while left:
            chunk = self.rfile.read(min(left, CHUNK))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
        Handler.seen["put"] = (digest.hexdigest(), self.headers.get("x-amz-content-sha256"))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(Handler.size))
        self.end_headers()
        block = bytes(range(256)) * (CHUNK // 256)
        left = Handler.size
        while left:
            n = min(left, len(block))
            self.wfile.write(block[:n])
            left -= n


def measure(binary, args, env):
    start = time.monotonic()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", binary, *args], env=env,
                         capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - start
    if out.returncode != 0:
        sys.exit(f"aws-login failed: {out.stderr}")
    rss_kib = int(out.stderr.strip().splitlines()[-1])
    return rss_kib, elapsed


def main():
    size_mib = 1024
    if "--size-mib" in sys.argv:
        size_mib = int(sys.argv[sys.argv.index("--size-mib") + 1])
    Handler.size = size_mib * CHUNK
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = str(ROOT / "target" / "release" / "aws-login")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "AKIDBENCH",
        "AWS_SECRET_ACCESS_KEY": "bench-secret",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "upload.bin"
        digest = hashlib.sha256()
        block = os.urandom(CHUNK)
        with open(path, "wb") as f:
            for _ in range(size_mib):
                f.write(block)
                digest.update(block)
        common = ["--service", "s3", "--region", "eu-west-1", "--fail", "-s"]
        put_rss, put_time = measure(binary, ["request", "PUT", f"http://127.0.0.1:{port}/bucket/upload.bin",
                                             "--data-binary", f"@{path}", *common], env)
        got, signed = Handler.seen.get("put", ("", ""))
        hash_ok = got == digest.hexdigest() == signed
        out = pathlib.Path(tmp) / "download.bin"
        get_rss, get_time = measure(binary, ["request", f"http://127.0.0.1:{port}/bucket/upload.bin",
                                             "-o", str(out), *common], env)
        size_ok = out.stat().st_size == Handler.size
    print(f"| {size_mib} MiB | peak RSS | time | check |")
    print("|---|---|---|---|")
    print(f"| PUT --data-binary @FILE (hashed, then streamed) | {put_rss / 1024:.1f} MiB | {put_time:.2f} s "
          f"| server's SHA-256 {'equals' if hash_ok else 'DIFFERS from'} the signed one |")
    print(f"| GET -o FILE (streamed) | {get_rss / 1024:.1f} MiB | {get_time:.2f} s "
          f"| {'all' if size_ok else 'NOT all'} bytes written |")
    for name, rss in (("PUT", put_rss), ("GET", get_rss)):
        if rss > LIMIT_KIB:
            print(f"missed: {name} peak RSS {rss} KiB > {LIMIT_KIB} KiB")
            ok = False
    server.shutdown()
    return 0 if ok and hash_ok and size_ok else 1


if __name__ == "__main__":
    sys.exit(main())
