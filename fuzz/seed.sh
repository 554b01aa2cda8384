#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/TARGET, not committed) from the project's
# own inputs: the committed answer samples in fuzz/seeds/, the credential-chain scenarios'
# config and credentials files, the dumpconfig golden files, the credential_process lines
# of the scenarios, and AWS's SigV4 suites (each request.txt, in sigv4_sign's layout:
# flags, method, path, query, then headers; flags 0 SigV4, 4 SigV4a, 8 with a token).
# Usage: fuzz/seed.sh [VECTORS_DIR] (default ../shared/vectors beside the crate).
set -euo pipefail
cd "$(dirname "$0")"
vectors="${1:-${AWS_LOGIN_SIGV4_VECTORS:-../../shared/vectors}}"
corpus=corpus
mkdir -p "$corpus"/{config_parse,config_edit,config_model,xml_answers,json_answers,shlex_split,sigv4_sign}

cp seeds/xml_answers/* "$corpus/xml_answers/"
cp seeds/json_answers/* "$corpus/json_answers/"

n=0
for f in ../tests/scenarios/*/config ../tests/scenarios/*/credentials ../tests/golden/dumpconfig/*; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  cp "$f" "$corpus/config_parse/seed-$n"
  cp "$f" "$corpus/config_edit/seed-$n"
done

grep -h '^credential_process' ../tests/scenarios/*/config 2>/dev/null \
  | sed 's/^credential_process *= *//' | sort -u \
  | { i=0; while IFS= read -r line; do i=$((i + 1)); printf '%s' "$line" > "$corpus/shlex_split/seed-$i"; done; }

if [ -d "$vectors/sigv4-c-auth" ]; then
  i=0
  for req in "$vectors"/sigv4-c-auth/v4/*/request.txt "$vectors"/sigv4-c-auth/v4a/*/request.txt; do
    [ -f "$req" ] || continue
    i=$((i + 1))
    case "$req" in */v4a/*) flags=4 ;; *) flags=0 ;; esac
    awk -v flags="$flags" '
      NR == 1 {
        method = $1; target = substr($0, length($1) + 2); sub(/ HTTP\/1\.1$/, "", target)
        q = index(target, "?"); path = q ? substr(target, 1, q - 1) : target; query = q ? substr(target, q + 1) : ""
        printf "%s\n%s\n%s\n%s", flags, method, path, query; next
      }
      /^$/ { exit }
      { printf "\n%s", $0 }
    ' "$req" > "$corpus/sigv4_sign/vector-$i"
  done
else
  echo "fuzz/seed.sh: no SigV4 suites at $vectors; sigv4_sign starts from its own corpus" >&2
fi
echo "seeded: $(ls "$corpus"/*/ | grep -c .) files in $(ls -d "$corpus"/*/ | wc -l) corpora"
