"""No state on a node (issue 13 item 2): two Atrium nodes on one PostgreSQL database, each
addressed directly (no load balancer), and whatever one node began the other continues.

- a portal sign-in with password + TOTP started on node A completes on node B (the browser's
  cookie jar goes along), and the session works on both;
- an authenticator-app enrollment begun on A is confirmed on B;
- login throttling counts the failures made on both nodes against one account;
- a provisioning job claimed by node A, which is then SIGKILLed in the middle of it, is finished
  by node B once A's lease has expired;
- disabling a user through node A ends their session on node B at once.

PostgreSQL is Debian's postgresql-15, started by the test in a temporary directory (see
conftest.Postgres); without its binaries every test here is skipped and says how to get them.
TOTP codes come from Debian's oathtool.
"""
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid

import boto3
import botocore.config
import pytest
import requests

from conftest import REGION, Server, free_port, new_user, scim_enabled, throwaway_postgres

PASSWORD = "pg-state-secret-51c2"  # the database password, only in the password file
USER_PASSWORD = "Nodes-Share-State-42"
OATHTOOL = shutil.which("oathtool") or "/usr/bin/oathtool"
UA = "Mozilla/5.0 (X11; Linux x86_64) AtriumNodesTest/1.0"
LEASE_SECONDS = 3


@pytest.fixture
def cluster():
    with throwaway_postgres("atrium-pg-state-", PASSWORD) as (pg, tmp, password_file):
        pg.createdb("atrium")
        yield pg, tmp, password_file


class Nodes:
    """Node A and node B of one deployment: one database, one master key, one public URL."""

    def __init__(self, pg, tmp, password_file, extra_a=(), extra_b=(), start_b=True):
        self.public = f"https://localhost:{free_port()}/portal"  # the balancer's URL, never dialled
        common = ["passwords.argon2_memory_kib=8192", "passwords.argon2_iterations=1",
                  f"portal.public_url={self.public}", f"provisioner.job_lease_seconds={LEASE_SECONDS}"]
        store = pg.store_settings("atrium", password_file)
        (tmp / "a").mkdir()
        self.a = Server(tmp / "a", settings=common + list(extra_a), store=store)
        self.a.key = self.a.create_key()
        self.a.store_id = self.a.key["IdentityStoreId"]
        (tmp / "b").mkdir()
        shutil.copy2(tmp / "a" / "master.key", tmp / "b" / "master.key")
        self.b = Server(tmp / "b", settings=common + list(extra_b), store=store)
        self.b.key, self.b.store_id = self.a.key, self.a.store_id
        self.a.start()
        if start_b:
            self.b.start()

    def stop(self):
        for n in (self.a, self.b):
            if n.proc is not None:
                n.stop(timeout=60)


@pytest.fixture
def nodes(cluster):
    pg, tmp, password_file = cluster
    n = Nodes(pg, tmp, password_file)
    yield n
    n.stop()


class Browser:
    """One browser (one cookie jar) that may send each request to either node."""

    def __init__(self, node):
        self.node = node
        self.s = requests.Session()
        self.s.verify = False
        self.s.headers["User-Agent"] = UA
        self.csrf = None

    def url(self, path, node=None):
        return f"https://127.0.0.1:{(node or self.node).port}{path}"

    def post(self, path, body=None, node=None):
        h = {"Content-Type": "application/json"}
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        return self.s.post(self.url(path, node), data=json.dumps(body or {}), headers=h, timeout=30, verify=False)

    def get(self, path, node=None):
        return self.s.get(self.url(path, node), timeout=30, verify=False)

    def step(self, step, body, node=None, expect=200):
        r = self.post("/portal/api/signin/" + step, body, node)
        assert r.status_code == expect, (step, r.status_code, r.text)
        out = r.json()
        if out.get("next") == "done":
            self.csrf = out["csrfToken"]
        return out


def totp(secret, offset=0):
    args = [OATHTOOL, "--totp", "-b", secret]
    if offset:
        args += ["--now", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(time.time() + offset))]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def mfa_settings(node, *args):
    node.cli("admin", "mfa", "settings", *args)


def user_with_password(node):
    """A user whose password is USER_PASSWORD (a one-time password changed at a first sign-in)."""
    name = "u" + uuid.uuid4().hex[:10]
    uid = new_user(node.client(), node.store_id, name, email=f"{name}@example.test")
    otp = json.loads(node.cli("admin", "user", "reset-password", "--user", name, "--one-time-password",
                              "--json").stdout)["OneTimePassword"]
    b = Browser(node)
    wf = b.step("start", {"userName": name})["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": otp})["next"] == "new-password"
    b.step("new-password", {"workflowId": wf, "newPassword": USER_PASSWORD})
    return name, uid


def signed_in(b):
    assert b.get("/portal/api/session", b.node).json()["signedIn"] is True


def test_totp_enrollment_begun_on_a_is_confirmed_on_b_and_a_sign_in_moves_from_a_to_b(nodes):
    a, b = nodes.a, nodes.b
    if not os.path.exists(OATHTOOL):
        pytest.skip("oathtool is missing: apt-get install oathtool (./scripts/install-deps)")
    mfa_settings(a, "--mode", "always-on", "--without-device", "require-registration")
    name, _ = user_with_password(a)

    # Enrollment: the password and the QR code on A, the confirming code on B.
    br = Browser(a)
    wf = br.step("start", {"userName": name})["workflowId"]
    assert br.step("password", {"workflowId": wf, "password": USER_PASSWORD})["next"] == "register-mfa"
    begin = br.step("register/totp/begin", {"workflowId": wf})
    done = br.step("register/totp/finish", {"workflowId": wf, "enrollmentId": begin["enrollmentId"],
                                            "code": totp(begin["secret"]), "name": "phone"}, node=b)
    assert done["next"] == "done"
    # Confirmed once: the same enrollment is gone on both nodes.
    again = br.post("/portal/api/signin/register/totp/finish",
                    {"workflowId": wf, "enrollmentId": begin["enrollmentId"], "code": totp(begin["secret"]),
                     "name": "phone"}, node=a)
    assert again.status_code == 400 and "expired or does not exist" in again.json()["message"], again.text

    # Sign-in: start and password on A, the TOTP code on B; the session is good on both.
    br2 = Browser(a)
    wf2 = br2.step("start", {"userName": name})["workflowId"]
    m = br2.step("password", {"workflowId": wf2, "password": USER_PASSWORD})
    assert m["next"] == "mfa" and m["methods"] == ["TOTP"]
    fin = br2.step("mfa", {"workflowId": wf2, "type": "TOTP", "code": totp(begin["secret"], 30),
                           "trustDevice": False}, node=b)
    assert fin["next"] == "done"
    for n in (a, b):
        s = br2.get("/portal/api/session", n).json()
        assert s["signedIn"] is True and s["user"]["userName"] == name, (n.port, s)
    # The finished workflow is gone for every node: no second session from it.
    r = br2.post("/portal/api/signin/mfa", {"workflowId": wf2, "type": "TOTP", "code": totp(begin["secret"], 60),
                                            "trustDevice": False}, node=a)
    assert r.status_code == 400 and "expired or does not exist" in r.json()["message"], r.text


def test_a_sign_in_started_on_a_finishes_on_b_once(nodes):
    """start writes nothing (issue 18 item 6): the started sign-in travels sealed in its
    workflowId, which node B opens with the shared master key; B's password step takes its id in
    the store, so the same workflowId starts no second session on either node."""
    a, b = nodes.a, nodes.b
    mfa_settings(a, "--mode", "disabled")
    name, _ = user_with_password(a)
    br = Browser(a)
    wf = br.step("start", {"userName": name})["workflowId"]
    assert br.step("password", {"workflowId": wf, "password": USER_PASSWORD}, node=b)["next"] == "done"
    signed_in(br)
    for n in (a, b):
        r = Browser(n).post("/portal/api/signin/password", {"workflowId": wf, "password": USER_PASSWORD}, n)
        assert r.status_code == 400 and "expired or does not exist" in r.json()["message"], (n.port, r.text)


@pytest.fixture
def slow_lock_nodes(cluster):
    """Nodes whose first lockout lasts a minute: the checks after the fifth failure take more than
    the default 1 s on a loaded machine, and a lock that ended meanwhile would let them pass."""
    pg, tmp, password_file = cluster
    lock = ["portal.first_lockout_seconds=60"]
    n = Nodes(pg, tmp, password_file, extra_a=lock, extra_b=lock)
    yield n
    n.stop()


def test_login_throttling_counts_the_failures_of_both_nodes(slow_lock_nodes):
    a, b = slow_lock_nodes.a, slow_lock_nodes.b
    mfa_settings(a, "--mode", "disabled")
    name, _ = user_with_password(a)
    # Five wrong passwords (the account's allowance), alternating between the nodes: 3 on A, 2 on
    # B. Counted per node, neither would lock.
    for i in range(5):
        node = (a, b)[i % 2]
        br = Browser(node)
        wf = br.step("start", {"userName": name})["workflowId"]
        r = br.post("/portal/api/signin/password", {"workflowId": wf, "password": "Bad-Guess-000"})
        assert r.status_code == 401, (i, r.text)
    for node in (a, b):
        br = Browser(node)
        wf = br.step("start", {"userName": name})["workflowId"]
        r = br.post("/portal/api/signin/password", {"workflowId": wf, "password": USER_PASSWORD})
        assert r.status_code == 429 and r.json()["error"] == "TooManyAttempts", (node.port, r.text)
        assert 1 <= int(r.headers["Retry-After"]) <= 60


def test_disabling_a_user_on_a_ends_their_session_on_b_at_once(nodes):
    a, b = nodes.a, nodes.b
    mfa_settings(a, "--mode", "disabled")
    name, uid = user_with_password(a)
    br = Browser(b)
    wf = br.step("start", {"userName": name})["workflowId"]
    assert br.step("password", {"workflowId": wf, "password": USER_PASSWORD})["next"] == "done"
    signed_in(br)
    scim = scim_enabled(a)
    r = scim.patch(f"/Users/{uid}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                     "Operations": [{"op": "replace", "path": "active", "value": False}]})
    assert r.status_code == 200, r.text
    assert br.get("/portal/api/session", b).json() == {"signedIn": False}
    assert br.get("/portal/api/portal/accounts", b).status_code == 401


class BlackHole:
    """A TCP listener that accepts and never answers: node A's IAM and STS endpoint, so that A's
    provisioning job is in the middle of a provisioner call when A is killed."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.conns = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            self.accepted.set()

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


def sso(node):
    cfg = botocore.config.Config(retries={"max_attempts": 1})
    return boto3.client("sso-admin", region_name=REGION, endpoint_url=node.endpoint, verify=False, config=cfg,
                        aws_access_key_id=node.key["AccessKeyId"], aws_secret_access_key=node.key["SecretAccessKey"])


def test_a_job_whose_node_was_killed_is_finished_by_the_other_after_the_lease(cluster, monkeypatch):
    pg, tmp, password_file = cluster
    hole = BlackHole()
    # Node A provisions through aws-iam into the black hole; node B records only. B starts after
    # A holds the job, so that the only way for B to get it is A's lease expiring.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    endpoint = f"http://127.0.0.1:{hole.port}"
    n = Nodes(pg, tmp, password_file, start_b=False,
              extra_a=["provisioner.kind=aws-iam", f"provisioner.iam_endpoint={endpoint}",
                       f"provisioner.sts_endpoint={endpoint}", "provisioner.management_account_id=111122223333"])
    try:
        a, b = n.a, n.b
        account = "210987654321"
        a.cli("admin", "org", "register-account", "--id", account, "--name", "workload",
              "--email", "workload@example.com")
        c = sso(a)
        instance = c.list_instances()["Instances"][0]["InstanceArn"]
        ps = c.create_permission_set(InstanceArn=instance, Name="Killed")["PermissionSet"]["PermissionSetArn"]
        user = new_user(a.client(), a.store_id, "job-" + uuid.uuid4().hex[:6])
        req = c.create_account_assignment(InstanceArn=instance, TargetId=account, TargetType="AWS_ACCOUNT",
                                          PermissionSetArn=ps, PrincipalType="USER", PrincipalId=user)
        rid = req["AccountAssignmentCreationStatus"]["RequestId"]

        # A has claimed the job and is inside a provisioner call when it dies.
        assert hole.accepted.wait(60), "node A never called its provisioner"
        owner = a.query(f"SELECT lease_owner FROM assignment_requests WHERE request_id = '{rid}'")
        assert owner and f":{a.proc.pid}:" in owner[0], owner
        a.stop(sig=9)

        b.start()
        deadline = time.time() + 60 + LEASE_SECONDS
        while True:
            s = sso(b).describe_account_assignment_creation_status(
                InstanceArn=instance, AccountAssignmentCreationRequestId=rid)["AccountAssignmentCreationStatus"]
            if s["Status"] != "IN_PROGRESS" or time.time() > deadline:
                break
            time.sleep(0.2)
        assert s["Status"] == "SUCCEEDED", s
        finished_by = b.query(f"SELECT lease_owner FROM assignment_requests WHERE request_id = '{rid}'")
        assert f":{b.proc.pid}:" in finished_by[0], finished_by
        got = sso(b).list_account_assignments(InstanceArn=instance, AccountId=account, PermissionSetArn=ps)
        assert [x["PrincipalId"] for x in got["AccountAssignments"]] == [user]
    finally:
        n.stop()
        hole.close()
