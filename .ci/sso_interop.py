#!/usr/bin/env python3
"""The SSO token cache, shared with botocore in both directions.

Against a fake IAM Identity Center OIDC service (CreateToken with the refresh grant,
rotating refresh tokens) and portal (GetRoleCredentials) on 127.0.0.1, in a scratch HOME:

  1. aws-login refreshes a due token and writes it back; botocore's own SSOTokenProvider
     then loads that file and refreshes it in turn (with the registration and refresh
     token aws-login wrote);
  2. aws-login loads the file botocore wrote and refreshes it again;
  3. after each step both can still read the file, and a member neither knows is kept by
     aws-login.

The fake hands out tokens that live 10 minutes, inside both tools' 15-minute refresh
window, so each run finds the other's token due.

Usage: sso_interop.py PATH/TO/aws-login
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone

AWS_LOGIN = sys.argv[1]
HOME = tempfile.mkdtemp(prefix="aws-login-sso-interop-")
# botocore computes its cache directory from HOME when it is imported.
os.environ["HOME"] = HOME
os.environ["AWS_CONFIG_FILE"] = os.path.join(HOME, ".aws", "config")
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(HOME, ".aws", "credentials")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import botocore.session  # noqa: E402
from botocore.tokens import SSOTokenProvider  # noqa: E402
from botocore.utils import SSOTokenLoader  # noqa: E402

STATE = {"refresh": "REFRESH-0", "issued": 0, "create_token_calls": []}
LOCK = threading.Lock()


class Fake(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, error_type=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        with LOCK:
            ok = (self.path == "/token" and body.get("grantType") == "refresh_token"
                  and body.get("clientId") == "cid" and body.get("clientSecret") == "CLIENT-SECRET"
                  and body.get("refreshToken") == STATE["refresh"])
            STATE["create_token_calls"].append(body.get("refreshToken"))
            if not ok:
                return self.reply(400, {"error": "invalid_grant"}, "InvalidGrantException:")
            STATE["issued"] += 1
            n = STATE["issued"]
            STATE["refresh"] = f"REFRESH-{n}"
        self.reply(200, {"accessToken": f"ACCESS-{n}", "tokenType": "Bearer",
                         "expiresIn": 600, "refreshToken": f"REFRESH-{n}"})

    def do_GET(self):
        token = self.headers.get("x-amz-sso_bearer_token", "")
        with LOCK:
            known = token in {f"ACCESS-{n}" for n in range(1, STATE["issued"] + 1)}
        if not known:
            return self.reply(401, {"message": "Session token not found or invalid"},
                              "UnauthorizedException:")
        self.reply(200, {"roleCredentials": {
            "accessKeyId": "ASIASSO", "secretAccessKey": "SSOSECRET",
            "sessionToken": "SSOTOKEN", "expiration": 4102444800000}})


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["AWS_ENDPOINT_URL_SSO_OIDC"] = url
    os.environ["AWS_ENDPOINT_URL_SSO"] = url
    os.makedirs(os.path.join(HOME, ".aws", "sso", "cache"), exist_ok=True)
    with open(os.environ["AWS_CONFIG_FILE"], "w") as f:
        f.write("[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
                "sso_role_name = Admin\nregion = eu-west-1\n"
                "[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\n"
                "sso_region = us-east-1\n")
    now = datetime.now(timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    loader = SSOTokenLoader(cache=SSOTokenProvider.DEFAULT_CACHE_CLS(SSOTokenProvider._SSO_TOKEN_CACHE_DIR))
    path = os.path.join(SSOTokenProvider._SSO_TOKEN_CACHE_DIR,
                        __import__("hashlib").sha1(b"corp").hexdigest() + ".json")
    with open(path, "w") as f:
        json.dump({"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1",
                   "accessToken": "ACCESS-0", "expiresAt": (now + timedelta(minutes=5)).strftime(fmt),
                   "clientId": "cid", "clientSecret": "CLIENT-SECRET",
                   "registrationExpiresAt": (now + timedelta(days=80)).strftime(fmt),
                   "refreshToken": "REFRESH-0", "neitherKnows": {"kept": True}}, f)

    failures = []
    checked = []

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
        checked.append(name)
        if not ok:
            failures.append(name)

    def run_aws_login():
        return subprocess.run([AWS_LOGIN, "dumpcreds", "--profile", "dev", "--credential-helper"],
                              capture_output=True, text=True)

    out = run_aws_login()
    cached = json.load(open(path))
    check("aws-login refreshes a due token", out.returncode == 0 and cached["accessToken"] == "ACCESS-1"
          and cached["refreshToken"] == "REFRESH-1", out.stderr + json.dumps(cached.get("accessToken")))
    check("aws-login keeps a member it does not know", cached.get("neitherKnows") == {"kept": True})
    check("botocore loads the file aws-login wrote",
          loader("https://d-1234567890.awsapps.com/start", session_name="corp")["accessToken"] == "ACCESS-1")

    session = botocore.session.Session(profile="dev")
    token = SSOTokenProvider(session).load_token().get_frozen_token()
    cached = json.load(open(path))
    check("botocore refreshes with the registration and refresh token aws-login wrote",
          token.token == "ACCESS-2" and cached["refreshToken"] == "REFRESH-2", f"{token.token} {cached}")

    out = run_aws_login()
    cached = json.load(open(path))
    check("aws-login loads and refreshes the file botocore wrote",
          out.returncode == 0 and cached["accessToken"] == "ACCESS-3"
          and json.loads(out.stdout).get("AccessKeyId") == "ASIASSO", out.stderr)
    check("botocore loads it again",
          loader("https://d-1234567890.awsapps.com/start", session_name="corp")["accessToken"] == "ACCESS-3")
    check("each refresh used the newest refresh token (one CreateToken each)",
          STATE["create_token_calls"] == ["REFRESH-0", "REFRESH-1", "REFRESH-2"], str(STATE["create_token_calls"]))
    server.shutdown()
    __import__("shutil").rmtree(HOME, ignore_errors=True)
    print(f"{len(checked) - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
