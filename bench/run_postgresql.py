#!/usr/bin/python3
"""SQLite (1 node) and PostgreSQL (1 node, 2 nodes behind HAProxy) side by side in one run
(issue 13 item 6; docs/PERFORMANCE.md "PostgreSQL").

For each deployment: bench/identitystore_load (CreateUser, DescribeUser; 1 and 8 clients) and
bench/scim_sync_load (a small first sync: POST /Users with 8 connections, groups, memberships,
then steady-state PATCHes). Per cell: req/s, p50/p99, and where the CPU went over the cell, read
from /proc: the Atrium node processes, the PostgreSQL server (postmaster and every backend) and
HAProxy, in µs per request. The PostgreSQL cluster is a throwaway one on this machine (Debian's
postgresql-15, fsync on, synchronous_commit on, as in production), started as atrium-test when
run as root; HAProxy runs deploy/haproxy/atrium.cfg.

Also counts the serialization failures PostgreSQL reported while the SCIM creates ran
(pg_stat_database.xact_rollback): the row_counts counter was the hot spot of concurrent creates
until migration 0021 striped it and the quota check moved out of the write.

Usage: make bench-postgresql   (or: /usr/bin/python3 bench/run_postgresql.py --atrium build/atrium
                                [--duration 4] [--users 2000] [--quick])
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from conftest import PG_BIN, Postgres, free_port  # noqa: E402  the tests' throwaway cluster

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pids):
    total = 0.0
    for pid in pids:
        try:
            f = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / TICK
        except OSError:
            pass
    return total


def children(pid):
    out = [pid]
    for p in pathlib.Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(p.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


class Deployment:
    def __init__(self, kind, nodes, tmp, binary, pg=None, pw=None):
        self.kind, self.binary, self.tmp = kind, binary, tmp
        self.procs, self.ports, self.haproxy = [], [], None
        self.pg = pg
        settings = ["--set", "log_level=warn", "--set", "throttle.default_rate=100000000",
                    "--set", "throttle.default_burst=100000000"]
        if pg:
            db = kind.replace("-", "_")
            pg.createdb(db)
            for k, v in pg.store_settings(db, pw).items():
                settings += ["--set", f"{k}={v}" if k != "store.postgresql.pool_size" else f"{k}=8"]
        self.settings = settings
        first = tmp / f"{kind}-1"
        first.mkdir()
        env = self.env(pg, pw, kind)
        run = lambda *a: json.loads(subprocess.run([binary, *a, "--data-dir", str(first)], env=env, check=True,
                                                   capture_output=True, text=True).stdout)
        self.key = run("admin", "create-access-key", "--json")
        self.scim_token = run("admin", "scim", "enable", "--json")["AccessToken"]
        for i in range(nodes):
            d = tmp / f"{kind}-{i + 1}"
            if i:  # the deployment's master key, and one certificate for the nodes (HAProxy trusts it)
                d.mkdir()
                shutil.copy2(first / "master.key", d / "master.key")
                shutil.copytree(first / "tls", d / "tls")
            self.start_node(d, env)
        self.endpoint_port = self.ports[0]
        if nodes > 1:
            self.start_haproxy()

    @staticmethod
    def env(pg, pw, kind):
        env = dict(os.environ)
        if pg:
            for k, v in pg.store_settings(kind.replace("-", "_"), pw).items():
                env["ATRIUM_" + k.upper().replace(".", "_")] = v
        return env

    def start_node(self, d, env):
        port_file = d / "port"
        proc = subprocess.Popen([self.binary, "serve", "--data-dir", str(d), "--set", "server.port=0",
                                 "--set", f"port_file={port_file}", *self.settings],
                                stdout=subprocess.DEVNULL, stderr=open(d / "server.log", "w"), env=env)
        deadline = time.time() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"node in {d} did not start: {(d / 'server.log').read_text()[-500:]}")
            time.sleep(0.05)
        self.procs.append(proc)
        self.ports.append(int(port_file.read_text()))

    def start_haproxy(self):
        nodes = [self.tmp / f"{self.kind}-{i + 1}" for i in range(len(self.procs))]
        ca = self.tmp / f"{self.kind}-ca.pem"
        ca.write_text((nodes[0] / "tls" / "cert.pem").read_text())
        front = self.tmp / f"{self.kind}-front.pem"
        front.write_text((nodes[0] / "tls" / "cert.pem").read_text() + (nodes[0] / "tls" / "key.pem").read_text())
        port = free_port()
        cfg = (REPO / "deploy" / "haproxy" / "atrium.cfg").read_text()
        cfg = cfg.replace("bind :443", f"bind 127.0.0.1:{port}").replace("/etc/haproxy/atrium.pem", str(front))
        cfg = cfg.replace("/etc/haproxy/atrium-nodes-ca.pem", str(ca))
        cfg = re.sub(r"(?m)^\s*server node\d .*\n", "", cfg)
        cfg += "".join(f"    server n{i} 127.0.0.1:{p}\n" for i, p in enumerate(self.ports))
        path = self.tmp / f"{self.kind}-haproxy.cfg"
        path.write_text(cfg)
        self.haproxy = subprocess.Popen([HAPROXY, "-db", "-f", str(path)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.endpoint_port = port
        time.sleep(2)  # two health checks pass (rise 2, inter 500 ms)

    def cpu(self):
        out = {"atrium": cpu_of(p.pid for p in self.procs)}
        if self.pg:
            out["postgres"] = cpu_of(children(self.pg_pid()))
        if self.haproxy:
            out["haproxy"] = cpu_of([self.haproxy.pid])
        return out

    def pg_pid(self):
        return int((self.pg.data / "postmaster.pid").read_text().split()[0])

    def stop(self):
        if self.haproxy:
            self.haproxy.terminate()
            self.haproxy.wait()
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)


def pg_rollbacks(pg, db):
    r = subprocess.run([*pg.as_owner, str(PG_BIN / "psql"), "-h", str(pg.root), "-p", str(pg.port), "-U", "atrium",
                        "-d", db, "-At", "-c", "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"],
                       capture_output=True, text=True)
    return int(r.stdout.strip() or 0)


def measure(dep, cmd, requests_of):
    before, t0 = dep.cpu(), time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    wall = time.time() - t0
    after = dep.cpu()
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-300:]}
    r = json.loads(out.stdout.strip().splitlines()[-1])
    n = requests_of(r) or 1
    r["cpu_us"] = {k: (after[k] - before[k]) / n * 1e6 for k in after}
    r["cpu_share"] = {k: (after[k] - before[k]) / wall for k in after}  # cores busy on average
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--duration", type=float, default=4.0)
    ap.add_argument("--users", type=int, default=2000, help="SCIM first sync size")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--deployments", default="sqlite-1,pg-1,pg-2")
    args = ap.parse_args()
    if args.quick:
        args.duration, args.users = 2.0, 500
    build = pathlib.Path(args.atrium).parent
    ids_gen, scim_gen = build / "bench" / "identitystore_load", build / "bench" / "scim_sync_load"
    why = Postgres.missing()
    if why:
        raise SystemExit(why)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start; {os.cpu_count()} cores")
    results = []
    with tempfile.TemporaryDirectory(prefix="atrium-pgbench-") as tmp:
        tmp = pathlib.Path(tmp)
        os.chmod(tmp, 0o755)
        pw = tmp / "pw"
        pw.write_text("bench-secret\n")
        os.chmod(pw, 0o600)
        pg = Postgres(tmp / "pg", "bench-secret")
        pg.start()
        # Production durability for the measurement (the tests' clusters run with fsync off).
        subprocess.run([*pg.as_owner, str(PG_BIN / "psql"), "-h", str(pg.root), "-p", str(pg.port), "-U", "atrium",
                        "-d", "postgres", "-c", "ALTER SYSTEM SET fsync = on", "-c", "SELECT pg_reload_conf()"],
                       check=True, capture_output=True)
        try:
            for kind in args.deployments.split(","):
                nodes = int(kind.split("-")[1])
                dep = Deployment(kind, nodes, tmp, args.atrium, pg if kind.startswith("pg") else None, pw)
                try:
                    run_cells(dep, kind, args, ids_gen, scim_gen, pg, results)
                finally:
                    dep.stop()
        finally:
            pg.stop()
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "postgresql-latest.json").write_text(json.dumps({"results": results}, indent=1))
    print(f"results in bench/results/postgresql-latest.json; load average {os.getloadavg()[0]:.2f} at the end")


def run_cells(dep, kind, args, ids_gen, scim_gen, pg, results):
    for op in ("CreateUser", "DescribeUser"):
        # CreateUser x64: concurrent creates must all succeed on PostgreSQL too (striped counter,
        # quota read before the write: docs/deployment.md "Quotas").
        for clients in ((1, 8, 64) if op == "CreateUser" else (1, 8)):
            cmd = [str(ids_gen), "--endpoint", f"127.0.0.1:{dep.endpoint_port}", "--tls",
                   "--access-key", dep.key["AccessKeyId"], "--secret-key", dep.key["SecretAccessKey"],
                   "--identity-store-id", dep.key["IdentityStoreId"], "--operation", op,
                   "--clients", str(clients), "--duration", str(args.duration)]
            r = measure(dep, cmd, lambda r: r.get("requests"))
            results.append({"deployment": kind, "bench": f"{op} x{clients}", **r})
            print_row(results[-1])
    db = kind.replace("-", "_")
    rb = pg_rollbacks(pg, db) if kind.startswith("pg") else None
    cmd = [str(scim_gen), "--endpoint", f"127.0.0.1:{dep.endpoint_port}", "--tls", "--token", dep.scim_token,
           "--users", str(args.users), "--groups", str(max(1, args.users // 10)), "--clients", "8",
           "--steady-seconds", str(args.duration), "--seed", "1"]
    r = measure(dep, cmd, lambda r: sum(p["requests"] for p in r.get("phases", {}).values()))
    if rb is not None:
        r["pg_rollbacks"] = pg_rollbacks(pg, db) - rb
    for phase in ("users", "steady"):
        p = r.get("phases", {}).get(phase)
        if p:
            results.append({"deployment": kind, "bench": f"SCIM {phase} x8", "throughput": p["req_per_s"],
                            "p50_ms": p["p50_ms"], "p99_ms": p["p99_ms"], "requests": p["requests"],
                            "cpu_us": r["cpu_us"], "cpu_share": r["cpu_share"], "pg_rollbacks": r.get("pg_rollbacks")})
            print_row(results[-1])
    if "error" in r:
        results.append({"deployment": kind, "bench": "SCIM", **r})
        print_row(results[-1])


def print_row(r):
    if not getattr(print_row, "header", False):
        print(f"{'deployment':<10}{'bench':<20}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}"
              f"{'atrium µs':>10}{'pg µs':>8}{'hap µs':>8}  cores(atrium/pg)  notes")
        print_row.header = True
    if "error" in r:
        print(f"{r['deployment']:<10}{r['bench']:<20} error: {r['error']}")
        return
    cpu, share = r.get("cpu_us", {}), r.get("cpu_share", {})
    notes = f"rollbacks {r['pg_rollbacks']}" if r.get("pg_rollbacks") is not None else ""
    if r.get("errors"):
        notes += f" errors {r['errors']}"
    print(f"{r['deployment']:<10}{r['bench']:<20}{r.get('throughput', 0):9.0f}{r.get('p50_ms', 0):8.2f}"
          f"{r.get('p99_ms', 0):8.1f}{cpu.get('atrium', 0):10.0f}{cpu.get('postgres', 0):8.0f}"
          f"{cpu.get('haproxy', 0):8.0f}  {share.get('atrium', 0):.2f}/{share.get('postgres', 0):.2f}  {notes}",
          flush=True)


if __name__ == "__main__":
    main()
