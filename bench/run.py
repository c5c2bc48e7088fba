#!/usr/bin/python3
"""One command for the identitystore benchmark: Atrium, moto_server and glewlwyd side by side.

Starts Atrium (HTTPS, SQLite with synchronous=FULL, throttling lifted), moto_server (the pyenv
Python on PATH carries moto) and glewlwyd 2.7 (Debian's C SSO server, bench/glewlwyd_peer.py:
SQLite, HTTPS with Atrium's own certificate; issue 18 item 1), runs bench/identitystore_load
against each for CreateUser, DescribeUser, ListUsers and CreateGroupMembership with 1, 8 and 64
clients (glewlwyd through its admin REST API with the administrator's session cookie: POST
/api/user/ without a password, GET /api/user/<name>, GET /api/user/?limit=100; it has no group
membership call), prints a table with the ratios and each server's CPU time per request (utime +
stime from /proc, in µs), and writes bench/results/latest.json. Everything runs on 127.0.0.1.
glewlwyd is skipped, with the reason, when it is not installed (scripts/install-deps --bench).

Usage: make bench   (or: /usr/bin/python3 bench/run.py --atrium build/atrium [--duration 5] [--quick]
                     [--operations DescribeUser,CreateUser] [--clients 1,8])
"""
import argparse
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import glewlwyd_peer  # noqa: E402
OPERATIONS = ["CreateUser", "DescribeUser", "ListUsers", "CreateGroupMembership"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port} after {timeout}s")


def start_atrium(binary, data):
    key = json.loads(subprocess.run([binary, "admin", "create-access-key", "--json", "--data-dir", data],
                                    check=True, capture_output=True, text=True).stdout)
    port_file = pathlib.Path(data) / "port"
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--set", "server.port=0",
                             "--set", f"port_file={port_file}", "--set", "throttle.default_rate=100000000",
                             "--set", "log_level=warn"],
                            stdout=subprocess.DEVNULL, stderr=open(pathlib.Path(data) / "server.log", "w"))
    deadline = time.time() + 30
    while not port_file.exists():
        if time.time() > deadline or proc.poll() is not None:
            raise SystemExit("atrium did not start")
        time.sleep(0.05)
    return proc, int(port_file.read_text()), key


def start_moto():
    exe = shutil.which("moto_server") or os.path.expanduser("~/.pyenv/shims/moto_server")
    if not os.path.exists(exe):
        return None, None
    port = free_port()
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc, port


def load(gen, endpoint, tls, key, secret, store, op, clients, duration, pid=None, extra=()):
    """One cell; with pid, the server's CPU time over the timed phase (the generator reads
    /proc/<pid>/stat before and after it, so the setup's users and groups are left out)."""
    args = [gen, "--endpoint", endpoint, "--access-key", key, "--secret-key", secret,
            "--identity-store-id", store, "--operation", op, "--clients", str(clients),
            "--duration", str(duration), *extra]
    if tls:
        args.append("--tls")
    if pid:
        args += ["--server-pid", str(pid)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=duration * 4 + 600)
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-300:]}
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if r.get("server_cpu_seconds") is not None and r.get("requests"):
        r["cpu_us_per_request"] = r["server_cpu_seconds"] / r["requests"] * 1e6
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--generator", default=None)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--quick", action="store_true", help="1 and 8 clients, 2 s each")
    ap.add_argument("--operations", default=",".join(OPERATIONS), help="comma-separated subset")
    ap.add_argument("--clients", default=None, help="comma-separated client counts (default 1,8,64)")
    args = ap.parse_args()
    gen = args.generator or str(pathlib.Path(args.atrium).parent / "bench" / "identitystore_load")
    clients = [1, 8] if args.quick else [1, 8, 64]
    if args.clients:
        clients = [int(c) for c in args.clients.split(",")]
    operations = [o for o in args.operations.split(",") if o]
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} at the start")
    duration = 2.0 if args.quick else args.duration

    results = []
    with tempfile.TemporaryDirectory(prefix="atrium-bench-") as data:
        atrium, port, key = start_atrium(args.atrium, data)
        moto, moto_port = start_moto()
        glew, glew_cookie, glew_why = start_glewlwyd(data)
        if glew_why:
            print(f"glewlwyd skipped: {glew_why}")
        try:
            for op in operations:
                for n in clients:
                    a = load(gen, f"127.0.0.1:{port}", True, key["AccessKeyId"], key["SecretAccessKey"],
                             key["IdentityStoreId"], op, n, duration, atrium.pid)
                    m = load(gen, f"127.0.0.1:{moto_port}", False, "AKIAMOTO", "moto", "d-1234567890",
                             op, n, duration, moto_pid(moto)) if moto else {"error": "moto_server not found"}
                    ratio = a.get("throughput", 0) / m["throughput"] if m.get("throughput") else None
                    g = {"error": glew_why or "no glewlwyd counterpart"}
                    if glew and op != "CreateGroupMembership":
                        g = load(gen, glew.base.split("://")[1], True, "none", "none", "glewlwyd", op, n, duration, glew.pid,
                                 ["--peer", "glewlwyd", "--cookie", glew_cookie])
                    results.append({"operation": op, "clients": n, "atrium": a, "moto": m, "glewlwyd": g,
                                    "ratio": ratio,
                                    "ratio_glewlwyd": a.get("throughput", 0) / g["throughput"]
                                    if g.get("throughput") else None})
                    print_row(results[-1])
                    sys.stdout.flush()
        finally:
            atrium.send_signal(signal.SIGTERM)
            code = atrium.wait(timeout=60)
            if moto:
                moto.terminate()
                moto.wait(timeout=30)
            if glew:
                glew.stop()
        out = REPO / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "latest.json").write_text(json.dumps({"duration_s": duration, "results": results}, indent=1))
        print(f"atrium exited with {code}; results in bench/results/latest.json; "
              f"load average {os.getloadavg()[0]:.2f} at the end")


def start_glewlwyd(data):
    """glewlwyd on Atrium's certificate, and its administrator's session cookie; or the reason not."""
    why = glewlwyd_peer.unavailable()
    if why:
        return None, None, why
    cert, key = pathlib.Path(data) / "tls" / "cert.pem", pathlib.Path(data) / "tls" / "key.pem"
    if not (cert.exists() and key.exists()):
        return None, None, f"no Atrium certificate at {cert} to serve glewlwyd with"
    try:
        peer = glewlwyd_peer.start(pathlib.Path(data) / "glewlwyd", [], "-", cert, key)
    except Exception as e:  # noqa: BLE001 - Atrium and moto still run
        return None, None, f"glewlwyd failed to start: {str(e)[:300]}"
    import requests
    with requests.Session() as s:
        if not glewlwyd_peer.sign_in(s, peer.base, "admin", "password"):
            peer.stop()
            return None, None, "glewlwyd's administrator sign-in set no cookie"
        cookie = f"{glewlwyd_peer.SESSION_COOKIE}={s.cookies[glewlwyd_peer.SESSION_COOKIE]}"
    return peer, cookie, None


def moto_pid(proc):
    """moto_server's Python process: the pyenv shim execs it, so it is the process we started."""
    return proc.pid


def print_row(r):
    a, m, g = r["atrium"], r["moto"], r["glewlwyd"]
    if not getattr(print_row, "header", False):
        print(f"{'operation':<22}{'clients':>8}{'atrium/s':>11}{'p50 ms':>8}{'p99 ms':>8}{'cpu µs':>8}"
              f"{'moto/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'cpu µs':>8}{'ratio':>8}"
              f"{'glewlwyd/s':>11}{'p50 ms':>8}{'p99 ms':>8}{'cpu µs':>8}{'ratio':>8}  errors")
        print_row.header = True
    def cell(x, k, fmt):
        return format(x[k], fmt) if k in x else "-"
    def ratio(k):
        return format(r[k], "8.1f") if r.get(k) else "       -"
    errs = "/".join(str(x.get('errors', x.get('error', ''))) for x in (a, m, g))
    print(f"{r['operation']:<22}{r['clients']:>8}{cell(a, 'throughput', '11.0f')}{cell(a, 'p50_ms', '8.2f')}"
          f"{cell(a, 'p99_ms', '8.2f')}{cell(a, 'cpu_us_per_request', '8.0f')}{cell(m, 'throughput', '9.0f')}"
          f"{cell(m, 'p50_ms', '8.2f')}{cell(m, 'p99_ms', '8.2f')}{cell(m, 'cpu_us_per_request', '8.0f')}{ratio('ratio')}"
          f"{cell(g, 'throughput', '11.0f')}{cell(g, 'p50_ms', '8.2f')}{cell(g, 'p99_ms', '8.2f')}"
          f"{cell(g, 'cpu_us_per_request', '8.0f')}{ratio('ratio_glewlwyd')}  {errs}")


if __name__ == "__main__":
    main()
