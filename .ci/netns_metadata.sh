#!/usr/bin/env bash
# `aws-login metadata` as a user-data script on an instance that requires IMDSv2 runs it:
# the static binary, with no endpoint setting, inside a network namespace of its own
# where a strict fake IMDSv2 listens on the namespace's own 169.254.169.254:80 (nothing
# else is reachable; the real address is never touched). Skipped, and said, where this
# machine cannot create network namespaces.
# Usage: netns_metadata.sh STATIC_BINARY PYTHON
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
unshare --net bash -euo pipefail -c '
  bin=$1; python=$2; here=$3; work=$4
  ip link set lo up
  ip addr add 169.254.169.254/32 dev lo
  "$python" "$here/fake_imds.py" 169.254.169.254 80 "$work/calls.log" &
  fake=$!
  trap "kill $fake 2>/dev/null || true" EXIT
  for _ in $(seq 100); do
    if "$python" -c "import socket; socket.create_connection((\"169.254.169.254\", 80), 1)" 2>/dev/null; then break; fi
    sleep 0.1
  done
  run() { env -i PATH=/nonexistent HOME="$work" "$bin" metadata "$@"; }
  {
    run instance-id
    run placement/region
    run tags/instance/Name
    run user-data; echo
    run tags/instance/Owner 2>/dev/null || echo "missing exit $?"
  } > "$work/out" 2> "$work/stderr"
' bash "$bin" "$python" "$here" "$work"
want=$'i-0netns0000000001\neu-west-1\nnetns-web\n#!/bin/sh\necho from-user-data\nmissing exit 1'
if [ "$(cat "$work/out")" != "$want" ] || grep -q "token=False" <(grep '^GET' "$work/calls.log"); then
  echo "FAIL: metadata inside the namespace" >&2
  cat "$work/out" "$work/stderr" "$work/calls.log" >&2
  exit 1
fi
echo "ok   the static binary read IMDSv2 at the namespace's own 169.254.169.254 with one token per run ($(grep -c '^PUT' "$work/calls.log") token requests for 5 runs)"
