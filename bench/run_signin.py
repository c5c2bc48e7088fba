#!/usr/bin/python3
"""One command for the sign-in benchmark (issue 5 item 9).

1. Password sign-ins against the real server over HTTPS (POST /portal/api/signin/start, then
   /signin/password -> "done" with a session cookie; MFA set to disabled so that the password is
   the whole sign-in), 1 and 2 clients, users with argon2id hashes at the configured cost. The
   server's own CPU time (utime + stime from /proc) per sign-in gives sign-ins per second per
   core; bench/password_hash_bench measures one argon2id verification alone at the same cost, and
   1 - hash / CPU-per-sign-in is the share of a sign-in that is not the hash (aim: under 10%).
2. The peer, side by side in the same run: Debian's glewlwyd (bench/glewlwyd_peer.py) with the
   same users, passwords, clients and TLS certificate (POST /api/auth/ -> session cookie; one
   request where Atrium's sign-in is two), its own CPU per sign-in from /proc, the ratios
   Atrium/glewlwyd, and the two password hashes named with their costs. Skipped, with the
   reason, when glewlwyd is not installed (scripts/install-deps --bench installs it).
3. Second-factor verification rates on one core: bench/mfa_verify_bench (TOTP; WebAuthn
   assertions ES256, RS256, EdDSA with the recorded vectors).

Prints a table and writes bench/results/signin-latest.json.

Usage: make bench-signin
   (or: /usr/bin/python3 bench/run_signin.py --atrium build/atrium [--seconds 10] [--users 20]
        [--memory-kib 19456] [--iterations 2] [--before OLD_BINARY] [--perf])

--perf samples the server with `perf record` during each Atrium run and prints where its CPU
went: the hash (the argon2 rounds and the work area's wipe) and the rest by library. That share
comes from the server itself, in the same run, so unlike "not hash" (a micro-benchmark taken at
another moment divided by the server's CPU) it is not skewed by the machine's load changing
between the two.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import glewlwyd_peer  # noqa: E402
from run_sso_admin import client, start_atrium, stop  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
PASSWORD = "Bench-Password-{}-x9"
HEADERS = {"Content-Type": "application/json"}


def minor_faults(pid):
    return int(pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[7])


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def post(s, base, path, body):
    r = s.post(base + path, json=body, headers=HEADERS, verify=False, timeout=60)
    if r.status_code != 200:
        raise RuntimeError(f"{path}: {r.status_code} {r.text[:300]}")
    return r.json()


def sign_in(s, base, user, password):
    wf = post(s, base, "/portal/api/signin/start", {"userName": user})["workflowId"]
    return wf, post(s, base, "/portal/api/signin/password", {"workflowId": wf, "password": password})


def atrium_sign_in(s, base, user, password):
    _, step = sign_in(s, base, user, password)
    return step.get("next") == "done" and "atrium_session" in s.cookies


def setup_users(binary, data, base, key, n):
    ids = client("identitystore", base, key["AccessKeyId"], key["SecretAccessKey"])
    sso = client("sso-admin", base, key["AccessKeyId"], key["SecretAccessKey"])
    store = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    names = []
    for i in range(n):
        name = f"bench-{i}"
        ids.create_user(IdentityStoreId=store, UserName=name, DisplayName=name,
                        Name={"GivenName": "Bench", "FamilyName": str(i)})
        otp = json.loads(subprocess.run([binary, "admin", "user", "reset-password", "--user", name,
                                         "--one-time-password", "--json", "--data-dir", data],
                                        check=True, capture_output=True, text=True).stdout)["OneTimePassword"]
        with requests.Session() as s:
            wf, step = sign_in(s, base, name, otp)
            if step.get("next") != "new-password":
                raise RuntimeError(f"expected new-password after a one-time password, got {step}")
            done = post(s, base, "/portal/api/signin/new-password", {"workflowId": wf, "newPassword": PASSWORD.format(i)})
            if done.get("next") != "done":
                raise RuntimeError(f"expected done, got {done}")
        names.append(name)
    return names


def load(base, names, clients, seconds, attempt=atrium_sign_in):
    lat, errors, stop_at = [], [], time.time() + seconds
    lock = threading.Lock()

    def worker(k):
        s = requests.Session()
        i = k
        while time.time() < stop_at:
            s.cookies.clear()
            t0 = time.perf_counter()
            try:
                ok = attempt(s, base, names[i % len(names)], PASSWORD.format(i % len(names)))
            except Exception as e:  # noqa: BLE001 - counted and reported
                ok = False
                with lock:
                    errors.append(str(e)[:200])
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                if ok:
                    lat.append(dt)
            i += clients

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, time.time() - t0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


HEADER = (f"{'':12}{'sign-ins/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'server CPU ms':>15}{'per core/s':>12}"
          f"{'not hash':>10}{'faults':>10}")


def hash_symbol(dso, sym):
    """Samples that are the password hash: the vendored argon2 (atrium_sodium_*), libsodium's own
    BLAKE2b and argon2 code, and the work area's wipe (sodium_memzero -> glibc's memset; the other
    memsets of a sign-in touch a few KiB against the wipe's 19 MiB)."""
    return ("atrium_sodium" in sym or "argon2" in sym or "fill_block" in sym or "blake2b" in sym
            or "libsodium" in dso or "memset" in sym or "memzero" in sym or "bzero" in sym)


def profile_shares(data):
    """Shares of a perf.data by category (self time): hash, then the rest by library. Also the
    share of the threads that never hash (the network threads and the store's writer): what the
    HTTP/TLS path and the commits cost, apart from the kernel's interrupts during the hashes."""
    out = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "dso,sym", "--stdio", "-q",
                          "--percent-limit", "0"], capture_output=True, text=True).stdout
    shares, top = {}, []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 4 or not parts[0].endswith("%"):
            continue
        pct, dso, sym = float(parts[0][:-1]), parts[1], " ".join(parts[3:])
        if hash_symbol(dso, sym):
            cat = "hash"
        elif parts[2] == "[k]" or dso.startswith("[kernel"):
            cat = "kernel"
        elif "sqlite" in dso:
            cat = "sqlite"
        elif "libssl" in dso or "libcrypto" in dso:
            cat = "openssl"
        elif dso.startswith("libc") or dso.startswith("libstdc++") or dso.startswith("ld-linux"):
            cat = "libc/libstdc++"
        elif dso.startswith("lib") or dso.startswith("["):
            cat = "other libraries"
        else:
            cat = "atrium (http, json, workflow, store)"  # the server binary, whatever its file name
        shares[cat] = shares.get(cat, 0) + pct
        if cat != "hash":
            top.append((pct, f"{dso} {sym}"))
    return shares, sorted(top, reverse=True)[:12], thread_split(data)


def thread_split(data):
    """From the samples' call chains: the share that is not the hash when a kernel sample whose
    interrupted user-mode code is the hash counts with the hash (a timer tick, an interrupt or a
    preemption landing in the argon2 rounds: the micro-benchmark's CPU time pays those too), and
    where the rest runs: in the threads that hash (workers: the workflow, the store's reads) or in
    the others (network threads: HTTP, TLS; the store's writer: commits, fsync)."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "tid,ip,sym,dso"], capture_output=True,
                         text=True).stdout
    samples, cur = [], None
    for line in out.splitlines():
        if not line.strip():
            continue
        if not line.startswith("\t") and not line.startswith(" " * 8):
            cur = [line.split()[0], []]
            samples.append(cur)
            continue
        parts = line.split(None, 1)
        if cur is None or len(parts) < 2:
            continue
        sym, _, dso = parts[1].rpartition(" (")
        cur[1].append((sym, dso.rstrip(")")))
    per, interrupted_hash = {}, 0
    for tid, frames in samples:
        if not frames:
            continue
        leaf_hash = hash_symbol(frames[0][1], frames[0][0])
        user = next((f for f in frames if "kernel" not in f[1]), None)
        during_hash = not leaf_hash and "kernel" in frames[0][1] and user is not None and hash_symbol(user[1], user[0])
        interrupted_hash += during_hash
        c = per.setdefault(tid, [0, 0, 0])  # hash, interrupts during the hash, the rest
        c[0 if leaf_hash else 1 if during_hash else 2] += 1
    total = sum(sum(c) for c in per.values()) or 1
    def hashing(c):  # a worker that ran hashes (a network thread's few small memsets do not make it one)
        return c[0] >= 0.1 * sum(c)
    return {"hashing_threads": sum(c[2] for c in per.values() if hashing(c)) * 100 / total,
            "other_threads": sum(c[2] for c in per.values() if not hashing(c)) * 100 / total,
            "interrupts_during_hash": interrupted_hash * 100 / total,
            "not_hash_attributed": sum(c[2] for c in per.values()) * 100 / total}


class perf_recording:
    """perf record on the server for one run (None when perf is missing or refused)."""

    def __init__(self, pid, label):
        self.pid, self.data, self.proc = pid, f"/tmp/atrium-signin-{os.getpid()}-{label}.perf", None

    def __enter__(self):
        try:
            self.proc = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", self.data, "-p", str(self.pid)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        except OSError:
            self.proc = None
        return self

    def __exit__(self, *exc):
        if self.proc:
            self.proc.send_signal(2)  # SIGINT: perf writes its file and exits
            self.proc.wait(timeout=60)

    def report(self):
        if not self.proc or not os.path.exists(self.data):
            return None
        shares, top, split = profile_shares(self.data)
        os.unlink(self.data)
        total = sum(shares.values()) or 1
        not_hash = 1 - shares.get("hash", 0) / total
        print(f"    perf profile of the server: hash (argon2 rounds + wipe) {shares.get('hash', 0) / total * 100:.1f}%, "
              f"NOT THE HASH {not_hash * 100:.1f}%: " + ", ".join(
                  f"{k} {v / total * 100:.1f}%" for k, v in sorted(shares.items(), key=lambda kv: -kv[1]) if k != "hash"))
        print(f"    kernel samples that interrupted the hash: {split['interrupts_during_hash']:.1f}%; counted with the "
              f"hash, NOT THE HASH is {split['not_hash_attributed']:.1f}%: {split['hashing_threads']:.1f}% in the hashing "
              f"workers (workflow, reads), {split['other_threads']:.1f}% in the other threads (network, the store's writer)")
        print("    largest outside the hash: " + "; ".join(f"{s[:90]} {p / total * 100:.2f}%" for p, s in top[:8]))
        return {"shares": {k: v / total for k, v in shares.items()}, "not_hash": not_hash, "threads": split,
                "top": [(p / total, s) for p, s in top]}


def measure(pid, base, names, clients, seconds, hash_ms=None, attempt=atrium_sign_in, perf=False):
    """One load run; the server's CPU (utime + stime of pid) per successful sign-in. Prints its row."""
    rec = perf_recording(pid, f"x{clients}") if perf else None
    if rec:
        rec.__enter__()
    c0, f0 = cpu_seconds(pid), minor_faults(pid)
    try:
        lat, errors, wall = load(base, names, clients, seconds, attempt)
    finally:
        if rec:
            rec.__exit__(None, None, None)
    cpu_ms = (cpu_seconds(pid) - c0) * 1000 / max(1, len(lat))
    faults = (minor_faults(pid) - f0) / max(1, len(lat))
    r = {"sign_ins": len(lat), "errors": len(errors), "first_errors": errors[:3],
         "per_second": len(lat) / wall, "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99),
         "server_cpu_ms_per_sign_in": cpu_ms, "minor_faults_per_sign_in": faults, "per_core_per_second": 1000 / cpu_ms if cpu_ms else 0}
    if hash_ms is not None:
        r["share_not_hash"] = 1 - hash_ms / cpu_ms if cpu_ms else 0
    print(f"{'x' + str(clients) + ' clients':12}{r['per_second']:12.1f}{r['p50_ms']:9.1f}{r['p99_ms']:9.1f}"
          f"{cpu_ms:15.1f}{r['per_core_per_second']:12.1f}"
          + (f"{r['share_not_hash'] * 100:9.1f}%" if hash_ms is not None else f"{'-':>10}")
          + f"{faults:10.0f}"
          + f"   load {os.getloadavg()[0]:.1f}"
          + (f"   {len(errors)} errors: {errors[0]}" if errors else ""))
    if rec:
        r["profile"] = rec.report()
    r["load_average"] = os.getloadavg()[0]
    return r


def glewlwyd_side_by_side(d, names, seconds, atrium_runs, argon2):
    """The peer on the same users, passwords, clients and certificate as Atrium's runs just before."""
    why = glewlwyd_peer.unavailable()
    if why:
        print(f"\nglewlwyd peer skipped: {why}")
        return {"skipped": why}
    cert, key = pathlib.Path(d) / "tls" / "cert.pem", pathlib.Path(d) / "tls" / "key.pem"
    tls = cert.exists() and key.exists()
    try:
        peer = glewlwyd_peer.start(pathlib.Path(d) / "glewlwyd", names, PASSWORD, *((cert, key) if tls else ()))
    except Exception as e:  # noqa: BLE001 - Atrium's results are still written
        print(f"\nglewlwyd peer failed to start: {str(e)[:500]}")
        return {"error": str(e)[:2000]}
    try:
        h = glewlwyd_peer.password_hash(peer, names[0])
        out = {"version": glewlwyd_peer.version(), "tls": tls, "hash": h, "runs": {}}
        print(f"\nglewlwyd {out['version']} (Debian), same users and load, "
              f"{'HTTPS with the same certificate' if tls else 'plain HTTP (no certificate found)'}, "
              f"POST /api/auth/ -> session cookie (one request; Atrium's sign-in is two)")
        print(HEADER)
        for clients in (1, 2):
            out["runs"][f"x{clients}"] = measure(peer.pid, peer.base, names, clients, seconds,
                                                 attempt=glewlwyd_peer.sign_in)
    finally:
        peer.stop()
    print("ratio Atrium/glewlwyd" + "".join(
        f"   x{c}: sign-ins/s {atrium_runs[f'x{c}']['per_second'] / g['per_second']:.2f}, CPU per sign-in "
        f"{atrium_runs[f'x{c}']['server_cpu_ms_per_sign_in'] / g['server_cpu_ms_per_sign_in']:.2f}"
        if g["per_second"] and g["server_cpu_ms_per_sign_in"] else f"   x{c}: n/a"
        for c, g in ((c, out["runs"][f"x{c}"]) for c in (1, 2))))
    print(f"password hashes: Atrium argon2id m={argon2['memory_kib']} KiB t={argon2['iterations']} p=1 (libsodium's argon2, reused work area); "
          f"glewlwyd {glewlwyd_peer.describe(h)} (nettle; its SQLite user backend's default)")
    return out


def google_bench(binary, env=None):
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_min_time=1"], check=True,
                         capture_output=True, text=True, env=env).stdout
    return {b["name"]: b for b in json.loads(out)["benchmarks"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--memory-kib", type=int, default=19456)
    ap.add_argument("--iterations", type=int, default=2)
    ap.add_argument("--perf", action="store_true", help="profile the server during the Atrium runs (perf record)")
    ap.add_argument("--before", default=None,
                    help="an older atrium binary measured first in the same run (before/after)")
    a = ap.parse_args()
    bench_dir = pathlib.Path(a.atrium).resolve().parent / "bench"
    results = {"argon2": {"memory_kib": a.memory_kib, "iterations": a.iterations}, "runs": {}}

    env = dict(os.environ, ATRIUM_ARGON2_MEMORY_KIB=str(a.memory_kib), ATRIUM_ARGON2_ITERATIONS=str(a.iterations))
    hashes = {n.split("/")[0]: b for n, b in google_bench(str(bench_dir / "password_hash_bench"), env).items()}
    hash_ms = hashes["argon2id_verify"]["cpu_time"]
    results["hash_ms"] = hash_ms
    results["hash_faults"] = hashes["argon2id_verify"].get("faults_per_hash")
    # The shared libsodium's own verification (a fresh work area per hash): what a binary from
    # before issue 18 item 6 spends per hash, the denominator of its row below.
    fresh = hashes.get("argon2id_verify_fresh_mapping")
    results["hash_ms_fresh_mapping"] = fresh["cpu_time"] if fresh else None
    results["hash_faults_fresh_mapping"] = fresh.get("faults_per_hash") if fresh else None
    print(f"one argon2id verification on one core: {hash_ms:.2f} ms, {results['hash_faults'] or 0:.0f} page faults"
          + (f"; with a fresh mapping per hash (libsodium's crypto_pwhash_str_verify): {fresh['cpu_time']:.2f} ms, "
             f"{fresh.get('faults_per_hash', 0):.0f} page faults" if fresh else ""))
    if a.before:
        results["before"] = {"binary": a.before, "runs": {}}
        with tempfile.TemporaryDirectory(prefix="atrium-bench-signin-before-") as d:
            subprocess.run([a.before, "admin", "mfa", "settings", "--mode", "disabled", "--data-dir", d],
                           check=True, capture_output=True, text=True)
            proc, port, key = start_atrium(a.before, d, settings=(f"passwords.argon2_memory_kib={a.memory_kib}",
                                                                  f"passwords.argon2_iterations={a.iterations}"))
            try:
                names = setup_users(a.before, d, f"https://127.0.0.1:{port}", key, a.users)
                print(f"\nbefore: {a.before} (hash share against the fresh-mapping verification)")
                print(HEADER)
                for clients in (1, 2):
                    results["before"]["runs"][f"x{clients}"] = measure(
                        proc.pid, f"https://127.0.0.1:{port}", names, clients, a.seconds,
                        results["hash_ms_fresh_mapping"] or hash_ms, perf=a.perf)
            finally:
                stop(proc)

    with tempfile.TemporaryDirectory(prefix="atrium-bench-signin-") as d:
        subprocess.run([a.atrium, "admin", "mfa", "settings", "--mode", "disabled", "--data-dir", d],
                       check=True, capture_output=True, text=True)
        proc, port, key = start_atrium(a.atrium, d, settings=(f"passwords.argon2_memory_kib={a.memory_kib}",
                                                              f"passwords.argon2_iterations={a.iterations}"))
        base = f"https://127.0.0.1:{port}"
        try:
            names = setup_users(a.atrium, d, base, key, a.users)
            print(f"\npassword sign-ins (start + password -> session), argon2id m={a.memory_kib} KiB t={a.iterations}, "
                  f"{a.seconds:.0f} s per run; one argon2id verification alone: {hash_ms:.1f} ms")
            print(HEADER)
            for clients in (1, 2):
                results["runs"][f"x{clients}"] = measure(proc.pid, base, names, clients, a.seconds, hash_ms,
                                                         perf=a.perf)
        finally:
            stop(proc)
        results["glewlwyd"] = glewlwyd_side_by_side(d, names, a.seconds, results["runs"], results["argon2"])

    mfa = google_bench(str(bench_dir / "mfa_verify_bench"))
    results["mfa"] = {n: {"per_second": b.get("items_per_second"), "cpu_time": b["cpu_time"], "unit": b["time_unit"]}
                      for n, b in mfa.items()}
    print("\nsecond-factor verification on one core")
    for n, b in results["mfa"].items():
        print(f"  {n:28}{b['per_second'] or 0:12.0f}/s")

    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "signin-latest.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out / 'signin-latest.json'}")


if __name__ == "__main__":
    main()
