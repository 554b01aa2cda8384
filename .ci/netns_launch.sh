#!/usr/bin/env bash
# The static binary launches a group of machines the way a user-data script on a bare
# image would: inside a network namespace of its own whose only AWS is a fake EC2 on the
# namespace's address (10.99.0.1, on its loopback), with nothing else reachable.
# Skipped, and said, where this machine cannot create network namespaces.
# Usage: netns_launch.sh STATIC_BINARY PYTHON
set -euo pipefail
bin=$(readlink -f "$1")
python=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! unshare --net true 2>/dev/null; then
  echo "skipped: this machine cannot create network namespaces (unshare --net)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\necho "group ${AWS_LOGIN_GROUP}"\n' > "$work/user-data.sh"
unshare --net bash -euo pipefail -c '
  bin=$1; python=$2; here=$3; work=$4
  ip link set lo up
  ip addr add 10.99.0.1/32 dev lo
  "$python" "$here/fake_ec2.py" 10.99.0.1 8080 "$work/calls.log" &
  fake=$!
  trap "kill $fake 2>/dev/null || true" EXIT
  for _ in $(seq 100); do
    if "$python" -c "import socket; socket.create_connection((\"10.99.0.1\", 8080), 1)" 2>/dev/null; then break; fi
    sleep 0.1
  done
  env -i PATH=/nonexistent HOME="$work" \
    AWS_ACCESS_KEY_ID=AKIANETNS AWS_SECRET_ACCESS_KEY=netns-secret AWS_REGION=eu-west-1 \
    AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_EC2=http://10.99.0.1:8080 \
    "$bin" ec2 launch --group netns-group --count 2 --instance-type t3.micro --image-id ami-1 \
      --user-data "$work/user-data.sh" --wait > "$work/ids" 2> "$work/stderr"
' bash "$bin" "$python" "$here" "$work"
ids=$(wc -l < "$work/ids")
if [ "$ids" != 2 ] || ! grep -q "running" "$work/stderr" || grep -q "signed=False" "$work/calls.log"; then
  echo "FAIL: the launch inside the namespace" >&2
  cat "$work/ids" "$work/stderr" "$work/calls.log" >&2
  exit 1
fi
echo "ok   the static binary launched 2 machines and waited for them, alone in a network namespace ($(tr '\n' ' ' < "$work/calls.log"))"
