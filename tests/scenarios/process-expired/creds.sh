echo '{"Version": 1, "AccessKeyId": "AKIAPROC", "SecretAccessKey": "PROCSECRET", "Expiration": "2001-02-03T04:05:06Z"}'
