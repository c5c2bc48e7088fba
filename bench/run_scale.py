#!/usr/bin/python3
"""Issue 18 item 7: Atrium with a large directory in SQLite (default 1,000,000 users and 100,000
groups). Reports, per step of 100,000 users: the store file size and the server's resident memory
when idle; at the full size: DescribeUser of random users, a SCIM `userName eq` filter of random
users (p50/p99 at one client, measured at the client, so they include the client's TLS and
signing: an upper bound of the server's time), and identitystore ListUsers walked from the first
to the last page (p50/p99 of the first, the middle and the last 1,000 pages). Next to each phase:
the server's own CPU per request (utime + stime from /proc), what it read from storage per request
(/proc/PID/io read_bytes: page-cache misses) and its major page faults, how much of the store file
is in the page cache (fincore), and the load average: a p99 above the aim with a flat CPU per
request and no storage reads is the machine's load, not the server.

How the directory is made: one user and one group are created through the API (so their stored
documents are exactly what Atrium writes), then cloned in SQL inside the same database file with
new ids, user names and e-mail addresses (the count triggers keep row_counts true). Seeding a
million users through the API would measure the write path (bench/run.py does that), not reads
at scale; each step is committed with the server stopped.

Usage: make bench-scale   (or: /usr/bin/python3 bench/run_scale.py --atrium build/atrium
                           [--users 1000000] [--groups 100000] [--step 100000] [--samples 2000]
                           [--keep DIR])
With --keep DIR the seeded directory is kept (DIR/steps.json records the seeding's table), and a
rerun with the same DIR and sizes skips the seeding and measures again.
"""
import argparse
import http.client
import json
import os
import pathlib
import random
import signal
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import start_atrium  # noqa: E402

import botocore.auth  # noqa: E402
import botocore.awsrequest  # noqa: E402
import botocore.credentials  # noqa: E402


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else float("nan")


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def proc_counters(pid):
    """utime + stime (s), major faults, bytes read from storage of the server process."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    io = dict(line.split(": ") for line in pathlib.Path(f"/proc/{pid}/io").read_text().splitlines())
    return ((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[9]), int(io["read_bytes"]))


def cached_mb(db):
    """How much of the store file is in the page cache (fincore, util-linux), in MB; -1 if unknown."""
    try:
        out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", db],
                             capture_output=True, text=True, check=True).stdout.split()
        return int(out[0]) / 1e6
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        return -1.0


def load_now():
    return os.getloadavg()[0]


def histograms(port):
    """The server's own latency histograms (GET /metrics): {operation: [(le seconds, cumulative)]}."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ssl._create_unverified_context())
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    out = {}
    for line in text.splitlines():
        if not line.startswith("atrium_http_request_duration_seconds_bucket{"):
            continue
        labels, value = line[line.index("{") + 1:line.rindex("}")], line.rsplit(" ", 1)[1]
        kv = dict(part.split("=", 1) for part in labels.split('",') if "=" in part)
        op, le = kv.get("operation", "").strip('"'), kv.get("le", "").strip('"')
        out.setdefault(op, []).append((float("inf") if le == "+Inf" else float(le), float(value)))
    return out


def server_side(before, after):
    """Of the requests between two histogram snapshots (the operation that grew most): the share
    the server answered within 5 ms, and the bucket bound that holds its p99."""
    grown = {op: [(le, c - dict(before.get(op, [])).get(le, 0)) for le, c in b] for op, b in after.items()}
    op, buckets = max(grown.items(), key=lambda kv: kv[1][-1][1] if kv[1] else 0)
    n = buckets[-1][1] if buckets else 0
    if not n:
        return None
    within5 = next((c for le, c in buckets if abs(le - 0.005) < 1e-9), 0) / n
    p99 = next((le for le, c in buckets if c >= 0.99 * n), float("inf"))
    return {"operation": op, "n": n, "within_5ms": within5, "p99_le_ms": p99 * 1000}


class phase:
    """The server's counters, its latency histograms and the load around one measured phase."""

    def __init__(self, pid, port=None):
        self.pid, self.port = pid, port

    def __enter__(self):
        self.h0 = histograms(self.port) if self.port else None
        self.load0, self.c0 = load_now(), proc_counters(self.pid)
        return self

    def __exit__(self, *exc):
        self.c1, self.load1 = proc_counters(self.pid), load_now()
        self.h1 = histograms(self.port) if self.port else None

    def per_request(self, n):
        cpu, maj, rd = (b - a for a, b in zip(self.c0, self.c1))
        out = {"cpu_us": cpu * 1e6 / n, "major_faults": maj / n, "read_kb": rd / 1024 / n,
               "load": (self.load0 + self.load1) / 2}
        if self.h0 is not None:
            out["server"] = server_side(self.h0, self.h1)
        return out


class signed_client:
    """identitystore JSON calls over one kept-alive TLS connection, signed with SigV4."""

    def __init__(self, port, key):
        self.port = port
        self.creds = botocore.credentials.Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        self.conn = http.client.HTTPSConnection("127.0.0.1", port, context=ssl._create_unverified_context())

    def call(self, op, body):
        data = json.dumps(body)
        req = botocore.awsrequest.AWSRequest(method="POST", url=f"https://127.0.0.1:{self.port}/", data=data,
                                             headers={"Content-Type": "application/x-amz-json-1.1",
                                                      "X-Amz-Target": f"AWSIdentityStore.{op}"})
        botocore.auth.SigV4Auth(self.creds, "identitystore", "us-east-1").add_auth(req)
        t0 = time.perf_counter()
        self.conn.request("POST", "/", body=data, headers=dict(req.headers))
        resp = self.conn.getresponse()
        payload = resp.read()
        elapsed = (time.perf_counter() - t0) * 1000
        if resp.status != 200:
            raise SystemExit(f"{op} answered {resp.status}: {payload[:300]!r}")
        return json.loads(payload), elapsed


def templates(db):
    con = sqlite3.connect(db)
    user = con.execute("SELECT id, user_name_key, email_key, doc FROM users").fetchone()
    group = con.execute("SELECT id, display_name_key, doc FROM groups").fetchone()
    con.close()
    return user, group


def clone_users(db, user, start, count, store_prefix):
    """Users start..start+count-1: ids in Atrium's shape (<store>-<uuid>), names user0000042."""
    tid, tname, temail, tdoc = user
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("""
      WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?),
      v AS (SELECT i, printf('%s-%08x-0000-7000-8000-%012x', ?, i, i * 2654435761 % 281474976710655) AS id,
                   printf('user%07d', i) AS name FROM n),
      d AS (SELECT id, name,
                   replace(replace(replace(?, ?, id), ?, name || '@example.com'), '"' || ? || '"', '"' || name || '"')
                   AS doc FROM v)
      -- The console's search keys (migration 0022) as the store writes them: display_name_key is
      -- fold_key(displayName), email_order_key the e-mail key; without them the seeded users could
      -- not be found by display name or e-mail.
      INSERT INTO users(id, user_name_key, email_key, manager_id, version, doc, display_name_key, email_order_key)
      SELECT id, name, name || '@example.com', NULL, 1, doc,
             lower(COALESCE(json_extract(doc, '$.display_name'), '')), name || '@example.com'
      FROM d""", (start, start + count - 1, store_prefix, tdoc, tid, temail, tname))
    con.commit()
    con.close()


def clone_groups(db, group, count, store_prefix):
    tid, tname, tdoc = group
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("""
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),
      v AS (SELECT printf('%s-%08x-0000-7000-9000-%012x', ?, i, i) AS id, printf('group%06d', i) AS name FROM n)
      INSERT INTO groups(id, display_name_key, version, doc)
      SELECT id, name, 1, replace(replace(?, ?, id), '"' || ? || '"', '"' || name || '"') FROM v""",
                (count, store_prefix, tdoc, tid, tname))
    con.commit()
    con.close()


def serve(binary, data):
    (pathlib.Path(data) / "port").unlink(missing_ok=True)  # the last run's: wait for this one's
    proc, port, key = start_atrium(binary, data)
    return proc, port, key


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)


def idle_rss(proc, client):
    client.call("ListUsers", {"IdentityStoreId": client.store, "MaxResults": 1})
    time.sleep(3)
    return rss_kib(proc.pid)


def scim_token(binary, data):
    """A SCIM bearer token: enabling provisioning prints one; in a kept directory (a rerun) the
    earlier runs' tokens are deleted and a new one created (at most 2 exist)."""
    def admin(*words):
        return subprocess.run([binary, "admin", "scim", *words, "--json", "--data-dir", data],
                              capture_output=True, text=True)
    out = admin("enable")
    if out.returncode != 0:
        for t in json.loads(admin("list-tokens").stdout)["AccessTokens"]:
            admin("delete-token", "--token-id", t["TokenId"])
        out = admin("create-token")
    if out.returncode != 0:
        raise SystemExit(f"no SCIM token: {out.stderr[:300]}")
    return json.loads(out.stdout)["AccessToken"]


def scim_filter_latencies(port, token, names):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ssl._create_unverified_context())
    out = []
    for name in names:
        path = "/scim/v2/Users?filter=" + f'userName eq "{name}"'.replace(" ", "%20").replace('"', "%22")
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        body = resp.read()
        out.append((time.perf_counter() - t0) * 1000)
        if resp.status != 200 or json.loads(body).get("totalResults") != 1:
            raise SystemExit(f"SCIM filter for {name}: {resp.status} {body[:300]!r}")
    return out


def row(label, values, server=None):
    out = f"{label:<44}{len(values):>8}{statistics.median(values):>10.2f}{percentile(values, 99):>10.2f}"
    if server:
        out += (f"{server['cpu_us']:>12.0f}{server['read_kb']:>10.1f}{server['major_faults']:>8.2f}"
                f"{server['load']:>7.2f}")
        h = server.get("server")
        if h:
            out += f"{h['within_5ms'] * 100:>9.2f}%{'<= ' + format(h['p99_le_ms'], 'g') + ' ms':>12}"
    return out


def seed(args, data):
    """The directory at full size; returns the steps (users, groups, store bytes, idle RSS)."""
    proc, port, key = serve(args.atrium, data)
    c = signed_client(port, key)
    c.store = key["IdentityStoreId"]
    store_prefix = c.store[2:]
    c.call("CreateUser", {"IdentityStoreId": c.store, "UserName": "template.user", "DisplayName": "Template User",
                          "Name": {"GivenName": "Template", "FamilyName": "User"},
                          "Emails": [{"Value": "template.user@example.com", "Type": "work", "Primary": True}]})
    c.call("CreateGroup", {"IdentityStoreId": c.store, "DisplayName": "template-group"})
    base_rss = idle_rss(proc, c)
    stop(proc)
    db = str(pathlib.Path(data) / "atrium.db")
    user, group = templates(db)
    steps = [{"users": 1, "groups": 1, "store_bytes": os.path.getsize(db), "idle_rss_kib": base_rss, "seed_s": 0}]
    print(f"{'users':>9}{'groups':>9}{'store MB':>10}{'idle RSS MB':>13}{'seed s':>8}")
    print(f"{1:>9}{1:>9}{os.path.getsize(db) / 1e6:>10.1f}{base_rss / 1024:>13.1f}{0:>8}")
    seeded, groups_done = 0, False
    while seeded < args.users:
        n = min(args.step, args.users - seeded)
        t0 = time.time()
        clone_users(db, user, seeded + 1, n, store_prefix)
        seeded += n
        if not groups_done and seeded >= args.users // 2:
            clone_groups(db, group, args.groups, store_prefix)
            groups_done = True
        seed_s = time.time() - t0
        proc, port, key = serve(args.atrium, data)
        c = signed_client(port, key)
        c.store = key["IdentityStoreId"]
        rss = idle_rss(proc, c)
        stop(proc)
        size = os.path.getsize(db) + sum(p.stat().st_size for p in pathlib.Path(data).glob("atrium.db-*"))
        steps.append({"users": seeded, "groups": args.groups if groups_done else 1, "store_bytes": size,
                      "idle_rss_kib": rss, "seed_s": seed_s})
        print(f"{seeded:>9}{steps[-1]['groups']:>9}{size / 1e6:>10.1f}{rss / 1024:>13.1f}{seed_s:>8.1f}")
        sys.stdout.flush()
    return steps


def kept_steps(args, data):
    """The steps of an earlier seeding of this directory at the same sizes, or None."""
    f = pathlib.Path(data) / "steps.json"
    if not (pathlib.Path(data) / "atrium.db").exists():
        return None
    if not f.exists():
        raise SystemExit(f"{data} holds a store but no steps.json (a seeding that did not finish?): remove it")
    kept = json.loads(f.read_text())
    if kept.get("users") != args.users or kept.get("groups") != args.groups or kept.get("step") != args.step:
        raise SystemExit(f"{data} holds a seeding of {kept.get('users')} users / {kept.get('groups')} groups; "
                         "use another --keep directory (or remove this one)")
    print(f"reusing the seeded directory {data} (seeded {kept.get('when')})")
    print(f"{'users':>9}{'groups':>9}{'store MB':>10}{'idle RSS MB':>13}{'seed s':>8}")
    for s in kept["steps"]:
        print(f"{s['users']:>9}{s['groups']:>9}{s['store_bytes'] / 1e6:>10.1f}{s['idle_rss_kib'] / 1024:>13.1f}"
              f"{s['seed_s']:>8.1f}")
    return kept["steps"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(pathlib.Path(__file__).resolve().parents[1] / "build" / "atrium"))
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--groups", type=int, default=100_000)
    ap.add_argument("--step", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--keep", default=None, help="seed into this directory and keep it; reruns reuse it")
    args = ap.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start")
    if args.keep:
        pathlib.Path(args.keep).mkdir(parents=True, exist_ok=True)
        measure_dir(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="atrium-scale-") as data:
            measure_dir(args, data)


def measure_dir(args, data):
    steps = kept_steps(args, data) if args.keep else None
    if steps is None:
        steps = seed(args, data)
        if args.keep:
            (pathlib.Path(data) / "steps.json").write_text(json.dumps(
                {"users": args.users, "groups": args.groups, "step": args.step, "steps": steps,
                 "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, indent=1))
    db = str(pathlib.Path(data) / "atrium.db")
    proc, port, key = serve(args.atrium, data)
    try:
        measure(args, data, db, proc, port, key, steps)
    finally:
        if proc.poll() is None:
            stop(proc)


def measure(args, data, db, proc, port, key, steps):
    c = signed_client(port, key)
    c.store = key["IdentityStoreId"]
    store_prefix = c.store[2:]
    seeded = steps[-1]["users"]
    print(f"store file in the page cache before the reads: {cached_mb(db):.0f} of {os.path.getsize(db) / 1e6:.0f} MB")
    rnd = random.Random(7)
    picks = [rnd.randint(1, seeded) for _ in range(args.samples)]
    ids = [f"{store_prefix}-{i:08x}-0000-7000-8000-{(i * 2654435761) % 281474976710655:012x}" for i in picks]
    with phase(proc.pid, port) as p_describe:
        describe = [c.call("DescribeUser", {"IdentityStoreId": c.store, "UserId": u})[1] for u in ids]
    token = scim_token(args.atrium, data)
    with phase(proc.pid, port) as p_scim:
        scim = scim_filter_latencies(port, token, [f"user{i:07d}" for i in picks])
    # The same users again: their pages are now in SQLite's and the kernel's caches.
    with phase(proc.pid, port) as p_describe2:
        describe2 = [c.call("DescribeUser", {"IdentityStoreId": c.store, "UserId": u})[1] for u in ids]
    pages, next_token, t_walk = [], None, time.time()
    with phase(proc.pid, port) as p_walk:
        while True:
            body = {"IdentityStoreId": c.store, "MaxResults": 100}
            if next_token:
                body["NextToken"] = next_token
            answer, ms = c.call("ListUsers", body)
            pages.append(ms)
            next_token = answer.get("NextToken")
            if not next_token:
                break
    walk_s = time.time() - t_walk
    rss_after = rss_kib(proc.pid)
    stop(proc)
    print(f"\n{'one client, measured at the client':<44}{'n':>8}{'p50 ms':>10}{'p99 ms':>10}"
          f"{'server us':>12}{'read KB':>10}{'majflt':>8}{'load':>7}{'in server':>10}{'server p99':>12}")
    print("(server us: CPU per request; read KB: from storage per request; in server: answered within 5 ms by the\n"
          " server's own clock, /metrics histogram; server p99: the histogram bucket that holds it)")
    print(row("DescribeUser, random users", describe, p_describe.per_request(len(describe))))
    print(row('SCIM filter userName eq "…", random users', scim, p_scim.per_request(len(scim))))
    print(row("DescribeUser, the same users again", describe2, p_describe2.per_request(len(describe2))))
    mid = len(pages) // 2
    first, middle, last = pages[:1000], pages[max(0, mid - 500):mid + 500], pages[-1000:]
    walk = p_walk.per_request(len(pages))
    print(row("ListUsers (100 per page), first 1,000 pages", first))
    print(row("ListUsers (100 per page), middle 1,000 pages", middle))
    print(row("ListUsers (100 per page), last 1,000 pages", last))
    print(row("ListUsers (100 per page), every page", pages, walk))
    print(f"ListUsers walk: {len(pages)} pages in {walk_s:.1f} s; RSS after the run {rss_after / 1024:.1f} MB")
    per100k = [(b["store_bytes"] - a["store_bytes"]) / (b["users"] - a["users"]) * 100_000 / 1e6
               for a, b in zip(steps[1:], steps[2:]) if b["groups"] == a["groups"]]
    rss100k = [(b["idle_rss_kib"] - a["idle_rss_kib"]) / (b["users"] - a["users"]) * 100_000 / 1024
               for a, b in zip(steps[1:], steps[2:]) if b["groups"] == a["groups"]]
    if per100k:
        print(f"per 100,000 users: store +{statistics.median(per100k):.1f} MB, idle RSS "
              f"{statistics.median(rss100k):+.1f} MB (median of the steps without the groups)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")

if __name__ == "__main__":
    main()
