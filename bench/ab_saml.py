#!/usr/bin/env python3
"""Two Atrium binaries' IdP-initiated SAML launches, alternately, on one busy machine.

Both servers are set up as bench/run_saml.py sets one up (same case, same mappings), then the
launch loop runs on A, B, A, B, ... for --rounds pairs of --seconds each, so that a change of
the machine's load falls on both binaries alike. Per cell: the server's CPU per launch (utime +
stime from /proc), launches and signatures per second per core, the share of `openssl speed`'s
RSA rate measured at the start, and the load average.

    /usr/bin/python3 bench/ab_saml.py --before OLD_BINARY --after build/atrium [--case 2048-both]
        [--clients 2] [--seconds 4] [--rounds 3]
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_saml import CASES, HEADER, atrium_sessions, atrium_setup, load_average, measure, openssl_rate, signatures  # noqa: E402
from run_sso_admin import start_atrium, stop  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--case", default="2048-both", choices=list(CASES))
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    bits, sign = CASES[a.case]
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    rate = openssl_rate(bits, 3)
    print(f"openssl speed -seconds 3 rsa{bits}, one core: {rate:.0f} sign/s (load {load_average():.1f})")
    servers = {}
    with tempfile.TemporaryDirectory(prefix="atrium-ab-saml-") as d:
        try:
            for name, binary in (("before", a.before), ("after", a.after)):
                data = pathlib.Path(d) / name
                data.mkdir()
                proc, port, key = start_atrium(binary, str(data), ["server.tls=true", "portal.session_hours=8"])
                servers[name] = proc
                base = f"https://127.0.0.1:{port}"
                names, app = atrium_setup(binary, str(data), base, key, bits, sign)
                servers[name] = (proc, atrium_sessions(base, names, a.clients),
                                 f"{base}/portal/api/applications/{app}/launch")
            print(HEADER)
            totals = {"before": [], "after": []}
            for i in range(a.rounds):
                for name in ("before", "after"):
                    proc, sessions, url = servers[name]
                    r = measure(f"{name} {a.case} x{a.clients} #{i + 1}", proc.pid, sessions, url, a.seconds, rate,
                                signatures(sign))
                    totals[name].append(r["server_cpu_ms_per_launch"])
            for name, ms in totals.items():
                print(f"{name}: CPU ms per launch {', '.join(f'{m:.3f}' for m in ms)}; best {min(ms):.3f}")
        finally:
            for s in servers.values():
                stop(s[0] if isinstance(s, tuple) else s)


if __name__ == "__main__":
    main()
