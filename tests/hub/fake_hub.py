#!/usr/bin/env python3
"""A local stand-in for the Hugging Face Hub, ModelScope, OpenCSG (CSGHub's /csg/ layer) and
GitHub: the API subsets modelgate's clients use, served from folders on disk, with Range support,
large files redirected to a second host name, and faults on demand. Standard library only; listens
on 127.0.0.1 (and answers as "localhost" for the LFS host).

ModelScope: /api/v1/models/o/n/revisions (branch master, tag v1.0, both at the repo's commit and
named by CommitId unless the nocommit fault matches), /api/v1/models/o/n/repo/files?Revision=&
Recursive=True and /api/v1/models/o/n/repo?Revision=&FilePath= (large files redirect to the LFS
host). OpenCSG: /csg/api/models/o/n/revision/REV?blobs=true and /csg/o/n/resolve/REV/PATH.

  fake_hub.py --repo org/name=DIR [--repo ...] [--fault KIND:MATCH[:COUNT]] ...

Prints "PORT <n>" on its first line of output once it listens. GET /_log returns every request
seen (host, path, whether an Authorization header or a Cookie came with it), so tests can check where tokens
went. Faults (MATCH is a substring of the request path, or of
"path?query" unquoted for the ModelScope download route; COUNT limits how many requests get it):
  429        answer 429 with Retry-After: 1         500      answer 500
  truncate   send half the body, then close          stall    send headers, then nothing
  badlength  Content-Length shorter than the body    loop     redirect back and forth forever
  gzip       a gzip bomb the client did not ask for   norange  ignore Range headers
  liesize    the listing says a size 1000 bytes too big for matching files
  hostile    the listing adds names no repository can hold
  gated      401 for the API route of matching repos  forbidden  403
  rename     /api/models/MATCH/... redirects to the repository named by the fault's COUNT field
  nocommit   ModelScope's revision list names no CommitId
"""
import argparse
import gzip
import hashlib
import io
import json
import tarfile
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LFS_THRESHOLD = 64 * 1024
LFS_EXT = (".bin", ".pt", ".pth", ".ckpt", ".safetensors", ".gguf", ".onnx", ".h5", ".keras", ".npy", ".pkl", ".joblib", ".msgpack", ".nemo", ".zip")
PAGE = 40


class Repo:
    def __init__(self, rid, folder):
        self.id = rid
        self.folder = os.path.abspath(folder)
        self.sha = hashlib.sha1(("commit " + rid).encode()).hexdigest()
        self.files = []
        for root, dirs, names in os.walk(self.folder):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            for n in sorted(names):
                p = os.path.join(root, n)
                if os.path.islink(p) or not os.path.isfile(p):
                    continue
                rel = os.path.relpath(p, self.folder).replace(os.sep, "/")
                self.files.append(rel)
        self.files.sort()
        self._meta = {}

    def meta(self, rel):
        if rel not in self._meta:
            p = os.path.join(self.folder, rel)
            size = os.path.getsize(p)
            lfs = size > LFS_THRESHOLD or rel.lower().endswith(LFS_EXT)
            h256 = hashlib.sha256()
            h1 = hashlib.sha1(b"blob %d\0" % size)
            with open(p, "rb") as f:
                while True:
                    # Sparse test files are hashed through their holes: fast enough for 3 GB of zeros.
                    chunk = f.read(1 << 22)
                    if not chunk:
                        break
                    h256.update(chunk)
                    h1.update(chunk)
            self._meta[rel] = {"size": size, "lfs": lfs, "sha256": h256.hexdigest(), "oid": h1.hexdigest()}
        return self._meta[rel]


class State:
    def __init__(self, repos, faults):
        self.repos = repos
        self.faults = faults  # list of [kind, match, remaining or None, extra]
        self.log = []
        self.lock = threading.Lock()
        # Made once, before serving: compressing 64 MiB per request would look like a stall.
        self.bomb = gzip.compress(b"\0" * (64 << 20)) if any(f[0] == "gzip" for f in faults) else b""

    def fault(self, kind, path):
        with self.lock:
            for f in self.faults:
                if f[0] == kind and f[1] in path and (f[2] is None or f[2] > 0):
                    if f[2] is not None:
                        f[2] -= 1
                    return f
        return None


def make_handler(state):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def send_body(self, status, body, ctype="application/json", headers=None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def json(self, status, obj, headers=None):
            self.send_body(status, json.dumps(obj).encode(), headers=headers)

        def redirect(self, location, status=302):
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path)
            host = self.headers.get("Host", "")
            with state.lock:
                state.log.append({"host": host, "path": self.path,
                                  "auth": self.headers.get("Authorization") is not None or self.headers.get("Cookie") is not None,
                                  "cookie": self.headers.get("Cookie"), "range": self.headers.get("Range")})
            if path == "/_log":
                with state.lock:
                    return self.json(200, list(state.log))
            # Faults see the query too: ModelScope names the file in it (FilePath=).
            where = path + ("?" + urllib.parse.unquote(url.query) if url.query else "")
            for kind, status in (("429", 429), ("500", 500)):
                if state.fault(kind, where):
                    return self.send_body(status, b"{}", headers={"Retry-After": "1"} if status == 429 else None)
            if state.fault("loop", where):
                # Back and forth between the path with and without a marker (the rest of the query kept).
                if "again=1" in self.path:
                    back = self.path.replace("&again=1", "").replace("?again=1", "")
                else:
                    back = self.path + ("&" if "?" in self.path else "?") + "again=1"
                return self.redirect(back)
            if path.startswith("/api/v1/"):
                return self.modelscope(path, url.query)
            csg = path.startswith("/csg/")
            if csg:
                path = path[4:]  # CSGHub's Hugging Face-compatible layer, as pycsghub calls it
            if path.startswith("/api/"):
                return self.api(path, url.query)
            if path.startswith("/repos/") or path.startswith("/codeload/"):
                return self.github(path)
            if path.startswith("/lfs/"):
                _, _, sha, rid1, rid2, rel = path.split("/", 5)
                repo = state.repos.get(rid1 + "/" + rid2)
                if repo is None or rel not in repo.files or repo.meta(rel)["sha256"] != sha:
                    return self.json(404, {"error": "no such object"})
                return self.serve_file(repo, rel)
            parts = path.lstrip("/").split("/")
            if parts and parts[0] in ("datasets", "spaces"):
                parts = parts[1:]
            if len(parts) >= 5 and parts[2] == "resolve":
                repo = state.repos.get(parts[0] + "/" + parts[1])
                rel = "/".join(parts[4:])
                if repo is None or parts[3] not in (repo.sha, "main"):
                    return self.json(404, {"error": "not found"}, headers={"X-Error-Code": "RepoNotFound"})
                if rel not in repo.files:
                    return self.json(404, {"error": "not found"}, headers={"X-Error-Code": "EntryNotFound"})
                m = repo.meta(rel)
                if m["lfs"]:
                    # LFS content lives on another host, as on the real Hub (a CDN).
                    port = self.server.server_address[1]
                    return self.redirect("http://localhost:%d/lfs/%s/%s/%s" % (port, m["sha256"], repo.id,
                                                                              urllib.parse.quote(rel)))
                return self.serve_file(repo, rel)
            return self.json(404, {"error": "unknown route"})

        def api(self, path, query):
            parts = path.split("/")  # '', 'api', 'models', org, name, what, rev...
            if len(parts) < 7 or parts[2] not in ("models", "datasets", "spaces"):
                return self.json(404, {"error": "unknown route"})
            rid = parts[3] + "/" + parts[4]
            f = state.fault("rename", path)
            if f:
                return self.redirect(path.replace("/" + rid + "/", "/" + f[3] + "/", 1) + ("?" + query if query else ""), 307)
            if state.fault("gated", path):
                return self.json(401, {"error": "gated"}, headers={"X-Error-Code": "GatedRepo", "X-Error-Message": "Access to model is restricted"})
            if state.fault("forbidden", path):
                return self.json(403, {"error": "forbidden"}, headers={"X-Error-Code": "GatedRepo"})
            repo = state.repos.get(rid)
            if repo is None:
                return self.json(404, {"error": "Repository not found"}, headers={"X-Error-Code": "RepoNotFound"})
            what, rev = parts[5], parts[6]
            if rev not in ("main", repo.sha):
                return self.json(404, {"error": "Revision not found"}, headers={"X-Error-Code": "RevisionNotFound"})
            with_blobs = what == "revision" and "blobs=true" in query
            entries = self.entries(repo, path) if what == "tree" or with_blobs else []
            if what == "revision":
                if not with_blobs:
                    return self.json(200, {"id": rid, "sha": repo.sha, "siblings": [{"rfilename": r} for r in repo.files]})
                siblings = []
                for e in entries:
                    if e["type"] != "file":
                        continue
                    sib = {"rfilename": e["path"], "size": e["size"], "blobId": e["oid"]}
                    if "lfs" in e:
                        sib["lfs"] = {"sha256": e["lfs"]["oid"], "size": e["size"], "pointerSize": 134}
                    siblings.append(sib)
                return self.json(200, {"id": rid, "sha": repo.sha, "siblings": siblings})
            if what != "tree":
                return self.json(404, {"error": "unknown route"})
            q = urllib.parse.parse_qs(query)
            start = int(q.get("cursor", ["0"])[0])
            page = entries[start:start + PAGE]
            headers = {}
            if start + PAGE < len(entries):
                nxt = "http://%s%s?recursive=true&cursor=%d" % (self.headers.get("Host"), path, start + PAGE)
                headers["Link"] = '<%s>; rel="next"' % nxt
            return self.json(200, page, headers=headers)

        def entries(self, repo, path):
            out = []
            for rel in repo.files:
                m = repo.meta(rel)
                size = m["size"] + (1000 if state.fault("liesize", rel) else 0)
                e = {"type": "file", "path": rel, "size": size, "oid": m["oid"]}
                if m["lfs"]:
                    e["lfs"] = {"oid": m["sha256"], "size": size, "pointerSize": 134}
                out.append(e)
            if state.fault("hostile", path):
                for bad in ("../escape.py", "/etc/passwd", "ok/../../up.py", "ctl\x01name.py", "dir//x.py"):
                    out.append({"type": "file", "path": bad, "size": 10, "oid": "0" * 40})
                out.append({"type": "directory", "path": "subdir", "oid": "1" * 40, "size": 0})
            return out

        def ms_json(self, status, data=None, message="success", code=None):
            body = {"Code": code if code is not None else status, "Data": data, "Message": message,
                    "RequestId": "fake", "Success": status == 200}
            return self.json(status, body)

        def modelscope(self, path, query):
            # /api/v1/models/o/n/{revisions | repo/files | repo}
            parts = path.split("/")
            if len(parts) < 7 or parts[3] != "models":
                return self.ms_json(404, message="unknown route", code=10010205001)
            rid = parts[4] + "/" + parts[5]
            what = "/".join(parts[6:])
            if state.fault("gated", path):
                return self.ms_json(401, message="Unauthorized: private model", code=10010101001)
            if state.fault("forbidden", path):
                return self.ms_json(403, message="Forbidden", code=10010101003)
            repo = state.repos.get(rid)
            if repo is None:
                return self.ms_json(404, message="model " + rid + " not exists", code=10010205001)
            q = urllib.parse.parse_qs(query)
            if what == "revisions":
                created = 1700000000
                commit = {} if state.fault("nocommit", path) else {"CommitId": repo.sha}
                return self.ms_json(200, {"RevisionMap": {
                    "Branches": [dict({"Revision": "master", "CreatedAt": created}, **commit)],
                    "Tags": [dict({"Revision": "v1.0", "CreatedAt": created + 10}, **commit)]}})
            rev = q.get("Revision", ["master"])[0]
            if rev not in ("master", "v1.0", repo.sha):
                return self.ms_json(404, message="revision " + rev + " not exists", code=10010205001)
            if what == "repo/files":
                files = []
                for e in self.entries(repo, path):
                    if e["type"] != "file":
                        continue
                    sha = e["lfs"]["oid"] if "lfs" in e else (repo.meta(e["path"])["sha256"] if e["path"] in repo.files else "0" * 64)
                    files.append({"Name": e["path"].rsplit("/", 1)[-1], "Path": e["path"], "Type": "blob", "Size": e["size"],
                                  "Sha256": sha, "Revision": repo.sha, "IsLFS": "lfs" in e})
                files.append({"Name": "sub", "Path": "sub", "Type": "tree", "Size": 0, "Sha256": None, "Revision": repo.sha})
                return self.ms_json(200, {"Files": files})
            if what == "repo":
                rel = q.get("FilePath", [""])[0]
                if rel not in repo.files:
                    return self.ms_json(404, message="file " + rel + " not exists", code=10010205001)
                m = repo.meta(rel)
                if m["lfs"]:
                    port = self.server.server_address[1]
                    return self.redirect("http://localhost:%d/lfs/%s/%s/%s" % (port, m["sha256"], repo.id, urllib.parse.quote(rel)))
                return self.serve_file(repo, rel)
            return self.ms_json(404, message="unknown route", code=10010205001)

        def github(self, path):
            # GitHub's REST API subset torch.hub-style clients use, and codeload's archives.
            parts = path.split("/")
            if parts[1] == "codeload":  # /codeload/o/r/legacy.tar.gz/sha
                repo = state.repos.get(parts[2] + "/" + parts[3])
                if repo is None or len(parts) < 6 or parts[5] != repo.sha:
                    return self.json(404, {"message": "Not Found"})
                buf = io.BytesIO()
                top = "%s-%s-%s" % (parts[2], parts[3], repo.sha[:7])
                with tarfile.open(fileobj=buf, mode="w:gz") as tar:
                    for rel in repo.files:
                        tar.add(os.path.join(repo.folder, rel), arcname=top + "/" + rel)
                return self.send_body(200, buf.getvalue(), ctype="application/x-gzip")
            repo = state.repos.get(parts[2] + "/" + parts[3]) if len(parts) >= 4 else None
            if repo is None:
                return self.json(404, {"message": "Not Found"})
            if len(parts) == 4:
                return self.json(200, {"full_name": repo.id, "default_branch": "main"})
            what = parts[4]
            ref = "/".join(parts[5:])
            if ref not in ("main", repo.sha):
                return self.json(404 if what == "tarball" else 422, {"message": "No commit found for SHA: " + ref})
            if what == "commits":
                return self.json(200, {"sha": repo.sha})
            if what == "tarball":
                port = self.server.server_address[1]
                return self.redirect("http://localhost:%d/codeload/%s/legacy.tar.gz/%s" % (port, repo.id, repo.sha))
            return self.json(404, {"message": "Not Found"})

        def serve_file(self, repo, rel):
            p = os.path.join(repo.folder, rel)
            size = os.path.getsize(p)
            rng = self.headers.get("Range")
            if state.fault("gzip", rel):
                return self.send_body(200, state.bomb, ctype="application/octet-stream", headers={"Content-Encoding": "gzip"})
            start, end = 0, size
            partial = False
            if rng and rng.startswith("bytes=") and not state.fault("norange", rel):
                a, _, b = rng[6:].partition("-")
                start = int(a)
                end = min(size, int(b) + 1) if b else size
                if start >= size or start >= end:
                    return self.send_body(416, b"", headers={"Content-Range": "bytes */%d" % size})
                partial = True
            with open(p, "rb") as fh:
                fh.seek(start)
                body = fh.read(end - start)
            headers = {"ETag": '"%s"' % repo.meta(rel)["sha256"], "Accept-Ranges": "bytes"}
            if partial:
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, end - 1, size)
            status = 206 if partial else 200
            if state.fault("truncate", rel):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if state.fault("stall", rel):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.flush()
                time.sleep(30)
                self.close_connection = True
                return
            if state.fault("badlength", rel):
                self.send_response(status)
                self.send_header("Content-Length", str(max(0, len(body) - 7)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True
                return
            self.send_body(status, body, ctype="application/octet-stream", headers=headers)

    return H


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", action="append", default=[], help="org/name=DIR")
    ap.add_argument("--fault", action="append", default=[], help="KIND:MATCH[:COUNT] (rename: KIND:MATCH:new/id)")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    repos = {}
    for spec in a.repo:
        rid, _, folder = spec.partition("=")
        repos[rid] = Repo(rid, folder)
    faults = []
    for spec in a.fault:
        kind, _, rest = spec.partition(":")
        match, _, count = rest.partition(":")
        if kind == "rename":
            faults.append([kind, match, None, count])
        else:
            faults.append([kind, match, int(count) if count else None, None])
    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            # Clients that give up on a faulty answer (the point of the faults) are not errors.
            if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                super().handle_error(request, client_address)

    server = Server(("127.0.0.1", a.port), make_handler(State(repos, faults)))
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
