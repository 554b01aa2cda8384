#!/usr/bin/env python3
"""A minimal fake EC2 for the network-namespace launch test: RunInstances (instances
start pending, idempotent by ClientToken), DescribeInstances (pending turns running on
the next look) and DescribeRegions, each request's Action appended to LOG.

Usage: fake_ec2.py ADDRESS PORT LOG
"""
import http.server
import sys
import urllib.parse

ADDRESS, PORT, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]
instances = {}  # id -> state
tokens = {}  # client token -> ids


def item(iid, state):
    return (f"<item><instanceId>{iid}</instanceId><instanceState><name>{state}</name></instanceState>"
            f"<instanceType>t3.micro</instanceType><tagSet/></item>")


class Fake(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        action = form.get("Action", "")
        signed = "Credential=AKIANETNS/" in self.headers.get("Authorization", "")
        with open(LOG, "a") as f:
            f.write(f"{action} signed={signed}\n")
        if action == "RunInstances":
            token = form["ClientToken"]
            if token not in tokens:
                ids = [f"i-{len(instances) + n:017x}" for n in range(int(form["MinCount"]))]
                for iid in ids:
                    instances[iid] = "pending"
                tokens[token] = ids
            body = "".join(item(i, "pending") for i in tokens[token])
            self.reply(f"<RunInstancesResponse><instancesSet>{body}</instancesSet></RunInstancesResponse>")
        elif action == "DescribeInstances":
            wanted = [v for k, v in form.items() if k.startswith("InstanceId.")] or list(instances)
            shown = []
            for iid in wanted:
                shown.append(item(iid, instances[iid]))
                instances[iid] = "running"
            body = "".join(shown)
            self.reply("<DescribeInstancesResponse><reservationSet><item><instancesSet>"
                       f"{body}</instancesSet></item></reservationSet></DescribeInstancesResponse>")
        else:
            self.reply("<Response><Errors><Error><Code>InvalidAction</Code><Message>not faked</Message>"
                       "</Error></Errors><RequestID>r</RequestID></Response>", 400)

    def reply(self, body, status=200):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


http.server.HTTPServer((ADDRESS, PORT), Fake).serve_forever()
