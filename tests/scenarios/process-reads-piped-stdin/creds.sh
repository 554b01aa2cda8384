# A helper that asks for an MFA code and reads it from stdin.
printf 'MFA code: ' >&2
read -r code || exit 7
echo "{\"Version\": 1, \"AccessKeyId\": \"AKIA$code\", \"SecretAccessKey\": \"PROCSECRET\"}"
