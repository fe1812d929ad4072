#!/usr/bin/env python3
"""A local stand-in for the Hugging Face model listing (GET /api/models?filter=&limit=&cursor=),
paged with `Link: <...>; rel="next"` like the Hub. Loopback only. Prints "PORT <n>" when ready.

--fault: "500" (every page fails), "offhost" (the next link points at another host),
"loop" (the next link points back at the first page), "garbage" (the second page is not JSON)."""
import argparse
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def models(n):
    out = []
    for i in range(n):
        tags = ["transformers", "pytorch"]
        if i % 3 == 0:
            tags.append("custom_code")
        out.append({"_id": "%024x" % i, "id": "org%d/model-%03d" % (i % 4, i), "tags": tags,
                    "sha": "%040x" % (i + 1), "likes": i, "private": False})
    out.append({"id": "../escape", "tags": ["transformers", "pytorch", "custom_code"]})  # a record no repository can be: skipped
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=int, default=10)
    ap.add_argument("--fault", default="")
    args = ap.parse_args()
    data = models(args.models)
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query)
            requests.append(self.path)
            if u.path == "/_requests":
                return self.send(200, json.dumps(requests).encode(), [])
            if u.path != "/api/models":
                return self.send(404, b'{"error":"not found"}', [])
            if args.fault == "500":
                return self.send(500, b'{"error":"down"}', [])
            filters = q.get("filter", [])
            rows = [m for m in data if all(f in m["tags"] for f in filters)]
            limit = int(q.get("limit", ["1000"])[0])
            start = int(q.get("cursor", ["0"])[0])
            if args.fault == "garbage" and start > 0:
                return self.send(200, b"<html>not a listing</html>", [])
            page = rows[start:start + limit]
            headers = []
            if start + limit < len(rows):
                nq = dict(q)
                nq["cursor"] = [str(start + limit)]
                host = "127.0.0.2" if args.fault == "offhost" else "127.0.0.1"
                if args.fault == "loop":
                    nq["cursor"] = ["0"]
                nxt = "http://%s:%d/api/models?%s" % (host, self.server.server_address[1], urllib.parse.urlencode(nq, doseq=True))
                headers.append(("Link", '<%s>; rel="next"' % nxt))
            self.send(200, json.dumps(page).encode(), headers)

        def send(self, code, body, headers):
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT %d" % srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        sys.stdin.read()  # serve until the test closes our stdin
    finally:
        srv.shutdown()


if __name__ == "__main__":
    main()
