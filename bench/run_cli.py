#!/usr/bin/python3
"""One command for the command-line access benchmark (issue 16): CreateToken with the refresh
grant, ListAccounts and ListAccountRoles, per second and per second of the server's CPU time,
p50/p99, with 1 and 8 keep-alive TLS clients (bench/cli_access_load.cpp, one core).

Anchor: Keycloak's sizing guide plans 120 refresh-token grants per second per vCPU; the aim
is 20 times that per core (2,400/s) for the token and listing calls. Keycloak itself is not run
here (it is not packaged for Debian 12): the figure is its published one.

Setup through the public APIs: 10 accounts, 3 permission sets, one user assigned all 30
(account, permission set) pairs; the user signs in to the portal (MFA off, a one-time password
changed at the first sign-in) and approves one device authorization per token family (the
device flow of RegisterClient, StartDeviceAuthorization, the portal's decision and CreateToken).
Refresh runs get fresh families (a family is spent by the run: its refresh tokens rotate).

GetRoleCredentials with moto_server's STS behind it: a second Atrium with the aws-iam
provisioner and federation.sts_endpoint on moto_server (pyenv's moto 5.2.1), the permission set
provisioned into moto's default account; each call signs an assertion (RSA-2048) and makes one
AssumeRoleWithSAML round trip to moto. Skipped (saying why) without moto_server.

Usage: make bench-cli   (or: /usr/bin/python3 bench/run_cli.py --atrium build/atrium [--duration 10])
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import shutil
import tempfile
import time

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import free_port, wait_port  # noqa: E402
from run_sso_admin import client, stop  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
KEYCLOAK_REFRESH_PER_VCPU = 120
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def start_moto():
    exe = shutil.which("moto_server") or os.path.expanduser("~/.pyenv/shims/moto_server")
    if not os.path.exists(exe):
        return None, None
    port = free_port()
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true"))
    wait_port(port)
    return proc, port


def cli(binary, data, *args):
    return subprocess.run([binary, *args, "--data-dir", data], check=True, capture_output=True, text=True).stdout


def start(binary, data, port, settings=(), env=None):
    key = json.loads(cli(binary, data, "admin", "create-access-key", "--json"))
    cli(binary, data, "admin", "mfa", "settings", "--mode", "disabled")
    port_file = pathlib.Path(data) / "port"
    args = [binary, "serve", "--data-dir", data, "--set", f"server.port={port}", "--set", f"port_file={port_file}",
            "--set", "throttle.default_rate=100000000", "--set", "log_level=warn",
            "--set", f"portal.public_url=https://localhost:{port}/portal"]
    for x in settings:
        args += ["--set", x]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(pathlib.Path(data) / "server.log", "w"), env=env)
    deadline = time.time() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        if time.time() > deadline or proc.poll() is not None:
            raise SystemExit("atrium did not start")
        time.sleep(0.05)
    return proc, key


def setup(binary, data, endpoint, key, accts=None, n_ps=3):
    accts = accts or [f"{100000000000 + 7919 * (i + 1):012d}" for i in range(10)]
    for i, a in enumerate(accts):
        cli(binary, data, "admin", "org", "register-account", "--id", a, "--name", f"bench-{i}",
            "--email", f"bench-{i}@bench.example")
    sso = client("sso-admin", endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    ids = client("identitystore", endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    inst = sso.list_instances()["Instances"][0]
    user = ids.create_user(IdentityStoreId=inst["IdentityStoreId"], UserName="bench", DisplayName="Bench",
                           Name={"GivenName": "Bench", "FamilyName": "User"})["UserId"]
    ps = [sso.create_permission_set(InstanceArn=inst["InstanceArn"], Name=f"role-{i}")["PermissionSet"]["PermissionSetArn"]
          for i in range(n_ps)]
    reqs = [sso.create_account_assignment(InstanceArn=inst["InstanceArn"], TargetId=a, TargetType="AWS_ACCOUNT",
                                          PermissionSetArn=p, PrincipalType="USER", PrincipalId=user)
            ["AccountAssignmentCreationStatus"]["RequestId"] for a in accts for p in ps]
    for r in reqs:
        while sso.describe_account_assignment_creation_status(
                InstanceArn=inst["InstanceArn"], AccountAssignmentCreationRequestId=r)[
                "AccountAssignmentCreationStatus"]["Status"] == "IN_PROGRESS":
            time.sleep(0.05)
    return accts


class Portal:
    """The user's browser session on the portal's JSON API."""

    def __init__(self, base, binary, data):
        self.base = base
        self.s = requests.Session()
        otp = json.loads(cli(binary, data, "admin", "user", "reset-password", "--user", "bench",
                             "--one-time-password", "--json"))["OneTimePassword"]
        wf = self.post("/portal/api/signin/start", {"userName": "bench"})["workflowId"]
        assert self.post("/portal/api/signin/password", {"workflowId": wf, "password": otp})["next"] == "new-password"
        done = self.post("/portal/api/signin/new-password", {"workflowId": wf, "newPassword": "Bench-Pass-2026!"})
        self.csrf = done["csrfToken"]

    def post(self, path, body, csrf=None):
        h = {"Content-Type": "application/json", "Origin": self.base.replace("127.0.0.1", "localhost")}
        if csrf:
            h["X-CSRF-Token"] = csrf
        # verify per call: a session's verify=False loses to REQUESTS_CA_BUNDLE in the environment.
        r = self.s.post(self.base + path, data=json.dumps(body), headers=h, timeout=60, verify=False)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()


def families(base, portal, n):
    out = []
    for _ in range(n):
        c = requests.post(base + "/client/register", json={"clientName": "bench", "clientType": "public",
                                                            "scopes": ["sso:account:access"]}, verify=False).json()
        d = requests.post(base + "/device_authorization", json={
            "clientId": c["clientId"], "clientSecret": c["clientSecret"],
            "startUrl": base.replace("127.0.0.1", "localhost") + "/portal"}, verify=False).json()
        portal.post("/portal/api/device/decide", {"userCode": d["userCode"], "approve": True}, portal.csrf)
        t = requests.post(base + "/token", json={"grantType": "urn:ietf:params:oauth:grant-type:device_code",
                                                 "clientId": c["clientId"], "clientSecret": c["clientSecret"],
                                                 "deviceCode": d["deviceCode"]}, verify=False).json()
        out.append({"client_id": c["clientId"], "client_secret": c["clientSecret"],
                    "access_token": t["accessToken"], "refresh_token": t["refreshToken"]})
    return out


def run_gen(gen, port, plan, mode, clients, duration, pid, extra=()):
    before = cpu_seconds(pid)
    out = subprocess.run([gen, "--endpoint", f"127.0.0.1:{port}", "--plan", plan, "--mode", mode,
                          "--clients", str(clients), "--duration", str(duration), *extra],
                         capture_output=True, text=True, timeout=600)
    used = cpu_seconds(pid) - before
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-300:]}
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["server_cpu_seconds"] = used
    r["per_cpu_second"] = r["requests"] / used if used > 0 else 0
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--gen", default=str(REPO / "build" / "bench" / "cli_access_load"))
    ap.add_argument("--duration", type=float, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="atrium-bench-cli-") as data:
        port = free_port()
        proc, key = start(args.atrium, data, port)
        try:
            base = f"https://127.0.0.1:{port}"
            accts = setup(args.atrium, data, base, key)
            portal = Portal(base, args.atrium, data)
            plan = pathlib.Path(data) / "plan.json"
            rows = []
            for mode in ("refresh", "accounts", "roles"):
                for clients in (1, 8):
                    plan.write_text(json.dumps({"tokens": families(base, portal, clients)}))
                    r = run_gen(args.gen, port, str(plan), mode, clients, args.duration, proc.pid,
                                ["--account", accts[0]] if mode == "roles" else [])
                    r.update(mode=mode, clients=clients)
                    rows.append(r)
        finally:
            stop(proc)
    rows += credentials_rows(args)
    aim = 20 * KEYCLOAK_REFRESH_PER_VCPU
    print(f"{'call':<26}{'clients':>8}{'req/s':>10}{'req/CPU-s':>11}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    names = {"refresh": "CreateToken (refresh)", "accounts": "ListAccounts", "roles": "ListAccountRoles",
             "credentials": "GetRoleCredentials (moto)"}
    for r in rows:
        if "error" in r:
            print(f"{names[r['mode']]:<26}{r['clients']:>8}  {r['error']}")
            continue
        print(f"{names[r['mode']]:<26}{r['clients']:>8}{r['per_second']:>10.0f}{r['per_cpu_second']:>11.0f}"
              f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['errors']:>8}")
    print(f"Keycloak sizing guide: {KEYCLOAK_REFRESH_PER_VCPU} refresh grants/s per vCPU; aim (20x): {aim}/s per core")
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "cli-latest.json").write_text(json.dumps({"rows": rows, "keycloak_per_vcpu": KEYCLOAK_REFRESH_PER_VCPU}, indent=2))


def credentials_rows(args):
    """GetRoleCredentials with moto_server's STS behind Atrium (aws-iam provisioner)."""
    moto, moto_port = start_moto()
    if moto is None:
        return [{"mode": "credentials", "clients": c, "error": "skipped: moto_server (pyenv moto) not found"}
                for c in (1, 8)]
    rows = []
    try:
        endpoint = f"http://127.0.0.1:{moto_port}"
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAATRIUMBENCH", AWS_SECRET_ACCESS_KEY="bench-secret")
        env.pop("AWS_SESSION_TOKEN", None)
        with tempfile.TemporaryDirectory(prefix="atrium-bench-cli-moto-") as data:
            port = free_port()
            proc, key = start(args.atrium, data, port, [
                "provisioner.kind=aws-iam", f"provisioner.iam_endpoint={endpoint}",
                f"provisioner.sts_endpoint={endpoint}", f"federation.sts_endpoint={endpoint}"], env)
            try:
                base = f"https://127.0.0.1:{port}"
                # moto's default account: where its AssumeRoleWithSAML sessions live.
                accts = setup(args.atrium, data, base, key, accts=["123456789012"], n_ps=1)
                portal = Portal(base, args.atrium, data)
                plan = pathlib.Path(data) / "plan.json"
                for clients in (1, 8):
                    plan.write_text(json.dumps({"tokens": families(base, portal, clients)}))
                    r = run_gen(args.gen, port, str(plan), "credentials", clients, args.duration, proc.pid,
                                ["--account", accts[0], "--role", "role-0"])
                    r.update(mode="credentials", clients=clients)
                    rows.append(r)
            finally:
                stop(proc)
    finally:
        stop(moto)
    return rows


if __name__ == "__main__":
    main()
