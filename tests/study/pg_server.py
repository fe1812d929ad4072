#!/usr/bin/env python3
"""A throwaway PostgreSQL server for the study tests and bench: initdb + pg_ctl into a temporary
folder, a free loopback port, the unix socket in that folder, trust authentication for one user.
Running as root, the server runs as `nobody` (initdb and postgres refuse root).

As a script: `pg_server.py start DIR` prints the postgresql:// URI and leaves the server running;
`pg_server.py stop DIR` stops it (bench/study_bench uses this)."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

USER = "modelgate"


def find_bindir():
    for d in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) if os.path.isdir("/usr/lib/postgresql") else []:
        b = os.path.join("/usr/lib/postgresql", d, "bin")
        if os.path.exists(os.path.join(b, "initdb")) and os.path.exists(os.path.join(b, "pg_ctl")):
            return b
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Unavailable(Exception):
    """No server can run here (the reason says why); tests report SKIP with it."""


class Server:
    def __init__(self, root=None):
        self.bindir = find_bindir()
        if self.bindir is None:
            raise Unavailable("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                              "(Debian package postgresql)")
        self.root = root or tempfile.mkdtemp(prefix="mg_pg_")
        os.makedirs(self.root, exist_ok=True)
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.prefix = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise Unavailable("running as root and runuser is missing: cannot start postgres as a non-root user")
            self.prefix = ["runuser", "-u", "nobody", "--"]
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "nobody")
        self.uri = "postgresql://%s@127.0.0.1:%d/postgres" % (USER, self.port)

    def _run(self, *args):
        p = subprocess.run(self.prefix + list(args), capture_output=True, text=True, timeout=120, cwd=self.root)
        if p.returncode != 0:
            raise Unavailable("%s failed (%d): %s" % (os.path.basename(args[0]), p.returncode, (p.stderr or p.stdout).strip()[-400:]))
        return p

    def start(self):
        self._run(os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", USER, "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" % (self.port, self.root)
        self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-o", opts, "-l",
                  os.path.join(self.root, "server.log"), "-w", "-t", "60", "start")
        return self

    def stop(self):
        subprocess.run(self.prefix + [os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=120, cwd=self.root)

    def psql(self, sql):
        """Rows of a query as lists of strings (psql, unaligned, tab-separated)."""
        p = subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-q", "-At", "-F", "\t", "-h", "127.0.0.1", "-p",
                            str(self.port), "-U", USER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("psql: %s\n%s" % (sql, p.stderr))
        return [line.split("\t") for line in p.stdout.splitlines() if line]


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: pg_server.py start|stop DIR")
    s = Server(os.path.abspath(sys.argv[2]))
    if sys.argv[1] == "start":
        try:
            s.start()
        except Unavailable as e:
            sys.exit("cannot start PostgreSQL: %s" % e)
        print(s.uri)
    else:
        s.stop()
