#!/usr/bin/env python3
"""aws-login against moto, a local STS/IAM that verifies SigV4 signatures.

Usage: moto_interop.py AWS_LOGIN_BINARY MOTO_URL

With auth off, creates an IAM user with keys and two roles (role1 trusts the user,
role2 trusts role1's sessions), then switches moto's signature checking on and runs the binary:
  1. getcallerid with the user's keys shows the user;
  2. --assume-roles role1,role2 then getcallerid shows role2;
  3. botocore, using `aws-login dumpcreds --credential-helper` as credential_process,
     calls STS successfully as role1;
  4. `aws-login request` POSTs GetCallerIdentity as a form (moto checks the signature):
     with the user's keys, then as role1 (the session token signed), then with a wrong
     secret (`--fail`: exit 22, SignatureDoesNotMatch said);
  5. the assumed-role cache shared with the AWS CLI: a profile role aws-login assumed is
     used by botocore with the AWS CLI's JSONFileCache (the same access key, no second
     AssumeRole), and one botocore cached is used by aws-login;
  6. a wrong secret makes aws-login exit non-zero with SignatureDoesNotMatch.
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

# A scratch HOME for the binary: its caches (the assumed-role cache) never reach
# the CI machine's home.
SCRATCH_HOME = tempfile.mkdtemp(prefix="aws-login-ci-home-")

import botocore.session

BINARY, MOTO = sys.argv[1], sys.argv[2].rstrip("/")
REGION = "us-east-1"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def trust(principal_arn):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}],
    })


def setup():
    session = botocore.session.Session()
    iam = session.create_client("iam", region_name=REGION, endpoint_url=MOTO,
                                aws_access_key_id="setup", aws_secret_access_key="setup")
    user = iam.create_user(UserName="ci-user")["User"]
    iam.put_user_policy(UserName="ci-user", PolicyName="all", PolicyDocument=ALLOW_ALL)
    key = iam.create_access_key(UserName="ci-user")["AccessKey"]
    # moto evaluates managed policies for assumed-role sessions.
    policy = iam.create_policy(PolicyName="allow-all", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    role1 = iam.create_role(RoleName="role1", AssumeRolePolicyDocument=trust(user["Arn"]))["Role"]
    iam.attach_role_policy(RoleName="role1", PolicyArn=policy)
    # role2 trusts role1 and, by name, role1's "aws-login" sessions: AWS accepts both
    # forms; moto compares the caller's session ARN literally, so it needs the second.
    account = role1["Arn"].split(":")[4]
    session_arn = f"arn:aws:sts::{account}:assumed-role/role1/aws-login"
    role2 = iam.create_role(RoleName="role2", AssumeRolePolicyDocument=trust([role1["Arn"], session_arn]))["Role"]
    iam.attach_role_policy(RoleName="role2", PolicyArn=policy)
    # From here on moto checks every signature.
    req = urllib.request.Request(f"{MOTO}/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()
    return user, key, role1, role2


def env_for(key_id, secret):
    return {
        "PATH": os.environ.get("PATH", ""), "HOME": SCRATCH_HOME,
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL_STS": MOTO,
    }


def aws_login(args, env):
    return subprocess.run([BINARY, *args], env=env, capture_output=True, text=True, timeout=60)


def main():
    user, key, role1, role2 = setup()
    env = env_for(key["AccessKeyId"], key["SecretAccessKey"])
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"))

    out = aws_login(["getcallerid"], env)
    ok = out.returncode == 0 and json.loads(out.stdout or "{}").get("Arn") == user["Arn"]
    check("getcallerid with the user's keys shows the user", ok, out.stdout + out.stderr)

    roles = f"{role1['Arn']},{role2['Arn']}"
    out = aws_login(["getcallerid", "--assume-roles", roles], env)
    arn = json.loads(out.stdout or "{}").get("Arn", "") if out.returncode == 0 else ""
    check("--assume-roles role1,role2 then getcallerid shows role2",
          ":assumed-role/role2/" in arn, out.stdout + out.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "config")
        helper = (f"env HOME={SCRATCH_HOME} AWS_ACCESS_KEY_ID={key['AccessKeyId']} AWS_SECRET_ACCESS_KEY={key['SecretAccessKey']} "
                  f"AWS_REGION={REGION} AWS_ENDPOINT_URL_STS={MOTO} "
                  f"{BINARY} dumpcreds --credential-helper --assume-roles {role1['Arn']}")
        with open(config, "w") as f:
            f.write(f"[profile helper]\ncredential_process = {helper}\nregion = {REGION}\n")
        saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AWS_")}
        os.environ["AWS_CONFIG_FILE"] = config
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(tmp, "none")
        try:
            session = botocore.session.Session(profile="helper")
            sts = session.create_client("sts", region_name=REGION, endpoint_url=MOTO)
            arn = sts.get_caller_identity()["Arn"]
            creds = session.get_credentials()
            check("botocore uses dumpcreds --credential-helper as credential_process",
                  ":assumed-role/role1/" in arn and creds.method == "custom-process", arn)
        except Exception as e:  # noqa: BLE001 - any failure is the check failing
            check("botocore uses dumpcreds --credential-helper as credential_process", False, repr(e))
        finally:
            os.environ.pop("AWS_CONFIG_FILE", None)
            os.environ.pop("AWS_SHARED_CREDENTIALS_FILE", None)
            os.environ.update(saved)

    # dumpcreds --write-profile: botocore reads the written profile and is role1 on moto.
    with tempfile.TemporaryDirectory() as tmp:
        credentials = os.path.join(tmp, "credentials")
        with open(credentials, "w") as f:
            f.write("# mine\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = kept\n")
        out = aws_login(["dumpcreds", "--assume-roles", role1["Arn"], "--write-profile", "written"],
                        {**env, "AWS_SHARED_CREDENTIALS_FILE": credentials})
        saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AWS_")}
        os.environ["AWS_CONFIG_FILE"] = os.path.join(tmp, "none")
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = credentials
        try:
            session = botocore.session.Session(profile="written")
            sts = session.create_client("sts", region_name=REGION, endpoint_url=MOTO)
            arn = sts.get_caller_identity()["Arn"]
            text = open(credentials).read()
            check("botocore reads the profile dumpcreds --write-profile wrote, as role1 on moto",
                  out.returncode == 0 and ":assumed-role/role1/" in arn
                  and session.get_credentials().method == "shared-credentials-file"
                  and text.startswith("# mine\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = kept\n")
                  and (os.stat(credentials).st_mode & 0o777) == 0o600,
                  out.stdout + out.stderr + arn)
        except Exception as e:  # noqa: BLE001 - any failure is the check failing
            check("botocore reads the profile dumpcreds --write-profile wrote, as role1 on moto", False,
                  repr(e) + out.stdout + out.stderr)
        finally:
            os.environ.pop("AWS_CONFIG_FILE", None)
            os.environ.pop("AWS_SHARED_CREDENTIALS_FILE", None)
            os.environ.update(saved)

    form = ["POST", f"{MOTO}/", "-d", "Action=GetCallerIdentity&Version=2011-06-15",
            "--service", "sts", "--region", REGION, "--fail"]
    out = aws_login(["request", *form], env)
    check("request signs a GetCallerIdentity form moto accepts",
          out.returncode == 0 and user["Arn"] in out.stdout, out.stdout + out.stderr)
    out = aws_login(["request", *form, "--assume-roles", role1["Arn"]], env)
    check("request as role1 (session token signed) is accepted",
          out.returncode == 0 and ":assumed-role/role1/" in out.stdout, out.stdout + out.stderr)
    out = aws_login(["request", *form], env_for(key["AccessKeyId"], "wrong" + key["SecretAccessKey"]))
    check("request with a wrong secret: --fail exits 22 and says SignatureDoesNotMatch",
          out.returncode == 22 and "SignatureDoesNotMatch" in out.stderr and not out.stdout,
          f"rc={out.returncode} {out.stderr}")

    with tempfile.TemporaryDirectory() as home:
        config = os.path.join(home, "config")
        with open(config, "w") as f:
            f.write(f"[profile base]\naws_access_key_id = {key['AccessKeyId']}\n"
                    f"aws_secret_access_key = {key['SecretAccessKey']}\n\n"
                    f"[profile r1]\nrole_arn = {role1['Arn']}\nsource_profile = base\nregion = {REGION}\n"
                    f"[profile r1b]\nrole_arn = {role1['Arn']}\nsource_profile = base\nregion = {REGION}\n"
                    f"role_session_name = from-botocore\n")
        shared = {"PATH": os.environ.get("PATH", ""), "HOME": home, "AWS_CONFIG_FILE": config,
                  "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "none"),
                  "AWS_ENDPOINT_URL_STS": MOTO, "AWS_EC2_METADATA_DISABLED": "true"}

        def botocore_key(profile):
            script = ("import os, sys, botocore.session\n"
                      "from botocore.utils import JSONFileCache\n"
                      "s = botocore.session.Session(profile=sys.argv[1])\n"
                      "p = s.get_component('credential_provider').get_provider('assume-role')\n"
                      "p.cache = JSONFileCache(os.path.expanduser('~/.aws/cli/cache'))\n"
                      "print(s.get_credentials().get_frozen_credentials().access_key)\n")
            return subprocess.run([sys.executable, "-c", script, profile], env=shared,
                                  capture_output=True, text=True, timeout=60)

        out = aws_login(["dumpcreds", "--credential-helper", "--profile", "r1"], shared)
        ours = json.loads(out.stdout or "{}").get("AccessKeyId", "")
        theirs = botocore_key("r1")
        check("botocore (the AWS CLI's cache) uses the role aws-login cached",
              ours.startswith("ASIA") and theirs.stdout.strip() == ours, out.stderr + theirs.stderr)
        theirs = botocore_key("r1b")
        out = aws_login(["dumpcreds", "--credential-helper", "--profile", "r1b"], shared)
        ours = json.loads(out.stdout or "{}").get("AccessKeyId", "")
        check("aws-login uses the role botocore cached",
              ours.startswith("ASIA") and theirs.stdout.strip() == ours, out.stderr + theirs.stderr)

    out = aws_login(["getcallerid"], env_for(key["AccessKeyId"], "wrong" + key["SecretAccessKey"]))
    check("a wrong secret fails with SignatureDoesNotMatch",
          out.returncode != 0 and "SignatureDoesNotMatch" in out.stderr, f"rc={out.returncode} {out.stderr}")

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
