#!/usr/bin/python3
"""One command for the SCIM benchmark: Atrium and a scimmy (npm) server side by side.

Starts Atrium (HTTPS with its self-signed certificate, SQLite with synchronous=FULL, throttling
lifted, SCIM enabled with a fresh bearer token) and bench/scimmy_peer (Node.js, scimmy +
scimmy-routers on express, in-memory storage, HTTPS with Atrium's certificate; `npm ci` first
when needed), runs build/bench/scim_sync_load against each (an IdP's first sync, a count check,
steady-state PATCHes), prints a table with the Atrium/scimmy ratio and writes
bench/results/scim-latest.json. Everything runs on 127.0.0.1, one server at a time.

Usage: make bench-scim   (or: /usr/bin/python3 bench/run_scim.py --atrium build/atrium [--quick])
"""
import argparse
import json
import os
import pathlib
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
PEER = REPO / "bench" / "scimmy_peer"
ROWS = [  # (phase, request kind or None for the phase as a whole, label)
    ("users", None, "users phase"), ("users", "GET /Users?filter", "  GET /Users?filter"),
    ("users", "POST /Users", "  POST /Users"),
    ("groups", None, "groups phase"), ("groups", "POST /Groups", "  POST /Groups"),
    ("groups", "PATCH /Groups (add members)", "  PATCH /Groups +members"),
    ("sync", None, "first sync, all"),
    ("steady", None, "steady state"), ("steady", "PATCH /Users", "  PATCH /Users"),
    ("steady", "PATCH /Groups (1 member)", "  PATCH /Groups 1 member"),
]


def wait_file(path, proc, what, timeout=60):
    deadline = time.time() + timeout
    while not path.exists() or not path.read_text().strip():
        if time.time() > deadline or proc.poll() is not None:
            raise SystemExit(f"{what} did not start")
        time.sleep(0.05)
    return int(path.read_text())


def start_atrium(binary, data, preload=None):
    # Someone may be rebuilding the binary: give it a minute to come back.
    for _ in range(60):
        if os.access(binary, os.X_OK):
            break
        time.sleep(1)
    scim = json.loads(subprocess.run([binary, "admin", "scim", "enable", "--data-dir", data, "--json"],
                                     check=True, capture_output=True, text=True).stdout)
    port_file = pathlib.Path(data) / "port"
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--set", "server.port=0",
                             "--set", f"port_file={port_file}", "--set", "log_level=warn",
                             "--set", "throttle.default_rate=100000000", "--set", "throttle.default_burst=100000000"],
                            stdout=subprocess.DEVNULL, stderr=open(pathlib.Path(data) / "server.log", "w"),
                            env={**os.environ, "LD_PRELOAD": preload} if preload else None)
    return proc, wait_file(port_file, proc, "atrium"), scim["AccessToken"]


def npm_ci():
    """Installs the peer's locked dependencies unless node_modules already matches the lock."""
    stamp = PEER / "node_modules" / ".package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= (PEER / "package-lock.json").stat().st_mtime:
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEER, check=True)


def start_peer(data, tls):
    token = secrets.token_hex(16)
    port_file = pathlib.Path(data) / "peer-port"
    args = ["node", str(PEER / "server.js"), "--token", token, "--port-file", str(port_file)]
    if tls:  # Atrium's own self-signed certificate: both servers pay for the same TLS
        args += ["--cert", str(pathlib.Path(data) / "tls" / "cert.pem"), "--key", str(pathlib.Path(data) / "tls" / "key.pem")]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(pathlib.Path(data) / "peer.log", "w"))
    return proc, wait_file(port_file, proc, "scimmy peer"), token


def revision(binary):
    """The commit the tree was at, whether it had local changes, and when the binary was built."""
    def git(*a):
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()
    built = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(os.path.getmtime(binary)))
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "binary_built": built}


def peak_rss_mb(pid):
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    """User + system CPU time of a process, all its threads."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def load(gen, port, tls, token, args, users, groups, server_pid, perf_out=None):
    cmd = [gen, "--endpoint", f"127.0.0.1:{port}", "--token", token, "--users", str(users), "--groups", str(groups),
           "--clients", str(args.clients), "--batch", str(args.batch), "--steady-seconds", str(args.steady),
           "--phase-timeout", str(args.phase_timeout), "--seed", str(args.seed)]
    if tls:
        cmd.append("--tls")
    perf = None
    if perf_out:  # the whole run of this generator, sync and steady state
        perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(server_pid), "-o", perf_out],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The server's CPU sampled every 50 ms, so that each phase gets its share (the generator
    # reports each phase's length; the phases run back to back from its start).
    samples, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            samples.append((time.time(), cpu_seconds(server_pid)))
            stop.wait(0.05)

    cpu_before, wall_before = cpu_seconds(server_pid), time.time()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = subprocess.run(cmd, capture_output=True, text=True)
    stop.set()
    sampler.join()
    cpu_after, wall = cpu_seconds(server_pid), time.time() - wall_before
    if perf:
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=120)
    sys.stderr.write(out.stderr)
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-500:]}
    r = json.loads(out.stdout.strip().splitlines()[-1])
    # Server CPU over the whole run (sync, check, steady state): how busy the server was.
    if cpu_before is not None and cpu_after is not None:
        r["server_cpu_s"], r["wall_s"] = cpu_after - cpu_before, wall
    r["peak_rss_mb"] = peak_rss_mb(server_pid)
    phase_cpu(r, samples, wall_before)
    return r


def phase_cpu(r, samples, start):
    """Server CPU per request of the users and groups phases, from the /proc samples (the first
    sample after each phase's end; the generator's own start-up is a few ms, so the boundaries
    are within one sample)."""
    def cpu_at(t):
        return next((c for (ts, c) in samples if ts >= t and c is not None), None)
    t = start
    for name in ("users", "groups"):
        p = r["phases"].get(name)
        if not p or not p.get("requests"):
            continue
        a, b = cpu_at(t), cpu_at(t + p["seconds"])
        t += p["seconds"]
        if a is not None and b is not None:
            p["server_cpu_s"] = b - a
            p["server_cpu_us_per_request"] = (b - a) * 1e6 / p["requests"]


def row_stats(result, phase, kind):
    if "error" in result:
        return None
    p = result["sync"] if phase == "sync" else result["phases"].get(phase)
    if p is None:
        return None
    if kind is None:
        return p
    k = p["kinds"].get(kind)
    return k and {**k, "seconds": p["seconds"], "errors": None}


def print_table(a, s, scimmy_scale):
    def cells(x):
        if x is None:
            return f"{'-':>8}{'-':>7}{'-':>8}{'-':>8}{'-':>9}{'-':>9}{'-':>5}"
        items = f"{x['items_per_s']:8.0f}" if "items_per_s" in x else f"{'':>8}"
        err = "" if x.get("errors") is None else str(x["errors"])
        return (f"{x['requests']:>8}{x['seconds']:7.1f}{x['req_per_s']:8.0f}{items}"
                f"{x['p50_ms']:9.2f}{x['p99_ms']:9.1f}{err:>5}")
    head = f"{'reqs':>8}{'s':>7}{'req/s':>8}{'items/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'err':>5}"
    print(f"{'':<26}{'Atrium':^54}|{'scimmy' + scimmy_scale:^54}|")
    print(f"{'':<26}{head}|{head}|{'ratio':>7}")
    for phase, kind, label in ROWS:
        x, y = row_stats(a, phase, kind), row_stats(s, phase, kind)
        ratio = f"{x['req_per_s'] / y['req_per_s']:7.1f}" if x and y and y["req_per_s"] else f"{'-':>7}"
        print(f"{label:<26}{cells(x)}|{cells(y)}|{ratio}")
    print("items: users created (users phase, first sync), groups created (groups phase), changes (steady state);"
          " ratio: Atrium req/s / scimmy req/s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--generator", default=None)
    ap.add_argument("--quick", action="store_true", help="5,000 users / 1,000 groups, 5 s steady state")
    ap.add_argument("--users", type=int, default=50_000)
    ap.add_argument("--groups", type=int, default=10_000)
    ap.add_argument("--scimmy-users", type=int, default=None, help="scale the scimmy run down (default: same as Atrium)")
    ap.add_argument("--scimmy-groups", type=int, default=None)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--batch", type=int, default=100, help="members per PATCH in the first sync")
    ap.add_argument("--steady", type=float, default=15.0, help="seconds of steady-state PATCHes")
    ap.add_argument("--phase-timeout", type=float, default=600.0, help="cap per sync phase, seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plain-http-peer", action="store_true", help="scimmy over HTTP instead of HTTPS")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--server-preload", metavar="LIB",
                    help="LD_PRELOAD for the atrium server only (e.g. a malloc), never the load generator")
    ap.add_argument("--perf", metavar="FILE", help="perf record -g the atrium process during its run into FILE")
    args = ap.parse_args()
    if args.quick:
        args.users, args.groups, args.steady = 5_000, 1_000, 5.0
    su = args.scimmy_users or args.users
    sg = args.scimmy_groups or args.groups
    gen = args.generator or str(pathlib.Path(args.atrium).parent / "bench" / "scim_sync_load")
    if not args.no_peer:
        npm_ci()

    with tempfile.TemporaryDirectory(prefix="atrium-scim-bench-") as data:
        atrium, port, token = start_atrium(args.atrium, data, args.server_preload)
        try:
            print(f"atrium: {args.users} users, {args.groups} groups, {args.clients} connections ...", flush=True)
            a = load(gen, port, True, token, args, args.users, args.groups, atrium.pid, args.perf)
        finally:
            atrium.send_signal(signal.SIGTERM)
            atrium_code = atrium.wait(timeout=120)
        s = {"error": "not run (--no-peer)"}
        if not args.no_peer:
            peer, peer_port, peer_token = start_peer(data, not args.plain_http_peer)
            try:
                print(f"scimmy: {su} users, {sg} groups, {args.clients} connections ...", flush=True)
                s = load(gen, peer_port, not args.plain_http_peer, peer_token, args, su, sg, peer.pid)
            finally:
                peer.send_signal(signal.SIGTERM)
                try:
                    peer.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    peer.kill()
                    peer.wait()
        server_log = (pathlib.Path(data) / "server.log").read_text()[-2000:]

    head = next((r for r in (a, s) if "planned_memberships" in r), None)
    if head:
        plan = head["plan"]
        print(f"\nSCIM first sync: {head['users']} users, {head['groups']} groups, {head['planned_memberships']} "
              f"memberships (each user in {head['groups_per_user']} groups drawn with Zipf weights; group sizes: "
              f"largest {', '.join(map(str, plan['largest']))}, {plan['groups_over_1000']} over 1000, median {plan['size_p50']}, "
              f"p99 {plan['size_p99']}, {plan['empty_groups']} empty), {head['batch']} members per PATCH, "
              f"{head['clients']} connections; steady state {args.steady:g} s")
    scale = "" if (su, sg) == (args.users, args.groups) else f" ({su}u/{sg}g)"
    print_table(a, s, scale)
    for name, r in (("atrium", a), ("scimmy", s)):
        if "error" in r:
            print(f"{name}: {r['error']}")
            continue
        sync = r["sync"]
        print(f"{name}: first sync {sync['seconds']:.1f} s ({'complete' if sync['complete'] else 'INCOMPLETE: phase cap hit'}),"
              f" {r['users'] / sync['seconds'] if sync['complete'] else sync['items'] / sync['seconds']:.0f} users/s"
              f" over the whole sync, p99 {sync['p99_ms']:.1f} ms; verify {r['verify']};"
              f" server CPU {r.get('server_cpu_s', 0):.0f} s in {r.get('wall_s', 0):.0f} s; peak RSS {r['peak_rss_mb'] or 0:.0f} MB")
        per_phase = [f"{n} phase {r['phases'][n]['server_cpu_us_per_request']:.0f} us ({r['phases'][n]['server_cpu_s']:.1f} s)"
                     for n in ("users", "groups") if "server_cpu_us_per_request" in r["phases"].get(n, {})]
        if per_phase:
            print(f"{name}: server CPU per request (/proc utime+stime): {', '.join(per_phase)}")
        for phase in r["phases"].values():
            for e in phase.get("first_errors", []):
                print(f"  {name} error: {e}")
    if "sync" in a and "sync" in s and a["sync"]["complete"] and s["sync"]["complete"] and (su, sg) == (args.users, args.groups):
        print(f"first sync time ratio (scimmy s / Atrium s): {s['sync']['seconds'] / a['sync']['seconds']:.1f}")
    if "sync" in a:
        aim = a["sync"]["complete"] and a["sync"]["seconds"] < 60 and a["sync"]["errors"] == 0
        print(f"aim (50k/10k sync under 60 s): {'met' if aim and args.users >= 50_000 else 'not met' if args.users >= 50_000 else 'n/a (scaled run)'}")
    print(f"atrium exited with {atrium_code}")
    if atrium_code != 0:
        print(server_log)

    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scim-latest.json").write_text(json.dumps({"args": vars(args), "revision": revision(args.atrium),
                                                      "atrium": a, "scimmy": s}, indent=1))
    print("results in bench/results/scim-latest.json")
    errors = sum(r.get("sync", {}).get("errors", 0) + r.get("phases", {}).get("steady", {}).get("errors", 0)
                 + r.get("verify", {}).get("errors", 0) for r in (a, s))
    return 1 if errors or "error" in a else 0


if __name__ == "__main__":
    sys.exit(main())
