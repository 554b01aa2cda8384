#!/usr/bin/env python3
"""Start-up speed and memory of aws-login, from one run: prints medians, ratios and peak RSS.

Builds, for x86_64-unknown-linux-musl (static, as shipped) when that target is installed,
else for the host:
  - aws-login with the release profile;
  - a "hello world" Rust binary with the same profile (LTO, one codegen unit, stripped,
    panic=abort), the floor for a Rust binary that starts and prints.
Then measures with hyperfine and GNU time (Debian's `hyperfine` and `time`):
  (a) `aws-login dumpcreds` from environment keys, and (b) `aws-login --version`: each
      within 1.5x of the hello world;
  (c) `aws-login getcallerid` against a loopback fake STS: at least 50x faster than
      `aws sts get-caller-identity` (AWS CLI v1 from PyPI, in target/bench-awscli) against
      the same fake;
  (d) peak RSS of (a), (b) and (c) under 8 MiB (GNU time's %M, best of 5).
Exits 1 when a target is missed. Nothing leaves loopback; IMDS is switched off.

Usage: python3 benches/startup.py [--runs N] [--rustflags FLAGS]
(`--rustflags "-C relocation-model=static"` measures a non-PIE build of both binaries.)
"""
import http.server
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET_DIR = ROOT / "target"
MUSL = "x86_64-unknown-linux-musl"
AWSCLI = "awscli==1.42.0"

IDENTITY = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/bench</Arn>
    <UserId>AIDAEXAMPLEBENCH</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>bench-0000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
"""


def run(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, **kw)


def installed_targets():
    try:
        out = subprocess.run(["rustup", "target", "list", "--installed"],
                             capture_output=True, text=True, check=True).stdout
        return out.split()
    except (OSError, subprocess.CalledProcessError):
        return []


def build(target, rustflags=None):
    """aws-login and hello world, release profile, for `target` (None: the host); with
    `rustflags` (an experiment, e.g. `-C relocation-model=static`), both are built with
    them, in a target directory of their own."""
    triple = ["--target", target] if target else []
    env = dict(os.environ)
    aws_dir = TARGET_DIR
    if rustflags:
        env["RUSTFLAGS"] = rustflags
        aws_dir = TARGET_DIR / "bench-rustflags"
    run(["cargo", "build", "--release", "--quiet", *triple, "--target-dir", str(aws_dir)],
        cwd=ROOT, env=env)
    out = aws_dir / (target or "") / "release"
    hello_dir = TARGET_DIR / "bench-hello"
    (hello_dir / "src").mkdir(parents=True, exist_ok=True)
    profile = ROOT.joinpath("Cargo.toml").read_text().split("[profile.release]")[1].split("\n[")[0]
    (hello_dir / "Cargo.toml").write_text(
        '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2024"\n\n[workspace]\n\n'
        "[profile.release]" + profile + "\n")
    (hello_dir / "src" / "main.rs").write_text('fn main() {\n    println!("hello world");\n}\n')
    hello_target = TARGET_DIR / ("bench-hello-rustflags" if rustflags else "bench-hello-target")
    run(["cargo", "build", "--release", "--quiet", *triple,
         "--target-dir", str(hello_target)], cwd=hello_dir, env=env)
    hello = hello_target / (target or "") / "release" / "hello"
    return out / "aws-login", hello


def aws_cli():
    """AWS CLI v1 from PyPI in its own venv (its botocore must not replace the pinned one)."""
    venv = TARGET_DIR / "bench-awscli"
    aws = venv / "bin" / "aws"
    if not aws.exists():
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(venv / "bin" / "pip"), "install", "--quiet", AWSCLI])
    return aws


class FakeSts(http.server.BaseHTTPRequestHandler):
    """Answers every POST with a GetCallerIdentity response (the signature is not checked:
    this measures the clients, not the server)."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(IDENTITY)))
        self.end_headers()
        self.wfile.write(IDENTITY)

    def log_message(self, *args):
        pass


def hyperfine(commands, runs, env):
    """Median seconds of each command, from one hyperfine run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        args = ["hyperfine", "--shell=none", "--warmup", "5", "--runs", str(runs), "--style", "none",
                "--export-json", out.name]
        for name, cmd in commands:
            args += ["--command-name", name, " ".join(cmd)]
        subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
        results = json.loads(pathlib.Path(out.name).read_text())["results"]
    return {r["command"]: r["median"] for r in results}


def peak_rss_kib(cmd, env):
    """The smallest peak RSS of 5 runs (KiB), from GNU time (`%M`): it forks from a small
    process, so its child's figure is the command's own (a child forked from this Python
    process would count Python's memory, which ru_maxrss keeps across exec)."""
    best = None
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as out:
        for _ in range(5):
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, *cmd], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kib = int(pathlib.Path(out.name).read_text().split()[-1])
            best = kib if best is None else min(best, kib)
    return best


def main():
    runs = 200
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
    if not shutil.which("hyperfine") or not os.path.exists("/usr/bin/time"):
        raise SystemExit("hyperfine or GNU time is missing: apt-get install hyperfine time")
    target = MUSL if MUSL in installed_targets() else None
    rustflags = None
    if "--rustflags" in sys.argv:
        rustflags = sys.argv[sys.argv.index("--rustflags") + 1]
    binary, hello = build(target, rustflags)
    aws = aws_cli()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeSts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"

    home = tempfile.mkdtemp(prefix="aws-login-bench-")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.path.join(home, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
    }
    commands = {
        "hello world": [str(hello)],
        "aws-login --version": [str(binary), "--version"],
        "aws-login dumpcreds (env keys)": [str(binary), "dumpcreds"],
        "aws-login getcallerid (loopback STS)": [str(binary), "getcallerid", "--endpoint-url", endpoint],
    }
    # The machine is shared: rounds interleave the commands so that a slow minute weighs
    # on all of them, and each ratio is the median of the rounds' ratios.
    rounds = 10
    per_round = [hyperfine(list(commands.items()), max(20, runs // rounds), env) for _ in range(rounds)]
    fast = {name: statistics.median(r[name] for r in per_round) for name in commands}

    def ratio_of(name, floor_name="hello world"):
        return statistics.median(r[name] / r[floor_name] for r in per_round)

    cli_name = "aws sts get-caller-identity (AWS CLI v1)"
    cli_cmd = [str(aws), "sts", "get-caller-identity", "--endpoint-url", endpoint]
    slow = hyperfine([(cli_name, cli_cmd)], max(10, runs // 20), env)
    medians = {**fast, **slow}
    rss = {name: peak_rss_kib(cmd, env) for name, cmd in commands.items()}
    server.shutdown()
    shutil.rmtree(home, ignore_errors=True)

    checks = [
        ("(a) dumpcreds (env keys) / hello world", ratio_of("aws-login dumpcreds (env keys)"), "<= 1.5", lambda r: r <= 1.5),
        ("(b) --version / hello world", ratio_of("aws-login --version"), "<= 1.5", lambda r: r <= 1.5),
        ("(c) AWS CLI v1 / getcallerid", medians[cli_name] / medians["aws-login getcallerid (loopback STS)"], ">= 50", lambda r: r >= 50),
    ]
    print(f"binaries: {target or 'host'} release{' with RUSTFLAGS=' + repr(rustflags) if rustflags else ''}; {rounds} interleaved rounds of "
          f"{max(20, runs // rounds)} runs each (AWS CLI: {max(10, runs // 20)}); ratios are "
          f"medians of the rounds' ratios")
    print(f"{'command':44} {'median':>10} {'peak RSS':>10}")
    for name, median in medians.items():
        kib = rss.get(name)
        print(f"{name:44} {median * 1000:8.2f} ms {('%.1f MiB' % (kib / 1024)) if kib else '-':>10}")
    failed = False
    for name, ratio, want, ok in checks:
        good = ok(ratio)
        failed |= not good
        print(f"{name:44} {ratio:8.2f}x   target {want}: {'ok' if good else 'MISSED'}")
    # Not a target: how far dumpcreds is from aws-login's own floor (a run that parses the
    # command line, prints and exits).
    info = ratio_of('aws-login dumpcreds (env keys)', 'aws-login --version')
    print(f"{'(info) dumpcreds / --version':44} {info:8.2f}x")
    for name, kib in rss.items():
        if name == "hello world":
            continue
        good = kib < 8 * 1024
        failed |= not good
        print(f"(d) peak RSS {name:31} {kib / 1024:6.1f} MiB target < 8 MiB: {'ok' if good else 'MISSED'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
