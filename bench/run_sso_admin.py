#!/usr/bin/python3
"""One command for the sso-admin benchmark (issue 4): Atrium and moto_server side by side.

1. 1,000 account assignments (10 principals x 10 accounts x 10 permission sets), each from
   CreateAccountAssignment to SUCCEEDED, 10 clients (the service's outstanding-request limit):
   Atrium with the record-only provisioner, Atrium with the AWS IAM provisioner pointed at
   moto_server (roles and SAML providers really created in moto's IAM), and moto's own
   sso-admin implementation.
2. ListAccountAssignments and ListAccountAssignmentsForPrincipal with 100,000 assignments stored
   (1,000 principals x 10 accounts x 10 permission sets; --quick: 10,000), 1 and 8 clients,
   Atrium (record-only) against moto's sso-admin.

Prints a table with the ratio and writes bench/results/sso-admin-latest.json. Everything runs on
127.0.0.1; moto_server comes from the pyenv Python on PATH.

Usage: make bench-sso-admin   (or: /usr/bin/python3 bench/run_sso_admin.py --atrium build/atrium [--quick])
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import boto3
import botocore.config
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import free_port, wait_port  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
CFG = botocore.config.Config(retries={"max_attempts": 8, "mode": "standard"}, max_pool_connections=32)


def client(service, endpoint, key, secret):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", verify=False,
                        aws_access_key_id=key, aws_secret_access_key=secret, config=CFG)


def start_moto():
    """moto_server with AWS managed policies loaded (attaching ReadOnlyAccess needs them)."""
    exe = shutil.which("moto_server") or os.path.expanduser("~/.pyenv/shims/moto_server")
    if not os.path.exists(exe):
        return None, None
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc, port


def start_atrium(binary, data, settings=(), env=None):
    key = json.loads(subprocess.run([binary, "admin", "create-access-key", "--json", "--data-dir", data],
                                    check=True, capture_output=True, text=True).stdout)
    port_file = pathlib.Path(data) / "port"
    args = [binary, "serve", "--data-dir", data, "--set", "server.port=0", "--set", f"port_file={port_file}",
            "--set", "throttle.default_rate=100000000", "--set", "log_level=warn"]
    for s in settings:
        args += ["--set", s]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(pathlib.Path(data) / "server.log", "w"),
                            env=env)
    deadline = time.time() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        if time.time() > deadline or proc.poll() is not None:
            raise SystemExit("atrium did not start: " + (pathlib.Path(data) / "server.log").read_text()[-2000:])
        time.sleep(0.05)
    return proc, int(port_file.read_text()), key


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def accounts(n):
    return [f"{100000000000 + 7919 * (i + 1):012d}" for i in range(n)]


def atrium_setup(binary, data, endpoint, key, n_principals, n_accounts, n_ps):
    """Registers accounts (CLI), creates users (identitystore) and permission sets (sso-admin)."""
    accts = accounts(n_accounts)
    for i, a in enumerate(accts):
        subprocess.run([binary, "admin", "org", "register-account", "--id", a, "--name", f"bench-{i}",
                        "--email", f"bench-{i}@bench.example", "--data-dir", data],
                       check=True, capture_output=True, text=True)
    sso = client("sso-admin", endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    ids = client("identitystore", endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    inst = sso.list_instances()["Instances"][0]
    store = inst["IdentityStoreId"]
    users = [ids.create_user(IdentityStoreId=store, UserName=f"bench-{i}", DisplayName=f"bench {i}",
                             Name={"GivenName": "Bench", "FamilyName": str(i)})["UserId"]
             for i in range(n_principals)]
    ps = [sso.create_permission_set(InstanceArn=inst["InstanceArn"], Name=f"bench-{i}")
          ["PermissionSet"]["PermissionSetArn"] for i in range(n_ps)]
    for arn in ps:
        sso.attach_managed_policy_to_permission_set(InstanceArn=inst["InstanceArn"], PermissionSetArn=arn,
                                                     ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    return inst["InstanceArn"], users, accts, ps


def moto_setup(endpoint, n_principals, n_accounts, n_ps):
    sso = client("sso-admin", endpoint, "testing", "testing")
    inst = sso.list_instances()["Instances"][0]["InstanceArn"]
    ps = [sso.create_permission_set(InstanceArn=inst, Name=f"bench-{i}")["PermissionSet"]["PermissionSetArn"]
          for i in range(n_ps)]
    users = [str(uuid.uuid4()) for _ in range(n_principals)]
    return inst, users, accounts(n_accounts), ps


def write_plan(path, inst, users, accts, ps):
    items = [{"account": a, "ps": p, "type": "USER", "principal": u} for u in users for a in accts for p in ps]
    pathlib.Path(path).write_text(json.dumps({"instance_arn": inst, "items": items}))
    return len(items)


def run_gen(gen, host_port, tls, key, secret, plan, mode, clients, extra=()):
    args = [gen, "--endpoint", host_port, "--access-key", key, "--secret-key", secret, "--plan", plan,
            "--mode", mode, "--clients", str(clients), *extra]
    if tls:
        args.append("--tls")
    out = subprocess.run(args, capture_output=True, text=True, timeout=7200)
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-300:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(r, k, f):
    return "-" if not r or k not in r or "error" in r else format(r[k], f)


def row(label, a, m):
    ratio = "-"
    if a and m and "throughput" in a and "throughput" in m and m["throughput"]:
        ratio = f"{a['throughput'] / m['throughput']:.1f}x"
    print(f"{label:<46} {fmt(a, 'throughput', '10.1f')} {fmt(a, 'p50_ms', '8.1f')} {fmt(a, 'p99_ms', '8.1f')}"
          f" | {fmt(m, 'throughput', '10.1f')} {fmt(m, 'p50_ms', '8.1f')} {fmt(m, 'p99_ms', '8.1f')} | {ratio}")
    for side, r in (("atrium", a), ("peer", m)):
        if r and (r.get("errors") or "error" in r):
            print(f"    {side}: {r.get('error') or r.get('first_error')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--generator", default=None)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--quick", action="store_true", help="10,000 stored assignments, 2 s per list run")
    ap.add_argument("--lists-only", action="store_true", help="skip the 1,000-assignment runs (part 1)")
    ap.add_argument("--assign-only", action="store_true", help="only the 1,000-assignment runs (part 1)")
    ap.add_argument("--warm-moto-accounts", action="store_true",
                    help="before the aws-iam run, touch each account in moto (STS) until it answers fast: moto builds "
                         "an account's IAM (with ~1,300 AWS managed policies) on its first calls, ~3 s of Python per "
                         "account, which real IAM does not have")
    a = ap.parse_args()
    gen = a.generator or str(pathlib.Path(a.atrium).parent / "bench" / "sso_admin_load")
    big_principals = 100 if a.quick else 1000
    duration = 2.0 if a.quick else a.duration
    results = {"assign": {}, "list": {}}
    work = tempfile.mkdtemp(prefix="atrium-bench-sso-")
    moto_proc, moto_port = start_moto()
    if not moto_proc:
        raise SystemExit("moto_server not found (pyenv python with moto)")
    moto = f"http://127.0.0.1:{moto_port}"
    procs = []
    try:
        if not a.lists_only:
            part_one(a, gen, work, moto, moto_port, procs, results)
        if not a.assign_only:
            run_lists(a, gen, work, procs, results, big_principals, duration)
    finally:
        for p in procs:
            stop(p)
        stop(moto_proc)
        shutil.rmtree(work, ignore_errors=True)
    out = REPO / "bench" / "results" / "sso-admin-latest.json"
    out.parent.mkdir(exist_ok=True)  # bench/results/ is not in the repository
    out.write_text(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quick": a.quick,
                               "results": results}, indent=1))
    print(f"\nwritten to {out}")


def warm_moto(moto, accts):
    """moto's first two calls into an account build its IAM backend (seconds each, under load)."""
    sts = client("sts", moto, "testing", "testing")
    for _ in range(3):
        sts.get_caller_identity()
    for acct in accts:
        for i in range(4):
            t = time.monotonic()
            sts.assume_role(RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole", RoleSessionName="warm")
            if i >= 1 and time.monotonic() - t < 0.2:
                break


def part_one(a, gen, work, moto, moto_port, procs, results):
    if True:
        # 1a. record-only
        d = os.path.join(work, "record"); os.makedirs(d)
        p, port, key = start_atrium(a.atrium, d); procs.append(p)
        ep = f"https://127.0.0.1:{port}"
        inst, users, accts, ps = atrium_setup(a.atrium, d, ep, key, 10, 10, 10)
        plan = os.path.join(work, "plan-record.json")
        n = write_plan(plan, inst, users, accts, ps)
        results["assign"]["record-only"] = run_gen(gen, f"127.0.0.1:{port}", True, key["AccessKeyId"],
                                                   key["SecretAccessKey"], plan, "assign", 10)
        stop(p)
        # 1b. AWS IAM provisioner into moto
        d = os.path.join(work, "iam"); os.makedirs(d)
        # The provisioner's base credentials come from the environment (docs/provisioning.md).
        moto_env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        moto_env.pop("AWS_SESSION_TOKEN", None)
        p, port, key = start_atrium(a.atrium, d, ["provisioner.kind=aws-iam", f"provisioner.iam_endpoint={moto}",
                                                  f"provisioner.sts_endpoint={moto}"], env=moto_env)
        procs.append(p)
        ep = f"https://127.0.0.1:{port}"
        inst, users, accts, ps = atrium_setup(a.atrium, d, ep, key, 10, 10, 10)
        if a.warm_moto_accounts:
            warm_moto(moto, accts)
        plan = os.path.join(work, "plan-iam.json")
        write_plan(plan, inst, users, accts, ps)
        results["assign"]["aws-iam (moto)"] = run_gen(gen, f"127.0.0.1:{port}", True, key["AccessKeyId"],
                                                      key["SecretAccessKey"], plan, "assign", 10)
        stop(p)
        # 1c. moto's own sso-admin
        inst, users, accts, ps = moto_setup(moto, 10, 10, 10)
        plan = os.path.join(work, "plan-moto.json")
        write_plan(plan, inst, users, accts, ps)
        results["assign"]["moto"] = run_gen(gen, f"127.0.0.1:{moto_port}", False, "testing", "testing", plan,
                                            "assign", 10)
        print(f"\n{n} assignments, request -> SUCCEEDED, 10 clients")
        print(f"{'':<46} {'atrium/s':>10} {'p50 ms':>8} {'p99 ms':>8} | {'moto/s':>10} {'p50 ms':>8} {'p99 ms':>8} | ratio")
        row("Atrium record-only vs moto sso-admin", results["assign"]["record-only"], results["assign"]["moto"])
        row("Atrium aws-iam into moto IAM vs moto sso-admin", results["assign"]["aws-iam (moto)"], results["assign"]["moto"])



def run_lists(a, gen, work, procs, results, big_principals, duration):
    # 2. listings with many stored assignments (a moto of their own, holding only these)
    moto_proc, moto_port = start_moto()
    procs.append(moto_proc)
    moto = f"http://127.0.0.1:{moto_port}"
    if True:
        d = os.path.join(work, "big"); os.makedirs(d)
        p, port, key = start_atrium(a.atrium, d, ["sso_admin.max_outstanding_requests=1000"]); procs.append(p)
        ep = f"https://127.0.0.1:{port}"
        inst, users, accts, ps = atrium_setup(a.atrium, d, ep, key, big_principals, 10, 10)
        aplan = os.path.join(work, "plan-big-atrium.json")
        stored = write_plan(aplan, inst, users, accts, ps)
        t0 = time.time()
        seed = run_gen(gen, f"127.0.0.1:{port}", True, key["AccessKeyId"], key["SecretAccessKey"], aplan,
                       "assign", 32, ["--poll-ms", "5"])
        results["seed_atrium"] = {**seed, "wall_seconds": time.time() - t0}
        minst, musers, maccts, mps = moto_setup(moto, big_principals, 10, 10)
        mplan = os.path.join(work, "plan-big-moto.json")
        write_plan(mplan, minst, musers, maccts, mps)
        t0 = time.time()
        mseed = run_gen(gen, f"127.0.0.1:{moto_port}", False, "testing", "testing", mplan, "assign", 8,
                        ["--poll-ms", "5"])
        results["seed_moto"] = {**mseed, "wall_seconds": time.time() - t0}
        print(f"\nseeding {stored} assignments: atrium {results['seed_atrium']['wall_seconds']:.1f} s, "
              f"moto {results['seed_moto']['wall_seconds']:.1f} s")
        print(f"\nlistings with {stored} assignments stored, {duration:g} s per run")
        print(f"{'':<46} {'atrium/s':>10} {'p50 ms':>8} {'p99 ms':>8} | {'moto/s':>10} {'p50 ms':>8} {'p99 ms':>8} | ratio")
        for op in ("ListAccountAssignments", "ListAccountAssignmentsForPrincipal"):
            for c in (1, 8):
                ar = run_gen(gen, f"127.0.0.1:{port}", True, key["AccessKeyId"], key["SecretAccessKey"], aplan,
                             "list", c, ["--operation", op, "--duration", str(duration)])
                mr = run_gen(gen, f"127.0.0.1:{moto_port}", False, "testing", "testing", mplan, "list", c,
                             ["--operation", op, "--duration", str(duration)])
                results["list"][f"{op}/{c}"] = {"atrium": ar, "moto": mr}
                row(f"{op} x{c}", ar, mr)


if __name__ == "__main__":
    main()
