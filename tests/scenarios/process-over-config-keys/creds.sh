echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "PROCSECRET", "Expiration": "2099-01-01T00:00:00Z"}'
