#!/usr/bin/env python3
"""The credential chain, aws-login against botocore, on moto (which verifies signatures).

Usage: botocore_chain.py AWS_LOGIN_BINARY MOTO_URL

For each scenario (config and credentials files, environment, profile), botocore
(`Session(profile=...).get_credentials()`, then STS GetCallerIdentity) and aws-login
(`getcallerid --debug`) must pick the same kind of source, assume the same roles in the
same order and end as the same identity, or both must refuse. Last, botocore runs as the
child of `aws-login runas --credentials-server` and must sign through that endpoint.
Prints one line per check and "N passed, N failed"; exits 1 on any difference.
"""
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.request

# A scratch HOME for the binary: its caches (the assumed-role cache) never reach
# the CI machine's home.
SCRATCH_HOME = tempfile.mkdtemp(prefix="aws-login-ci-home-")

import botocore.session

BINARY, MOTO = sys.argv[1], sys.argv[2].rstrip("/")
REGION = "us-east-1"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_ALL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"]},
    {"Effect": "Allow", "Principal": {"Federated": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"},
]})

# botocore's credential method -> the start of aws-login's plan line.
SOURCES = {
    "env": "environment variables",
    "shared-credentials-file": "keys of profile",
    "config-file": "keys of profile",
    "custom-process": "credential_process of profile",
    "assume-role": None,  # compared through the final identity: the plan ends in AssumeRole
    "assume-role-with-web-identity": "web identity token",
    "container-role": "the container credentials endpoint",
}


def setup():
    iam = botocore.session.Session().create_client(
        "iam", region_name=REGION, endpoint_url=MOTO, aws_access_key_id="setup", aws_secret_access_key="setup")
    policy = iam.create_policy(PolicyName="allow-all", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    users = {}
    for name in ("u1", "u2"):
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=policy)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        users[name] = (arn, key["AccessKeyId"], key["SecretAccessKey"])
    roles = {}
    for name in ("r1", "r2"):
        roles[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ALL)["Role"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    return users, roles


def enable_auth():
    """From here on moto verifies every signature and authorizes every call."""
    req = urllib.request.Request(f"{MOTO}/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()


def temporary_credentials(users, roles):
    """Real moto session credentials (user u1 in role r2, session 'tok'), whose token moto
    checks: a request without it, or with another, is refused (InvalidClientTokenId)."""
    _, key_id, secret = users["u1"]
    sts = botocore.session.Session().create_client(
        "sts", region_name=REGION, endpoint_url=MOTO, aws_access_key_id=key_id, aws_secret_access_key=secret)
    creds = sts.assume_role(RoleArn=roles["r2"], RoleSessionName="tok")["Credentials"]
    return creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]


class Refused:
    """Both must refuse, and for the same reason: botocore with this exception, aws-login
    with this text on stderr."""

    def __init__(self, botocore_error, aws_login_says):
        self.botocore_error = botocore_error
        self.aws_login_says = aws_login_says


class Stricter:
    """aws-login refuses on purpose where botocore gives an identity: botocore must give
    this one, and aws-login must refuse saying this."""

    def __init__(self, botocore_identity, aws_login_says):
        self.botocore_identity = botocore_identity
        self.aws_login_says = aws_login_says


# A credentials "file" that is a folder: a path that exists and cannot be read as a file.
UNREADABLE = object()


def container_server(users, roles):
    """A container credentials endpoint on loopback (/open, and /locked which wants the token
    'pod-token') that hands
    out real moto session credentials: user u2 in role r2, session name 'pod'."""
    _, key_id, secret = users["u2"]
    sts = botocore.session.Session().create_client(
        "sts", region_name=REGION, endpoint_url=MOTO, aws_access_key_id=key_id, aws_secret_access_key=secret)
    creds = sts.assume_role(RoleArn=roles["r2"], RoleSessionName="pod")["Credentials"]
    body = json.dumps({"AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
                       "Token": creds["SessionToken"], "Expiration": "2099-01-01T00:00:00Z"}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the handler API's name
            wanted = "pod-token" if self.path == "/locked" else None
            ok = self.headers.get("Authorization") == wanted
            self.send_response(200 if ok else 401)
            self.end_headers()
            self.wfile.write(body if ok else b"{}")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def scenarios(users, roles, tmp, container_port, temporary):
    u1, k1, s1 = users["u1"]
    u2, k2, s2 = users["u2"]
    r1, r2 = roles["r1"], roles["r2"]
    keys1 = f"aws_access_key_id = {k1}\naws_secret_access_key = {s1}\n"
    keys2 = f"aws_access_key_id = {k2}\naws_secret_access_key = {s2}\n"
    env1 = {"AWS_ACCESS_KEY_ID": k1, "AWS_SECRET_ACCESS_KEY": s1}
    script = os.path.join(tmp, "process.sh")
    with open(script, "w") as f:
        f.write("echo '" + json.dumps({"Version": 1, "AccessKeyId": k2, "SecretAccessKey": s2}) + "'\n")
    process = f"credential_process = /bin/sh {script}\n"
    token = os.path.join(tmp, "web-token")
    with open(token, "w") as f:
        f.write("eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaSJ9.\n")
    session = lambda role, name: f"arn:aws:sts::{role.split(':')[4]}:assumed-role/{role.split('/')[-1]}/{name}"
    full_uri = f"http://127.0.0.1:{container_port}/open"
    locked_uri = f"http://127.0.0.1:{container_port}/locked"
    token_file = os.path.join(tmp, "pod-token")
    with open(token_file, "w") as f:
        f.write("pod-token")
    # (name, config, credentials, env, profile, via, expected identity or None for "both refuse")
    return [
        ("environment keys", "", "", env1, None, None, u1),
        ("environment keys over AWS_PROFILE", "", f"[p2]\n{keys2}", env1, "p2", "env", u1),
        ("--profile over environment keys", "", f"[p2]\n{keys2}", env1, "p2", "flag", u2),
        ("default profile, credentials file", "", f"[default]\n{keys2}", {}, None, None, u2),
        ("default profile, config file", f"[default]\n{keys2}", "", {}, None, None, u2),
        ("named profile through AWS_PROFILE", "", f"[default]\n{keys1}[p2]\n{keys2}", {}, "p2", "env", u2),
        ("role via source_profile", f"[profile a]\nrole_arn = {r1}\nsource_profile = base\nrole_session_name = s1\n", f"[base]\n{keys1}", {}, "a", "flag", session(r1, "s1")),
        ("role chain two deep", f"[profile a]\nrole_arn = {r2}\nsource_profile = b\nrole_session_name = s2\n[profile b]\nrole_arn = {r1}\nsource_profile = base\nrole_session_name = s1\n", f"[base]\n{keys1}", {}, "a", "flag", session(r2, "s2")),
        ("role chain three deep", f"[profile a]\nrole_arn = {r1}\nsource_profile = b\nrole_session_name = s7\n[profile b]\nrole_arn = {r2}\nsource_profile = c\nrole_session_name = s8\n[profile c]\nrole_arn = {r1}\nsource_profile = base\nrole_session_name = s9\n", f"[base]\n{keys1}", {}, "a", "flag", session(r1, "s7")),
        ("role chain through AWS_PROFILE", f"[profile a]\nrole_arn = {r1}\nsource_profile = base\nrole_session_name = s3\n", f"[base]\n{keys1}", {}, "a", "env", session(r1, "s3")),
        ("credential_source Environment", f"[profile a]\nrole_arn = {r1}\ncredential_source = Environment\nrole_session_name = s4\n", "", env1, "a", "flag", session(r1, "s4")),
        ("self-sourcing profile with keys", f"[profile a]\nrole_arn = {r1}\nsource_profile = a\nrole_session_name = s5\n", f"[a]\n{keys1}", {}, "a", "flag", session(r1, "s5")),
        ("credential_process", f"[default]\n{process}", "", {}, None, None, u2),
        ("credential_process before config-file keys", f"[default]\n{process}{keys1}", "", {}, None, None, u2),
        ("credentials-file keys before credential_process", f"[default]\n{process}", f"[default]\n{keys1}", {}, None, None, u1),
        ("role sourced from credential_process", f"[profile a]\nrole_arn = {r1}\nsource_profile = p\nrole_session_name = s6\n[profile p]\n{process}", "", {}, "a", "flag", session(r1, "s6")),
        ("web identity from the environment", "", "", {"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": r1, "AWS_ROLE_SESSION_NAME": "w1"}, None, None, session(r1, "w1")),
        ("web identity in a profile", f"[profile w]\nrole_arn = {r1}\nweb_identity_token_file = {token}\nrole_session_name = w2\n", "", {}, "w", "flag", session(r1, "w2")),
        ("role sourced from a web identity profile", f"[profile a]\nrole_arn = {r2}\nsource_profile = w\nrole_session_name = w4\n[profile w]\nrole_arn = {r1}\nweb_identity_token_file = {token}\nrole_session_name = w5\n", "", {}, "a", "flag", session(r2, "w4")),
        ("environment web identity before profile keys", "", f"[default]\n{keys1}", {"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": r2, "AWS_ROLE_SESSION_NAME": "w3"}, None, None, session(r2, "w3")),
        ("container credentials, full URI", "", "", {"AWS_CONTAINER_CREDENTIALS_FULL_URI": full_uri}, None, None, session(r2, "pod")),
        ("container credentials with a token", "", "", {"AWS_CONTAINER_CREDENTIALS_FULL_URI": locked_uri, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "pod-token"}, None, None, session(r2, "pod")),
        ("container credentials with a token file", "", "", {"AWS_CONTAINER_CREDENTIALS_FULL_URI": locked_uri, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file}, None, None, session(r2, "pod")),
        ("container endpoint refuses a missing token", "", "", {"AWS_CONTAINER_CREDENTIALS_FULL_URI": locked_uri}, None, None, None),
        ("profile keys before container credentials", "", f"[default]\n{keys1}", {"AWS_CONTAINER_CREDENTIALS_FULL_URI": full_uri}, None, None, u1),
        ("both source_profile and credential_source", f"[profile a]\nrole_arn = {r1}\nsource_profile = base\ncredential_source = Environment\n", f"[base]\n{keys1}", env1, "a", "flag", None),
        ("source_profile cycle", f"[profile a]\nrole_arn = {r1}\nsource_profile = b\n[profile b]\nrole_arn = {r2}\nsource_profile = a\n", "", {}, "a", "flag", None),
        ("missing profile", "", "", {}, "nope", "flag", None),
        # Issue 7: what users' real files and environments hold.
        ("indented properties in the credentials file", "", f"[default]\n    aws_access_key_id = {k1}\n    aws_secret_access_key = {s1}\n", {}, None, None, u1),
        ("indented properties in the config file", f"[default]\n    region = {REGION}\n    aws_access_key_id = {k2}\n    aws_secret_access_key = {s2}\n", "", {}, None, None, u2),
        ("key: value lines under a tab-indented header", "", f"\t[default]\naws_access_key_id: {k1}\naws_secret_access_key : {s1}\n", {}, None, None, u1),
        ("CR line endings", "", f"[default]\raws_access_key_id = {k1}\raws_secret_access_key = {s1}\r", {}, None, None, u1),
        ("[DEFAULT] gives its keys to a profile", "", f"[DEFAULT]\n{keys2}[p2]\nregion = {REGION}\n", {}, "p2", "flag", u2),
        ("a profile named with a space (credentials file, --profile)", "", f"[Foo Bar]\n{keys2}", {}, "Foo Bar", "flag", u2),
        ("a profile named with a space (credentials file, AWS_PROFILE)", "", f"[Foo Bar]\n{keys2}", {}, "Foo Bar", "env", u2),
        ("a quoted profile name in the config file", f"[profile \"My MacBook Pro\"]\nrole_arn = {r1}\nsource_profile = Foo Bar\nrole_session_name = sp\n", f"[Foo Bar]\n{keys1}", {}, "My MacBook Pro", "flag", session(r1, "sp")),
        ("AWS_SECURITY_TOKEN alone", "", "", {"AWS_ACCESS_KEY_ID": temporary[0], "AWS_SECRET_ACCESS_KEY": temporary[1], "AWS_SECURITY_TOKEN": temporary[2]}, None, None, session(r2, "tok")),
        ("AWS_SECURITY_TOKEN before a wrong AWS_SESSION_TOKEN", "", "", {"AWS_ACCESS_KEY_ID": temporary[0], "AWS_SECRET_ACCESS_KEY": temporary[1], "AWS_SECURITY_TOKEN": temporary[2], "AWS_SESSION_TOKEN": "wrong"}, None, None, session(r2, "tok")),
        ("a wrong AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN", "", "", {"AWS_ACCESS_KEY_ID": temporary[0], "AWS_SECRET_ACCESS_KEY": temporary[1], "AWS_SECURITY_TOKEN": "wrong", "AWS_SESSION_TOKEN": temporary[2]}, None, None, Refused("ClientError", "InvalidClientTokenId")),
        ("aws_security_token in the credentials file", "", f"[default]\naws_access_key_id = {temporary[0]}\naws_secret_access_key = {temporary[1]}\naws_security_token = {temporary[2]}\n", {}, None, None, session(r2, "tok")),
        ("aws_security_token before a wrong aws_session_token", "", f"[default]\naws_access_key_id = {temporary[0]}\naws_secret_access_key = {temporary[1]}\naws_session_token = wrong\naws_security_token = {temporary[2]}\n", {}, None, None, session(r2, "tok")),
        ("AWS_DEFAULT_PROFILE names the profile", "", f"[default]\n{keys1}[p2]\n{keys2}", {}, "p2", "default-env", u2),
        ("AWS_DEFAULT_PROFILE before AWS_PROFILE", "", f"[default]\n{keys1}[p2]\n{keys2}[p3]\n{keys1}", {"AWS_PROFILE": "p3"}, "p2", "default-env", u2),
        ("AWS_ACCESS_KEY_ID without its secret", "", f"[default]\n{keys2}", {"AWS_ACCESS_KEY_ID": k1}, None, None, Refused("PartialCredentialsError", "AWS_SECRET_ACCESS_KEY is not")),
        ("a key id without its secret in the credentials file", "", f"[default]\naws_access_key_id = {k1}\n", {}, None, None, Refused("PartialCredentialsError", "no aws_secret_access_key in the credentials file")),
        ("a key id without its secret, credential_process before the config file's", f"[default]\n{process}aws_access_key_id = {k1}\n", "", {}, None, None, u2),
        ("a source profile with keys gives them, not its role", f"[profile a]\nrole_arn = {r1}\nsource_profile = b\nrole_session_name = sk\n[profile b]\nrole_arn = {r2}\nsource_profile = base\n", f"[b]\n{keys2}[base]\n{keys1}", {}, "a", "flag", session(r1, "sk")),
        ("a credentials file that cannot be read, environment keys", "", UNREADABLE, env1, None, None, u1),
        # The unreadable credentials file may hold other keys for the profile, which botocore
        # would take first: aws-login will not guess.
        ("a credentials file that cannot be read, config-file keys", f"[default]\n{keys2}", UNREADABLE, {}, None, None,
         Stricter(u2, "cannot be read, so it was skipped")),
        ("a role ARN shorter than STS allows", f"[profile a]\nrole_arn = arn:aws:iam::1:r\nsource_profile = base\n", f"[base]\n{keys1}", {}, "a", "flag", Refused("ParamValidationError", "RoleArn of AssumeRole must be 20 to 2048 characters long")),
        ("a one-character session name", f"[profile a]\nrole_arn = {r1}\nsource_profile = base\nrole_session_name = x\n", f"[base]\n{keys1}", {}, "a", "flag", Refused("ParamValidationError", "RoleSessionName of AssumeRole must be 2 to 64 characters long")),
        ("duration_seconds = 0", f"[profile a]\nrole_arn = {r1}\nsource_profile = base\nduration_seconds = 0\n", f"[base]\n{keys1}", {}, "a", "flag", Refused("ParamValidationError", "DurationSeconds of AssumeRole must be from 900 to 43200")),
        ("AWS_STS_REGIONAL_ENDPOINTS that is neither legacy nor regional", "", "", {**env1, "AWS_STS_REGIONAL_ENDPOINTS": "global"}, None, None, Refused("InvalidSTSRegionalEndpointsConfigError", "it must be \"legacy\" or \"regional\"")),
        ("credential_process = aws-login for another profile", f"[profile app]\ncredential_process = {BINARY} dumpcreds --credential-helper --profile base\n", f"[base]\n{keys2}", {}, "app", "env", u2),
        ("credential_process = aws-login for its own profile: refused, not endless", f"[profile loop]\ncredential_process = {BINARY} dumpcreds --credential-helper\n", "", {}, "loop", "env", Refused("CredentialRetrievalError", "it would start itself without end")),
    ]


def run_botocore(config, credentials, env, profile, via):
    saved = dict(os.environ)
    try:
        for k in list(os.environ):
            if k.startswith("AWS_"):
                del os.environ[k]
        os.environ.update(env)
        os.environ.update({"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials,
                           "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_STS": MOTO, "AWS_REGION": REGION,
                           "AWS_DEFAULT_REGION": REGION})
        if via == "env":
            os.environ["AWS_PROFILE"] = profile
        elif via == "default-env":
            os.environ["AWS_DEFAULT_PROFILE"] = profile
        session = botocore.session.Session(profile=profile if via == "flag" else None)
        hops = []  # the roles botocore's own STS clients assume, in order
        session.register("before-parameter-build.sts.AssumeRole", lambda params, **_: hops.append(params["RoleArn"]))
        session.register("before-parameter-build.sts.AssumeRoleWithWebIdentity",
                         lambda params, **_: hops.append(params["RoleArn"]))
        creds = session.get_credentials()
        if creds is None:
            return None, None, hops
        arn = session.create_client("sts", region_name=REGION).get_caller_identity()["Arn"]
        return creds.method, arn, hops
    except Exception as e:  # noqa: BLE001 - any refusal by botocore counts as "no identity"
        return f"error: {type(e).__name__}", None, []
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_aws_login(config, credentials, env, profile, via):
    full = {"PATH": os.environ.get("PATH", ""), "HOME": SCRATCH_HOME, "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_STS": MOTO, "AWS_REGION": REGION, **env}
    args = [BINARY, "getcallerid", "--debug"]
    if via == "env":
        full["AWS_PROFILE"] = profile
    elif via == "default-env":
        full["AWS_DEFAULT_PROFILE"] = profile
    elif via == "flag":
        args += ["--profile", profile]
    out = subprocess.run(args, env=full, capture_output=True, text=True, timeout=60)
    plan = next((line.split("credential plan: ", 1)[1] for line in out.stderr.splitlines() if "credential plan: " in line), "")
    if out.returncode != 0:
        return plan, None, out.stderr.strip()
    return plan, json.loads(out.stdout)["Arn"], None


def botocore_under_credentials_server(tmp, users, roles):
    """botocore as the child of `aws-login runas --credentials-server`: it must find the
    loopback endpoint through its container provider and sign as the role aws-login assumed."""
    _, key, secret = users["u1"]
    config = os.path.join(tmp, "config-server")
    with open(config, "w") as f:
        f.write(f"[profile app]\nrole_arn = {roles['r1']}\nsource_profile = base\nrole_session_name = served\n"
                f"[profile base]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n")
    # 200 connections that send half a request and stall (any local process can; far more
    # than the endpoint serves at once) must not keep botocore from its credentials.
    child = ("import os, socket; from urllib.parse import urlparse; "
             "u = urlparse(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']); idle = []\n"
             "for _ in range(200):\n"
             "    c = socket.create_connection((u.hostname, u.port)); c.sendall(b'GET / HTTP/1.1\\r\\n'); idle.append(c)\n"
             "import botocore.session; s = botocore.session.Session(); c = s.get_credentials(); "
             f"print(c.method, s.create_client('sts', region_name='{REGION}', endpoint_url='{MOTO}')"
             ".get_caller_identity()['Arn'])")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": SCRATCH_HOME, "AWS_CONFIG_FILE": config,
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "none"), "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_ENDPOINT_URL_STS": MOTO, "AWS_REGION": REGION}
    out = subprocess.run([BINARY, "runas", "--profile", "app", "--credentials-server", "--", sys.executable, "-c", child],
                         env=env, capture_output=True, text=True, timeout=60)
    want = f"container-role arn:aws:sts::{roles['r1'].split(':')[4]}:assumed-role/r1/served"
    ok = out.returncode == 0 and out.stdout.strip() == want
    name = "botocore as the child of runas --credentials-server, with 200 stalled connections open"
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {out.stdout!r} {out.stderr[-2000:]!r}"))
    return ok


def uses_web_identity(config_text, env):
    return "web_identity_token_file" in config_text or "AWS_WEB_IDENTITY_TOKEN_FILE" in env


def compare(tmp, i, scenario):
    name, config_text, credentials_text, env, profile, via, want = scenario
    config = os.path.join(tmp, f"config-{i}")
    credentials = os.path.join(tmp, f"credentials-{i}")
    with open(config, "w", newline="") as f:
        f.write(config_text)
    if credentials_text is UNREADABLE:
        os.mkdir(credentials)
    else:
        with open(credentials, "w", newline="") as f:
            f.write(credentials_text)
    method, boto_arn, boto_hops = run_botocore(config, credentials, env, profile, via)
    plan, ours_arn, error = run_aws_login(config, credentials, env, profile, via)
    our_hops = re.findall(r"(?:AssumeRole|web identity token \([^)]*\) for) (arn:\S+)", plan)
    if want is None:
        ok = boto_arn is None and ours_arn is None
        detail = f"botocore {method} {boto_arn}; aws-login {ours_arn}"
    elif isinstance(want, Stricter):
        ok = boto_arn == want.botocore_identity and ours_arn is None and want.aws_login_says in (error or "")
        detail = f"botocore {method} {boto_arn}; aws-login {ours_arn} {(error or '')[-600:]!r}"
    elif isinstance(want, Refused):
        ok = (boto_arn is None and ours_arn is None and method == f"error: {want.botocore_error}"
              and want.aws_login_says in (error or ""))
        detail = f"botocore {method} {boto_arn}; aws-login {ours_arn} {(error or '')[-600:]!r}"
    else:
        expected_source = SOURCES.get(method or "", "?")
        # botocore names only the last hop's kind; the chain itself is compared role by role.
        same_source = bool(our_hops) if method == "assume-role" else plan.startswith(expected_source or "?")
        ok = boto_arn == want and ours_arn == want and same_source and boto_hops == our_hops
        detail = (f"botocore {method} {boto_hops} {boto_arn}; aws-login plan {plan!r} {our_hops} {ours_arn} "
                  f"{(error or '')[-600:]}")
    chain = f" [{' -> '.join(r.split('/')[-1] for r in our_hops)}]" if ok and our_hops else ""
    print(f"{'ok  ' if ok else 'FAIL'} {name}{chain}" + ("" if ok else f": {detail}"))
    return ok


def main():
    users, roles = setup()
    with tempfile.TemporaryDirectory() as tmp:
        port = container_server(users, roles)
        temporary = temporary_credentials(users, roles)
        cases = list(enumerate(scenarios(users, roles, tmp, port, temporary)))
        # moto answers an unsigned AssumeRoleWithWebIdentity with a 500 once auth is on (it
        # reads the Authorization header unconditionally), so those scenarios run first,
        # before signatures are checked; everything after them is verified.
        web = [(i, c) for i, c in cases if uses_web_identity(c[1], c[3])]
        signed = [(i, c) for i, c in cases if not uses_web_identity(c[1], c[3])]
        results = [compare(tmp, i, c) for i, c in web]
        enable_auth()
        results += [compare(tmp, i, c) for i, c in signed]
        results.append(botocore_under_credentials_server(tmp, users, roles))
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
