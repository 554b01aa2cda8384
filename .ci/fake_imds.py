#!/usr/bin/env python3
"""A strict IMDSv2 for the network-namespace metadata test: PUT /latest/api/token needs
the TTL header; every GET needs that token (401 otherwise); a few paths of an instance.
Each request is appended to LOG as "METHOD PATH token=BOOL".

Usage: fake_imds.py ADDRESS PORT LOG
"""
import http.server
import sys

ADDRESS, PORT, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TOKEN = "NETNS-IMDS-TOKEN"
PATHS = {
    "/latest/meta-data/instance-id": "i-0netns0000000001",
    "/latest/meta-data/placement/region": "eu-west-1",
    "/latest/meta-data/tags/instance/Name": "netns-web",
    "/latest/user-data": "#!/bin/sh\necho from-user-data",
}


class Fake(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=""):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def note(self):
        with open(LOG, "a") as f:
            f.write(f"{self.command} {self.path} token={'X-aws-ec2-metadata-token' in self.headers}\n")

    def do_PUT(self):
        self.note()
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.answer(200, TOKEN)
        else:
            self.answer(400)

    def do_GET(self):
        self.note()
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            self.answer(401)
        elif self.path in PATHS:
            self.answer(200, PATHS[self.path])
        else:
            self.answer(404)


http.server.ThreadingHTTPServer((ADDRESS, PORT), Fake).serve_forever()
