#!/usr/bin/python3
"""A/B of two Atrium builds in one run: both servers up side by side (each its own data directory,
HTTPS, SQLite as bench/run.py starts it), the cells interleaved (before, then after), server CPU
per request from /proc (utime + stime over the timed phase, read by the generator). On a shared
machine the CPU columns are the ones to compare.

Usage: /usr/bin/python3 bench/run_ab.py BEFORE AFTER [seconds=4] [operations] [clients=8,64] [rounds=1]"""
import os, sys, signal, tempfile, pathlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run
before, after = sys.argv[1], sys.argv[2]
dur = float(sys.argv[3]) if len(sys.argv) > 3 else 4
ops = (sys.argv[4] if len(sys.argv) > 4 else "DescribeUser,ListUsers,CreateUser,CreateGroupMembership").split(",")
clients = [int(c) for c in (sys.argv[5] if len(sys.argv) > 5 else "8,64").split(",")]
rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 1
gen = os.environ.get("ATRIUM_GENERATOR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "bench", "identitystore_load"))
print("load %.2f %.2f %.2f at the start" % os.getloadavg(), flush=True)
with tempfile.TemporaryDirectory(prefix="atrium-ab-") as d:
    servers = {}
    for name, b in (("before", before), ("after", after)):
        dd = pathlib.Path(d) / name; dd.mkdir()
        servers[name] = run.start_atrium(b, str(dd))
    try:
        for op in ops:
            for n in clients:
                for r in range(rounds):
                    row = []
                    for name in ("before", "after"):
                        p, port, key = servers[name]
                        res = run.load(gen, f"127.0.0.1:{port}", True, key["AccessKeyId"], key["SecretAccessKey"],
                                       key["IdentityStoreId"], op, n, dur, p.pid)
                        row.append("%s %8.0f/s p50 %6.2f p99 %7.2f cpu %6.0f µs err %s" % (name, res.get('throughput', 0), res.get('p50_ms', 0), res.get('p99_ms', 0), res.get('cpu_us_per_request', 0), res.get('errors', res.get('error'))))
                    print(f"{op:<22}{n:>3}  " + " | ".join(row) + "  load %.2f" % os.getloadavg()[0], flush=True)
    finally:
        for p, _, _ in servers.values():
            p.send_signal(signal.SIGTERM); p.wait(timeout=60)
print("load %.2f %.2f %.2f at the end" % os.getloadavg())
