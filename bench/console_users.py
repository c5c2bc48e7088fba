#!/usr/bin/python3
"""The admin console's user list over 100,000 users (issue 14, "Speed"): seeds the users through
the identitystore API (CreateUser, SigV4, keep-alive connections, 8 threads), then times the
calls the console's Users page makes:

  - ListUsers, first page (MaxResults 25: the page the console shows first);
  - ListUsers with the exact UserName filter (the console's search; the API's only filter);
  - ListUsers following NextToken 40 pages deep (keyset paging);
  - AtriumAdmin.SearchUsers (the console's search): a prefix of the user name, display name or
    e-mail in that column's order, a broad prefix (11,111 matches), the e-mail order without a
    prefix, and page 41 of the display-name order (descending) by NextToken;
  - the same searches through the console's own door (POST /portal/api/console, a signed-in
    administrator's session and CSRF token), which adds the session lookup and the policy check.

Latency is measured at the client over loopback HTTPS with one keep-alive connection, so it is
the server's time plus the local round trip. Prints p50/p99 and writes nothing.

Usage: make bench-console   (or: /usr/bin/python3 bench/console_users.py --atrium build/atrium
                             [--users 100000] [--samples 300] [--keep DIR])
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import pathlib
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REGION = "us-east-1"
ADMIN = "user000000"


class Client:
    """One keep-alive HTTPS connection that signs AWS JSON 1.1 calls (SigV4)."""

    def __init__(self, port, key):
        self.port, self.key = port, key
        self.ctx = ssl._create_unverified_context()  # the server's self-signed certificate
        self.conn = http.client.HTTPSConnection("127.0.0.1", port, context=self.ctx, timeout=60)

    def call(self, service, target, body):
        payload = json.dumps(body).encode()
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        host = f"127.0.0.1:{self.port}"
        headers = {"content-type": "application/x-amz-json-1.1", "host": host, "x-amz-date": amz_date,
                   "x-amz-target": target}
        names = sorted(headers)
        canonical = "\n".join(["POST", "/", "", *[f"{n}:{headers[n]}" for n in names], "", ";".join(names),
                               hashlib.sha256(payload).hexdigest()])
        scope = f"{day}/{REGION}/{service}/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        k = ("AWS4" + self.key["SecretAccessKey"]).encode()
        for part in (day, REGION, service, "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.key['AccessKeyId']}/{scope}, "
                                    f"SignedHeaders={';'.join(names)}, Signature={sig}")
        return self.post("/", payload, headers)

    def post(self, path, payload, headers):
        try:
            self.conn.request("POST", path, body=payload, headers=headers)
            r = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            # The server closes keep-alive connections idle too long (the seeding phase): reconnect once.
            self.conn.close()
            self.conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=60)
            self.conn.request("POST", path, body=payload, headers=headers)
            r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{headers.get('x-amz-target') or headers.get('X-Amz-Target')}: {r.status} {data[:300]!r}")
        return json.loads(data or b"{}")


def start(binary, data):
    key = json.loads(subprocess.run([binary, "admin", "create-access-key", "--json", "--data-dir", data],
                                    check=True, capture_output=True, text=True).stdout)
    port_file = pathlib.Path(data) / "port"
    port_file.unlink(missing_ok=True)  # a kept data directory has the last run's
    proc = subprocess.Popen([binary, "serve", "--data-dir", data, "--set", "server.port=0", "--set", "server.tls=true",
                             "--set", f"port_file={port_file}", "--set", "throttle.default_rate=100000000",
                             "--set", "throttle.default_burst=100000000", "--set", "log_level=warn"],
                            stdout=subprocess.DEVNULL, stderr=open(pathlib.Path(data) / "server.log", "w"))
    deadline = time.time() + 30
    while not (port_file.exists() and port_file.read_text().strip()):
        if time.time() > deadline or proc.poll() is not None:
            sys.exit("atrium did not start: " + (pathlib.Path(data) / "server.log").read_text()[-2000:])
        time.sleep(0.05)
    return proc, int(port_file.read_text()), key


def seed(port, key, store, users, threads=8):
    done = [0]
    lock = threading.Lock()
    errors = []

    def work(first, step):
        c = Client(port, key)
        try:
            for i in range(first, users, step):
                c.call("identitystore", "AWSIdentityStore.CreateUser", {
                    "IdentityStoreId": store, "UserName": f"user{i:06d}", "DisplayName": f"User {i}",
                    "Name": {"GivenName": "Bench", "FamilyName": f"U{i}"},
                    "Emails": [{"Value": f"user{i:06d}@example.com", "Type": "work", "Primary": True}]})
                with lock:
                    done[0] += 1
        except Exception as e:  # reported after the join
            errors.append(e)

    t0 = time.time()
    ts = [threading.Thread(target=work, args=(n, threads)) for n in range(threads)]
    for t in ts:
        t.start()
    while any(t.is_alive() for t in ts):
        time.sleep(5)
        print(f"  seeded {done[0]:,} users in {time.time() - t0:.0f} s", flush=True)
    if errors:
        sys.exit(f"seeding failed: {errors[0]}")
    return time.time() - t0


def timed(fn, samples):
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return statistics.median(out), out[min(len(out) - 1, int(len(out) * 0.99))]


def console_session(port, binary, data, key, store):
    """An administrator's portal session (password sign-in, MFA off) and its CSRF token."""
    subprocess.run([binary, "admin", "mfa", "settings", "--mode", "disabled", "--data-dir", data], check=True,
                   capture_output=True)
    # One of the seeded users is the administrator (the store's quota is 100,000 users).
    otp = json.loads(subprocess.run([binary, "admin", "user", "reset-password", "--user", ADMIN, "--one-time-password",
                                     "--json", "--data-dir", data], check=True, capture_output=True, text=True).stdout)["OneTimePassword"]
    subprocess.run([binary, "admin", "console-access", "grant", "--user", ADMIN, "--policy", "AdministratorAccess",
                    "--data-dir", data], check=False, capture_output=True)  # a kept directory has it already
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ssl._create_unverified_context(), timeout=60)
    cookies = {}

    def req(method, path, body=None, headers=None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
        r = conn.getresponse()
        data_ = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                cookies[name] = rest.split(";")[0]
        return r.status, json.loads(data_ or b"{}")

    return req, otp, cookies


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", required=True)
    ap.add_argument("--users", type=int, default=100000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--keep", help="reuse (or keep) this data directory: seeding is skipped when it has the users")
    a = ap.parse_args()
    data = a.keep or tempfile.mkdtemp(prefix="atrium-console-bench-")
    pathlib.Path(data).mkdir(parents=True, exist_ok=True)
    proc, port, key = start(a.atrium, data)
    try:
        store = key["IdentityStoreId"]
        c = Client(port, key)
        have = c.call("identitystore", "AWSIdentityStore.ListUsers", {"IdentityStoreId": store, "MaxResults": 1,
                      "Filters": [{"AttributePath": "UserName", "AttributeValue": f"user{a.users - 1:06d}"}]})["Users"]
        if not have:
            print(f"seeding {a.users:,} users through CreateUser (8 threads)...", flush=True)
            s = seed(port, key, store, a.users)
            print(f"seeded {a.users:,} users in {s:.1f} s ({a.users / s:,.0f}/s)")
        c = Client(port, key)  # a fresh connection for the timed calls
        rows = []
        rows.append(("ListUsers, first page (25)",) + timed(lambda: c.call(
            "identitystore", "AWSIdentityStore.ListUsers", {"IdentityStoreId": store, "MaxResults": 25}), a.samples))
        n = [0]

        def search():
            n[0] += 1
            name = f"user{(n[0] * 7919) % a.users:06d}"
            r = c.call("identitystore", "AWSIdentityStore.ListUsers", {"IdentityStoreId": store, "MaxResults": 25,
                       "Filters": [{"AttributePath": "UserName", "AttributeValue": name}]})
            assert len(r["Users"]) == 1, name
        rows.append(("ListUsers, exact UserName search",) + timed(search, a.samples))
        token = None
        for _ in range(40):
            token = c.call("identitystore", "AWSIdentityStore.ListUsers",
                           {"IdentityStoreId": store, "MaxResults": 25, **({"NextToken": token} if token else {})})["NextToken"]
        rows.append(("ListUsers, page 41 by NextToken",) + timed(lambda: c.call(
            "identitystore", "AWSIdentityStore.ListUsers", {"IdentityStoreId": store, "MaxResults": 25, "NextToken": token}),
            a.samples))
        # AtriumAdmin.SearchUsers (the console's search since issue 14's finish): a prefix of the
        # user name, display name or e-mail, in the order of the column chosen, keyset-paged.
        def search_users(body, at_least=1):
            def go():
                n[0] += 1
                r = c.call("sso-directory", "AtriumAdmin.SearchUsers", body(n[0]))
                assert len(r["Users"]) >= at_least, body(n[0])
            return go
        rows.append(("SearchUsers, user-name prefix (10 matches)",) + timed(search_users(
            lambda i: {"Prefix": f"user{(i * 7919) % (a.users // 10):05d}", "MaxResults": 25}), a.samples))
        rows.append(("SearchUsers, display-name prefix, sorted by display name",) + timed(search_users(
            lambda i: {"Prefix": f"User {(i * 7919) % a.users}", "SortBy": "DISPLAY_NAME", "MaxResults": 25}), a.samples))
        rows.append(("SearchUsers, e-mail prefix, sorted by e-mail",) + timed(search_users(
            lambda i: {"Prefix": f"user{(i * 7919) % a.users:06d}@", "SortBy": "EMAIL", "MaxResults": 25}), a.samples))
        rows.append(("SearchUsers, display-name prefix 'User 1' (11,111 matches), descending",) + timed(search_users(
            lambda i: {"Prefix": "User 1", "SortBy": "DISPLAY_NAME", "SortOrder": "DESCENDING", "MaxResults": 25}, 25),
            a.samples))
        rows.append(("SearchUsers, no prefix, sorted by e-mail (first page)",) + timed(search_users(
            lambda i: {"SortBy": "EMAIL", "MaxResults": 25}, 25), a.samples))
        token = None
        for _ in range(40):
            token = c.call("sso-directory", "AtriumAdmin.SearchUsers", {"SortBy": "DISPLAY_NAME", "SortOrder": "DESCENDING",
                           "MaxResults": 25, **({"NextToken": token} if token else {})})["NextToken"]
        rows.append(("SearchUsers, by display name descending, page 41 by NextToken",) + timed(search_users(
            lambda i: {"SortBy": "DISPLAY_NAME", "SortOrder": "DESCENDING", "MaxResults": 25, "NextToken": token}, 25),
            a.samples))
        req, otp, _ = console_session(port, a.atrium, data, key, store)
        # The portal's sign-in: start, the one-time password, then the new password it asks for.
        st, w = req("POST", "/portal/api/signin/start", {"userName": ADMIN})
        st, step = req("POST", "/portal/api/signin/password", {"workflowId": w.get("workflowId"), "password": otp})
        if step.get("next") == "new-password":
            st, step = req("POST", "/portal/api/signin/new-password", {"workflowId": w.get("workflowId"),
                                                                      "newPassword": f"Bench-Passw0rd!{int(time.time())}"})  # a kept directory: not a recent one
        ok = st == 200
        if ok:
            st, sess = req("GET", "/portal/api/session")
            csrf = sess.get("csrfToken", "")

            def door():
                n[0] += 1
                name = f"user{(n[0] * 7919) % a.users:06d}"
                st2, r = req("POST", "/portal/api/console", {"IdentityStoreId": store, "MaxResults": 25,
                             "Filters": [{"AttributePath": "UserName", "AttributeValue": name}]},
                             {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSIdentityStore.ListUsers",
                              "X-CSRF-Token": csrf})
                assert st2 == 200 and len(r["Users"]) == 1, (st2, r)
            def door_search():
                n[0] += 1
                st2, r = req("POST", "/portal/api/console", {"Prefix": f"User {(n[0] * 7919) % a.users}",
                             "SortBy": "DISPLAY_NAME", "MaxResults": 25},
                             {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AtriumAdmin.SearchUsers",
                              "X-CSRF-Token": csrf})
                assert st2 == 200 and len(r["Users"]) >= 1, (st2, r)
            try:
                rows.append(("console door, exact UserName search",) + timed(door, a.samples))
                rows.append(("console door, SearchUsers display-name prefix",) + timed(door_search, a.samples))
            except AssertionError as e:
                print(f"(console door not measured: {e})")
        else:
            print(f"(console door not measured: the sign-in answered {st} {step})")
        print(f"\n{a.users:,} users, {a.samples} sequential calls each, one keep-alive HTTPS connection, loopback")
        print("| call | p50 ms | p99 ms |\n|---|---:|---:|")
        for name, p50, p99 in rows:
            print(f"| {name} | {p50:.2f} | {p99:.2f} |")
        print(f"load average during the run: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
