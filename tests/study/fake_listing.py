#!/usr/bin/env python3
"""A local stand-in for the hubs' model listings. Loopback only. Prints "PORT <n>" when ready.

- Hugging Face: GET /api/models?filter=&limit=&cursor=, paged with `Link: <...>; rel="next"`.
- ModelScope: PUT /api/v1/dolphin/models with a JSON body {PageSize, PageNumber, Criterion:
  [{category, predicate, values}]}, answered {"Code":200,"Data":{"Model":{"Models":[{Path, Name,
  Tags}], "TotalCount":N}},"Success":true}.
- OpenCSG: GET /api/v1/models?page=&per=&tag_name=, answered {"data":[{path, tags:[{name}]}], "total":N}.

--fault: "500" (every page fails), "offhost" (the next link points at another host),
"loop" (the next link points back at the first page), "garbage" (the second page is not JSON),
"429once" (the first listing request is rate limited, Retry-After: 0), "msfail" (ModelScope's
wrapper reports Success false), "repeat" (every page after the first repeats it)."""
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
    bodies = []
    limited = []

    def rate_limited(handler):
        if args.fault == "429once" and not limited:
            limited.append(1)
            handler.send(429, b'{"error":"slow down"}', [("Retry-After", "0")])
            return True
        return False

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query)
            requests.append(self.path)
            if u.path == "/_requests":
                return self.send(200, json.dumps(requests).encode(), [])
            if u.path == "/_bodies":
                return self.send(200, json.dumps(bodies).encode(), [])
            if u.path == "/api/v1/models":
                return self.csg(q)
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

        def csg(self, q):
            if rate_limited(self):
                return
            if args.fault == "500":
                return self.send(500, b'{"msg":"down"}', [])
            names = q.get("tag_name", [])
            rows = [m for m in data if all(t in m["tags"] for t in names)]
            per = int(q.get("per", ["20"])[0])
            page = int(q.get("page", ["1"])[0])
            if args.fault == "repeat":
                page = 1
            chunk = rows[(page - 1) * per:page * per]
            out = [{"id": i, "path": m["id"], "name": m["id"].split("/")[-1],
                    "tags": [{"name": t, "category": "framework", "built_in": True} for t in m["tags"]]}
                   for i, m in enumerate(chunk)]
            self.send(200, json.dumps({"msg": "OK", "data": out, "total": len(rows)}).encode(), [])

        def do_PUT(self):
            u = urllib.parse.urlsplit(self.path)
            n = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(n).decode()
            requests.append("PUT " + self.path)
            bodies.append(raw)
            if u.path != "/api/v1/dolphin/models":
                return self.send(404, b'{"Code":404,"Message":"not found","Success":false}', [])
            if rate_limited(self):
                return
            if args.fault == "500":
                return self.send(500, b'{"Code":500}', [])
            if args.fault == "msfail":
                return self.send(200, b'{"Code":10010,"Data":null,"Message":"request throttled by policy","Success":false}', [])
            body = json.loads(raw)
            wanted = [v for c in body.get("Criterion", []) if c.get("category") == "tags" for v in c.get("values", [])]
            rows = [m for m in data if all(t in m["tags"] for t in wanted)]
            size, number = int(body["PageSize"]), int(body["PageNumber"])
            if args.fault == "repeat":
                number = 1
            if args.fault == "garbage" and number > 1:
                return self.send(200, b"<html>not a listing</html>", [])
            chunk = rows[(number - 1) * size:number * size]
            out = []
            for m in chunk:
                owner, name = m["id"].split("/", 1) if "/" in m["id"] else ("", m["id"])
                out.append({"Path": owner, "Name": name, "Tags": m["tags"], "Downloads": 1, "Tasks": [{"Name": "text-generation"}]})
            self.send(200, json.dumps({"Code": 200, "Data": {"Model": {"Models": out, "TotalCount": len(rows)}},
                                       "Message": "success", "Success": True}).encode(), [])

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
