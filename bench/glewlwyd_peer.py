#!/usr/bin/python3
"""glewlwyd (Debian's package, `apt-get install glewlwyd`) as the side-by-side peer of the password
sign-in benchmark (bench/run_signin.py).

start() writes a config in a temporary directory: SQLite database initialised from the schema the
package ships (SCHEMAS: the "database" user backend and the default administrator admin/password),
127.0.0.1 on a free port, HTTPS with the given certificate (run_signin.py passes Atrium's own
self-signed one, so both servers pay for the same TLS) or plain HTTP without one, no static files.
It signs in as the administrator and creates the users through the admin API (POST /api/user/),
so their passwords are hashed the way glewlwyd hashes them; password_hash() reads the scheme back
from the database. sign_in() is one password sign-in: POST /api/auth/ {"username", "password"}
-> 200 with the GLEWLWYD2_SESSION_ID cookie (401 for a wrong password).

The hash (glewlwyd 2.7, src/user/database.c with an SQLite backend): PBKDF2-HMAC-SHA256 (nettle),
16-character random salt, 32-byte key, stored as base64(key || salt) + ",<iterations>"; the
iterations are the user module's "pbkdf2-iterations" parameter, default 150000
(G_PBKDF2_ITERATOR_DEFAULT). MariaDB and PostgreSQL backends use the database's own PASSWORD() /
crypt(bf) instead.

Each sign-in writes its session to SQLite with fsyncs: with the database on disk most of a
1-client sign-in's latency is I/O wait (p50 68 ms against 22 ms on /dev/shm, ~23 ms CPU either
way), so CPU per sign-in is the figure to compare; Atrium's data directory is on the same disk.

Standalone check: /usr/bin/python3 bench/glewlwyd_peer.py [--sign-ins 20] [--users 5] [--plain-http]
"""
import base64
import gzip
import os
import pathlib
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

# The same SQL twice in the package; the copy under /usr/share/doc is gone where docs are path-excluded.
SCHEMAS = (pathlib.Path("/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz"),
           pathlib.Path("/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3"))
MODULES = pathlib.Path("/usr/lib/glewlwyd")
SESSION_COOKIE = "GLEWLWYD2_SESSION_ID"
HEADERS = {"Content-Type": "application/json"}


def unavailable():
    """None if the peer can run here, else the reason it cannot."""
    if shutil.which("glewlwyd") is None:
        return "glewlwyd is not installed (scripts/install-deps --bench installs Debian's package)"
    if schema() is None:
        return f"no SQLite schema at {' or '.join(map(str, SCHEMAS))} (glewlwyd package incomplete?)"
    if not (MODULES / "user" / "libusermoddatabase.so").exists():
        return f"{MODULES / 'user' / 'libusermoddatabase.so'} is missing (glewlwyd package incomplete?)"
    return None


def schema():
    for p in SCHEMAS:
        if p.exists():
            return p
    return None


def version():
    r = subprocess.run(["glewlwyd", "--version"], capture_output=True, text=True)
    return (r.stdout.strip().splitlines() or ["?"])[-1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    def __init__(self, proc, base, users, db, workdir):
        self.proc, self.base, self.users, self.db, self.workdir = proc, base, users, db, workdir

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _post(s, url, body):
    return s.post(url, json=body, headers=HEADERS, verify=False, timeout=60)


def sign_in(s, base, user, password):
    """One password sign-in on a fresh (cookie-less) session; True if glewlwyd set its session cookie."""
    r = _post(s, base + "/api/auth/", {"username": user, "password": password})
    if r.status_code != 200:
        raise RuntimeError(f"/api/auth/: {r.status_code} {r.text[:300]}")
    return SESSION_COOKIE in s.cookies


def start(workdir, users, password_format, cert=None, key=None):
    """Starts glewlwyd in workdir with len(users) users (password_format.format(i) for users[i]).

    cert/key: PEM files for HTTPS; without them glewlwyd listens on plain HTTP. Returns a Peer."""
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "glewlwyd.sqlite3"
    with sqlite3.connect(db) as c:
        sql = schema().read_bytes()
        c.executescript((gzip.decompress(sql) if sql[:2] == b"\x1f\x8b" else sql).decode())
    port = free_port()
    scheme = "https" if cert else "http"
    base = f"{scheme}://127.0.0.1:{port}"
    tls = (f'use_secure_connection=true\nsecure_connection_key_file="{key}"\n'
           f'secure_connection_pem_file="{cert}"\n') if cert else ""
    conf = workdir / "glewlwyd.conf"
    conf.write_text(f"""# written by bench/glewlwyd_peer.py
port={port}
bind_address="127.0.0.1"
external_url="{base}"
login_url="login.html"
api_prefix="api"
log_mode="console"
log_level="WARNING"
cookie_secure={1 if cert else 0}
session_key="{SESSION_COOKIE}"
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="{MODULES / 'user'}"
client_module_path="{MODULES / 'client'}"
user_auth_scheme_module_path="{MODULES / 'scheme'}"
plugin_module_path="{MODULES / 'plugin'}"
hash_algorithm="SHA512"
{tls}database = {{ type = "sqlite3"; path = "{db}"; }};
""")
    log = open(workdir / "glewlwyd.log", "w")
    proc = subprocess.Popen(["glewlwyd", f"--config-file={conf}"], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    peer = Peer(proc, base, list(users), db, workdir)
    try:
        deadline = time.time() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError("glewlwyd exited: " + (workdir / "glewlwyd.log").read_text()[-2000:])
            try:
                if requests.get(base + "/config", verify=False, timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.time() > deadline:
                raise RuntimeError("glewlwyd did not answer on " + base)
            time.sleep(0.1)
        with requests.Session() as admin:
            if not sign_in(admin, base, "admin", "password"):
                raise RuntimeError("admin sign-in set no session cookie")
            for i, name in enumerate(peer.users):
                r = _post(admin, base + "/api/user/", {"username": name, "password": password_format.format(i),
                                                       "scope": ["g_profile"], "name": name, "enabled": True})
                if r.status_code != 200:
                    raise RuntimeError(f"POST /api/user/ {name}: {r.status_code} {r.text[:300]}")
        return peer
    except BaseException:
        peer.stop()
        raise


def password_hash(peer, user):
    """The scheme of user's stored password, read back from glewlwyd's database."""
    with sqlite3.connect(peer.db) as c:
        row = c.execute("SELECT p.guw_password FROM g_user_password p JOIN g_user u ON u.gu_id = p.gu_id "
                        "WHERE u.gu_username = ?", (user,)).fetchone()
    if not row:
        return {"algorithm": "unknown"}
    stored, _, iterations = row[0].partition(",")
    raw = base64.b64decode(stored)
    return {"algorithm": "PBKDF2-HMAC-SHA256", "iterations": int(iterations or 1000),
            "key_bytes": len(raw) - 16, "salt_bytes": 16}


def describe(h):
    if h.get("algorithm") != "PBKDF2-HMAC-SHA256":
        return h.get("algorithm", "unknown")
    return f"PBKDF2-HMAC-SHA256 {h['iterations']} iterations ({h['key_bytes']}-byte key, {h['salt_bytes']}-byte salt)"


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=5)
    ap.add_argument("--sign-ins", type=int, default=20)
    ap.add_argument("--plain-http", action="store_true")
    a = ap.parse_args()
    why = unavailable()
    if why:
        raise SystemExit("glewlwyd peer skipped: " + why)
    with tempfile.TemporaryDirectory(prefix="atrium-glewlwyd-") as d:
        cert = key = None
        if not a.plain_http:
            cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
                           check=True, capture_output=True)
        names = [f"bench-{i}" for i in range(a.users)]
        pw = "Bench-Password-{}-x9"
        peer = start(os.path.join(d, "g"), names, pw, cert, key)
        try:
            print(f"glewlwyd {version()} at {peer.base}; {describe(password_hash(peer, names[0]))}")
            s, lat, t0 = requests.Session(), [], time.time()
            c0 = _cpu(peer.pid)
            for i in range(a.sign_ins):
                s.cookies.clear()
                t = time.perf_counter()
                assert sign_in(s, peer.base, names[i % len(names)], pw.format(i % len(names)))
                lat.append((time.perf_counter() - t) * 1000)
            cpu, wall = _cpu(peer.pid) - c0, time.time() - t0
            s.cookies.clear()
            try:
                sign_in(s, peer.base, names[0], "wrong")
                raise SystemExit("a wrong password was accepted")
            except RuntimeError as e:
                assert " 401 " in str(e), e
            lat.sort()
            print(f"{len(lat)} sign-ins in {wall:.2f} s: {len(lat) / wall:.1f}/s, p50 {lat[len(lat) // 2]:.1f} ms, "
                  f"max {lat[-1]:.1f} ms, server CPU {cpu * 1000 / len(lat):.1f} ms per sign-in; wrong password -> 401")
        finally:
            peer.stop()


def _cpu(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
