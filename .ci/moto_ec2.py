#!/usr/bin/env python3
"""aws-login's ec2 commands against moto with signature checking on.

Usage: moto_ec2.py AWS_LOGIN_BINARY MOTO_URL

With auth off, creates an IAM user allowed everything and one allowed nothing, picks an
AMI, then switches moto's signature checking on and runs the binary:
  1. ec2 launch: 3 instances of a group with a user-data file (a variable filled in);
  2. ec2 list --group: the 3, as JSON; and all instances over pages of 5 (with 3 more
     in another group);
  3. the user data read back with DescribeInstanceAttribute (ec2 call) equals the file;
  4. --dry-run: allowed for the user with the policy (exit 0), not for the other (exit 3);
  5. ec2 terminate --group --yes, then ec2 list shows them shutting-down or terminated.
Prints one line per check and "N passed, N failed"; exits 1 on any failure.
"""
import base64
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


def setup():
    session = botocore.session.Session()
    kw = dict(region_name=REGION, endpoint_url=MOTO, aws_access_key_id="setup", aws_secret_access_key="setup")
    iam = session.create_client("iam", **kw)
    iam.create_user(UserName="ec2-user")
    iam.put_user_policy(UserName="ec2-user", PolicyName="all", PolicyDocument=ALLOW_ALL)
    allowed = iam.create_access_key(UserName="ec2-user")["AccessKey"]
    iam.create_user(UserName="nobody")
    denied = iam.create_access_key(UserName="nobody")["AccessKey"]
    ec2 = session.create_client("ec2", **kw)
    image = ec2.describe_images()["Images"][0]["ImageId"]
    req = urllib.request.Request(f"{MOTO}/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()
    return allowed, denied, image


def env_for(key):
    return {
        "PATH": os.environ.get("PATH", ""), "HOME": SCRATCH_HOME,
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL_EC2": MOTO,
        "AWS_ENDPOINT_URL_STS": MOTO,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    }


def aws_login(args, env):
    return subprocess.run([BINARY, "ec2", *args], env=env, capture_output=True, text=True, timeout=120)


def main():
    allowed, denied, image = setup()
    env = env_for(allowed)
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"))

    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "user-data.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho group=${AWS_LOGIN_GROUP} key=${API_KEY} home=${HOME}\n")
        expected = "#!/bin/sh\necho group=ci-group key=k-1 home=${HOME}\n"
        launch = ["launch", "--group", "ci-group", "--count", "3", "--instance-type", "t3.micro",
                  "--image-id", image, "--user-data", script, "--user-data-var", "API_KEY=k-1"]
        out = aws_login(launch, env)
        ids = out.stdout.split()
        check("ec2 launch starts 3 instances of the group", out.returncode == 0 and len(ids) == 3,
              out.stdout + out.stderr)

        other = ["launch", "--group", "other", "--count", "3", "--instance-type", "t3.micro", "--image-id", image]
        aws_login(other, env)
        out = aws_login(["list", "--group", "ci-group", "--json"], env)
        listed = json.loads(out.stdout or "[]") if out.returncode == 0 else []
        check("ec2 list --group shows the 3 with their group tag",
              sorted(i["InstanceId"] for i in listed) == sorted(ids)
              and all({"Key": "aws-login:group", "Value": "ci-group"} in i["Tags"] for i in listed),
              out.stdout + out.stderr)
        out = aws_login(["list", "--page-size", "5", "--json"], env)
        every = json.loads(out.stdout or "[]") if out.returncode == 0 else []
        check("ec2 list over pages of 5 shows all 6", len(every) == 6, out.stdout + out.stderr)

        if ids:
            out = aws_login(["call", "DescribeInstanceAttribute", f"InstanceId={ids[0]}", "Attribute=userData"], env)
            try:
                value = json.loads(out.stdout)["userData"]["value"]
                got = base64.b64decode(value).decode()
            except Exception as e:  # noqa: BLE001 - any failure is the check failing
                got = repr(e)
            check("the user data read back equals the file, filled in", got == expected, got + out.stderr)

        out = aws_login(launch + ["--dry-run"], env)
        check("--dry-run with the policy: allowed, exit 0",
              out.returncode == 0 and "would be allowed" in out.stderr, f"rc={out.returncode} {out.stderr}")
        out = aws_login(launch + ["--dry-run"], env_for(denied))
        check("--dry-run without it: not authorized, exit 3",
              out.returncode == 3 and "not authorized" in out.stderr, f"rc={out.returncode} {out.stderr}")

        out = aws_login(["terminate", "--group", "ci-group", "--yes"], env)
        check("ec2 terminate --group --yes ends the 3", out.returncode == 0 and len(out.stdout.splitlines()) == 3,
              out.stdout + out.stderr)
        out = aws_login(["list", "--group", "ci-group", "--state", "shutting-down,terminated", "--json"], env)
        gone = json.loads(out.stdout or "[]") if out.returncode == 0 else []
        check("ec2 list then shows them shutting-down or terminated", sorted(i["InstanceId"] for i in gone) == sorted(ids),
              out.stdout + out.stderr)

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
