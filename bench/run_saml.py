#!/usr/bin/python3
"""One command for the SAML IdP benchmark (issue 15 item 9).

For each case — RSA-2048 with one signature per launch (the Assertion), RSA-2048 with both the
Assertion and the Response signed (a custom application's default), and RSA-3072 both (the
default key size) — in this order, in one run:

1. The machine's RSA signing limit on one core, measured right before the case:
   `openssl speed -seconds 3 rsa<bits>` (signatures per second of CPU time).
2. Atrium's IdP-initiated launch at the API (POST /portal/api/applications/<apl>/launch with a
   signed-in session and its CSRF token: the session, the assignment check through nested
   groups, the attribute mappings, building the Response, signing, the Federate audit record,
   the JSON answer over TLS) against the real server over HTTPS, 1 and 2 clients. The server's
   own CPU time (utime + stime from /proc) per launch gives launches per second per core and,
   times the signatures per launch, signatures per second per core; "of limit" is the latter
   over the openssl rate (aim: 70%). p50/p99 latency of the launch.
3. The peer side by side: pysaml2 as IdP (bench/pysaml2_idp_peer.py, Debian's python3-pysaml2,
   which signs through Debian's xmlsec1), the same Response (NameID, three attributes, the same
   elements signed, RSA-SHA256, a key of the same size) over HTTP, its process's CPU and its
   children's per launch; "x peer" is Atrium's launches per core over pysaml2's.

Every row carries the 1-minute load average when it was measured (other people's builds share
the cores: the per-core figures come from CPU time, wall-clock ones do not). Prints the rows and
a summary, and writes bench/results/saml-latest.json.

Usage: make bench-saml
   (or: /usr/bin/python3 bench/run_saml.py --atrium build/atrium [--seconds 10] [--cases 2048-assertion,2048-both])
"""
import argparse
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_signin import PASSWORD, cpu_seconds, pct, post, setup_users, sign_in  # noqa: E402
from run_sso_admin import start_atrium, stop  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
SP_ENTITY, SP_ACS = "https://sp.bench.example/metadata", "https://sp.bench.example/acs"


def openssl_rate(bits, seconds):
    """RSA private-key operations (signatures) per second on one core."""
    out = subprocess.run(["openssl", "speed", "-seconds", str(seconds), f"rsa{bits}"], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(rf"^rsa\s+{bits}\s+bits\s+\S+s\s+\S+s\s+([\d.]+)", out, re.M)
    if not m:
        raise RuntimeError(f"cannot read openssl speed rsa{bits}:\n{out[-1000:]}")
    return float(m.group(1))


def children_cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks


def cli(binary, data, *args):
    r = subprocess.run([binary, *args, "--data-dir", data], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"atrium {' '.join(args)}: {r.stderr}")
    return r.stdout


def atrium_setup(binary, data, base, key, bits, sign="both"):
    cli(binary, data, "admin", "mfa", "settings", "--mode", "disabled")  # the password is the whole sign-in
    names = setup_users(binary, data, base, key, 2)
    made = json.loads(cli(binary, data, "admin", "app", "create", "--provider", "custom", "--name", "Bench",
                          "--entity-id", SP_ENTITY, "--acs-url", SP_ACS, "--set", f"applications.certificate_key_bits={bits}"))
    app = made["ApplicationInstance"]["ApplicationArn"].rsplit("/", 1)[1]
    cli(binary, data, "admin", "app", "set-mappings", app, "--mapping", "Subject=${user:subject};emailAddress",
        "--mapping", "email=${user:subject};basic", "--mapping", "displayName=${user:name};basic",
        "--mapping", "groups=${user:groups};uri")
    cli(binary, data, "admin", "app", "set-response", app, "--sign", sign)
    for n in names:
        cli(binary, data, "admin", "app", "assign", app, "--user", n)
    return names, app


def atrium_sessions(base, names, n):
    sessions = []
    for i in range(n):
        s = requests.Session()
        _, done = sign_in(s, base, names[i % len(names)], PASSWORD.format(i % len(names)))
        if done.get("next") != "done":
            raise RuntimeError(f"sign-in: {done}")
        s.headers["X-CSRF-Token"] = done["csrfToken"]
        sessions.append(s)
    return sessions


def launch_once(s, url):
    r = s.post(url, json={}, headers={"Content-Type": "application/json"}, verify=False, timeout=60)
    return r.status_code == 200 and "samlResponse" in r.text


def load(sessions, url, seconds):
    lat, errors, stop_at = [], [], time.time() + seconds
    lock = threading.Lock()

    def worker(s):
        while time.time() < stop_at:
            t0 = time.perf_counter()
            try:
                ok = launch_once(s, url)
            except Exception as e:  # noqa: BLE001 - counted
                ok = False
                with lock:
                    errors.append(str(e)[:200])
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                (lat.append(dt) if ok else errors.append("status"))

    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, time.time() - t0


HEADER = (f"{'':30}{'launches/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>9}{'per core/s':>11}{'sig/s/core':>11}"
          f"{'of limit':>10}{'load':>7}")


def load_average():
    return float(pathlib.Path("/proc/loadavg").read_text().split()[0])


def measure(label, pid, sessions, url, seconds, openssl_rate, signatures, cpu=cpu_seconds):
    load0 = load_average()
    c0 = cpu(pid)
    lat, errors, wall = load(sessions, url, seconds)
    cpu_ms = (cpu(pid) - c0) * 1000 / max(1, len(lat))
    per_core = 1000 / cpu_ms if cpu_ms else 0
    sig_per_core = per_core * signatures
    r = {"launches": len(lat), "errors": len(errors), "per_second": len(lat) / wall, "p50_ms": pct(lat, 0.5),
         "p99_ms": pct(lat, 0.99), "server_cpu_ms_per_launch": cpu_ms, "per_core_per_second": per_core,
         "signatures_per_launch": signatures, "signatures_per_core_per_second": sig_per_core,
         "share_of_limit": sig_per_core / openssl_rate if openssl_rate else None,
         "load_average": [load0, load_average()]}
    print(f"{label:30}{r['per_second']:11.1f}{r['p50_ms']:9.2f}{r['p99_ms']:9.2f}{cpu_ms:9.2f}{per_core:11.1f}"
          f"{sig_per_core:11.1f}{r['share_of_limit'] * 100:9.1f}%{load0:7.1f}" + (f"   {len(errors)} errors" if errors else ""),
          flush=True)
    return r


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def pysaml2_side_by_side(bits, sign, seconds, rate):
    if not pathlib.Path("/usr/lib/python3/dist-packages/saml2/server.py").exists():
        print("pysaml2 peer skipped: apt-get install python3-pysaml2 (scripts/install-deps installs it)")
        return {"skipped": "python3-pysaml2 is not installed"}
    with tempfile.TemporaryDirectory(prefix="atrium-bench-pysaml2-") as d:
        port = free_port()
        proc = subprocess.Popen(["/usr/bin/python3", str(REPO / "bench" / "pysaml2_idp_peer.py"), "--port", str(port),
                                 "--workdir", d, "--key-bits", str(bits), "--sign", sign], stdout=subprocess.DEVNULL,
                                stderr=open(pathlib.Path(d) / "peer.log", "w"))
        try:
            deadline = time.time() + 60
            while not (pathlib.Path(d) / "ready").exists():
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("pysaml2 peer did not start: " + (pathlib.Path(d) / "peer.log").read_text()[-2000:])
                time.sleep(0.1)
            out = {}
            for clients in (1, 2):
                sessions = [requests.Session() for _ in range(clients)]
                out[f"x{clients}"] = measure(f"pysaml2 RSA-{bits} {sign} x{clients}", proc.pid, sessions,
                                             f"http://127.0.0.1:{port}/launch", seconds, rate, signatures(sign),
                                             cpu=children_cpu_seconds)
            return out
        finally:
            stop(proc)


def signatures(sign):
    return 2 if sign == "both" else 1


def atrium_run(binary, bits, sign, seconds, rate):
    with tempfile.TemporaryDirectory(prefix="atrium-bench-saml-") as d:
        proc, port, key = start_atrium(binary, d, ["server.tls=true", "portal.session_hours=8"])
        base = f"https://127.0.0.1:{port}"
        try:
            names, app = atrium_setup(binary, d, base, key, bits, sign)
            url = f"{base}/portal/api/applications/{app}/launch"
            out = {}
            for clients in (1, 2):
                out[f"x{clients}"] = measure(f"Atrium RSA-{bits} {sign} x{clients}", proc.pid,
                                             atrium_sessions(base, names, clients), url, seconds, rate, signatures(sign))
            return out
        finally:
            stop(proc)


def summary(results):
    print("\nSummary (per core = per second of the server's own CPU; 'both' counts two signatures per launch):")
    print(f"{'case':24}{'clients':>8}{'openssl sign/s':>15}{'Atrium launches/core':>21}{'sig/s/core':>11}"
          f"{'of limit':>9}{'p50 ms':>8}{'p99 ms':>8}{'pysaml2 /core':>14}{'x peer':>8}{'load':>6}")
    for case, c in results["cases"].items():
        for clients in ("x1", "x2"):
            a, p = c["atrium"][clients], c["pysaml2"].get(clients)
            ratio = a["per_core_per_second"] / p["per_core_per_second"] if p and p["per_core_per_second"] else float("nan")
            peer = p["per_core_per_second"] if p else float("nan")
            print(f"{case:24}{clients[1:]:>8}{c['openssl_sign_per_second']:15.0f}{a['per_core_per_second']:21.1f}"
                  f"{a['signatures_per_core_per_second']:11.1f}{a['share_of_limit'] * 100:8.1f}%{a['p50_ms']:8.2f}"
                  f"{a['p99_ms']:8.2f}{peer:14.1f}{ratio:8.1f}{a['load_average'][0]:6.1f}")


CASES = {"2048-assertion": (2048, "assertion"), "2048-both": (2048, "both"), "3072-both": (3072, "both")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    a = ap.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    results = {"started": started, "cpus": os.cpu_count(), "uptime_at_start": subprocess.run(
        ["uptime"], capture_output=True, text=True).stdout.strip(), "cases": {}}
    print(f"{started}: {results['uptime_at_start']}")
    print("'both' signs the Assertion and the Response: two signatures per launch (sig/s/core counts both);\n"
          "'assertion' signs the Assertion only. 'of limit' = signatures per second per core / openssl's rate.")
    for case in a.cases.split(","):
        bits, sign = CASES[case]
        rate = openssl_rate(bits, 3)
        print(f"\n{case}: openssl speed -seconds 3 rsa{bits}, one core: {rate:.0f} sign/s (load {load_average():.1f})")
        print(HEADER)
        results["cases"][case] = {"bits": bits, "sign": sign, "openssl_sign_per_second": rate,
                                  "atrium": atrium_run(a.atrium, bits, sign, a.seconds, rate),
                                  "pysaml2": pysaml2_side_by_side(bits, sign, a.seconds, rate)}
    summary(results)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "saml-latest.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out / 'saml-latest.json'}")


if __name__ == "__main__":
    main()
