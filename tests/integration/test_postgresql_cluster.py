"""Several stateless nodes on one PostgreSQL behind HAProxy (issue 13 items 3 and 5), all real:
Debian's PostgreSQL 15 (a throwaway cluster), two Atrium nodes started as deploy/systemd/atrium.service
starts one (its ExecStart command line and ATRIUM_CONFIG file), and Debian's HAProxy 2.6 running
deploy/haproxy/atrium.cfg (only its addresses, ports and file paths replaced) with health checks
on /readyz.

- SIGKILL of one node during a SCIM write burst through HAProxy: clients retry (through HAProxy,
  which has taken the node out), and every write a client got a 201 for is there afterwards.
- PostgreSQL restarted under load: while it is down the nodes answer at once with SCIM's error
  shape (no hang) and /readyz says 503; after it is back the same node processes serve again
  (no restart), and nothing acknowledged is lost.
- SCIM ETags and If-Match across nodes: a version read on node A, written on node B, then a
  write on A with the stale If-Match -> 412.
- The same userName created on two nodes at once: exactly one 201, the other SCIM's 409
  uniqueness error.

Runs in `make integration-postgresql` (not in `make integration`, hence not in `make test`): a
cluster, two nodes and HAProxy take ~1 minute of a 2-core CI machine (docs/deployment.md
"Testing against PostgreSQL"). ATRIUM_CLUSTER_TESTS=1 runs it in any suite.
"""
import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest
import requests

import scim_client
from conftest import ATRIUM, PG_BIN, REPO, TEST_STORE, Postgres, Server, free_port

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
DB_PASSWORD = "cluster-secret-9d1e"
WRITERS = 4

pytestmark = pytest.mark.skipif(
    TEST_STORE != "postgresql" and os.environ.get("ATRIUM_CLUSTER_TESTS") != "1",
    reason="the cluster tests run in `make integration-postgresql` (or set ATRIUM_CLUSTER_TESTS=1)")


class Node(Server):
    """A node started as the systemd unit starts one: ExecStart's command line, with its
    settings in the file ATRIUM_CONFIG names (tests only add the port and port file flags)."""

    def __init__(self, data_dir, config_file):
        super().__init__(data_dir, store={"store.kind": "postgresql"})
        self.config_file = config_file
        self.settings = []

    def env(self):
        return dict(os.environ, ATRIUM_CONFIG=str(self.config_file))

    def start(self):
        unit = (REPO / "deploy" / "systemd" / "atrium.service").read_text()
        exec_start = shlex.split(re.search(r"^ExecStart=(.*)$", unit, re.M).group(1))
        assert "ATRIUM_CONFIG=" in unit
        args = [ATRIUM] + [str(self.data_dir) if a == "/var/lib/atrium" else a for a in exec_start[1:]]
        port_file = self.data_dir / "port"
        if self.port is None:
            self.fixed_port = free_port()
        port_file.unlink(missing_ok=True)
        args += ["--set", f"server.port={self.fixed_port}", "--set", f"port_file={port_file}"]
        self.stdout = open(self.data_dir / "server.out", "ab")
        self.stderr = open(self.data_dir / "server.log", "ab")
        self.proc = subprocess.Popen(args, stdout=self.stdout, stderr=self.stderr, env=self.env())
        deadline = time.time() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert self.proc.poll() is None, self.log()
            assert time.time() < deadline, "node did not start"
            time.sleep(0.05)
        self.port = int(port_file.read_text())
        return self


class Cluster:
    def __init__(self, tmp):
        self.tmp = tmp
        self.pg = Postgres(tmp / "pg", DB_PASSWORD).start()
        self.pg.createdb("atrium")
        pw = tmp / "db-password"
        pw.write_text(DB_PASSWORD + "\n")
        os.chmod(pw, 0o600)
        settings = self.pg.store_settings("atrium", pw)
        config = {"store": {"kind": "postgresql", "postgresql": {
            "conninfo": settings["store.postgresql.conninfo"], "password_file": str(pw), "pool_size": 4,
            "acquire_timeout_ms": 3000, "connect_timeout_seconds": 2, "reconnect_backoff_max_ms": 1000}},
            "server": {"bind": "127.0.0.1"}}
        self.config_file = tmp / "atrium.json"
        self.config_file.write_text(json.dumps(config))
        self.nodes = []
        for name in ("node1", "node2"):
            d = tmp / name
            d.mkdir()
            if self.nodes:  # one master key for the deployment
                shutil.copy2(self.nodes[0].data_dir / "master.key", d / "master.key")
            n = Node(d, self.config_file)
            if not self.nodes:
                n.key = n.create_key()
            self.nodes.append(n)
        for n in self.nodes:
            n.key = self.nodes[0].key
            n.store_id = n.key["IdentityStoreId"]
            if n is not self.nodes[0]:  # one certificate for the nodes, the one HAProxy trusts
                shutil.copytree(self.nodes[0].data_dir / "tls", n.data_dir / "tls")
            n.start()
        self.token = scim_client.enable(self.nodes[0])["AccessToken"]
        self.haproxy = None
        self.lb_port = free_port()
        self.start_haproxy()

    def start_haproxy(self):
        node_certs = self.tmp / "nodes-ca.pem"
        node_certs.write_text((self.nodes[0].data_dir / "tls" / "cert.pem").read_text())
        front = self.tmp / "front.pem"
        first = self.nodes[0].data_dir / "tls"
        front.write_text((first / "cert.pem").read_text() + (first / "key.pem").read_text())
        cfg = (REPO / "deploy" / "haproxy" / "atrium.cfg").read_text()
        cfg = cfg.replace("bind :443", f"bind 127.0.0.1:{self.lb_port}").replace("/etc/haproxy/atrium.pem", str(front))
        cfg = cfg.replace("/etc/haproxy/atrium-nodes-ca.pem", str(node_certs))
        servers = "".join(f"    server {n.data_dir.name} 127.0.0.1:{n.port}\n" for n in self.nodes)
        cfg = re.sub(r"(?m)^\s*server node\d .*\n", "", cfg) + servers
        path = self.tmp / "haproxy.cfg"
        path.write_text(cfg)
        check = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.haproxy_log = open(self.tmp / "haproxy.log", "ab")
        self.haproxy = subprocess.Popen([HAPROXY, "-db", "-f", str(path)], stdout=self.haproxy_log,
                                        stderr=subprocess.STDOUT)
        self.wait_until(lambda: self.lb_get("/readyz").status_code == 200, "HAProxy serves")

    def lb_get(self, path):
        try:
            return requests.get(f"https://127.0.0.1:{self.lb_port}{path}", verify=False, timeout=10)
        except requests.RequestException:
            return _NoResponse()

    @staticmethod
    def wait_until(cond, what, timeout=30):
        deadline = time.time() + timeout
        while not cond():
            assert time.time() < deadline, f"timed out waiting until {what}"
            time.sleep(0.1)

    def scim(self, node=None):
        base = f"https://127.0.0.1:{self.lb_port}/scim/v2" if node is None else scim_client.scim_base(node)
        return scim_client.ScimClient(base, self.token)

    def pg_ctl(self, *args):
        r = subprocess.run([*self.pg.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.pg.data), *args],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr

    def stop_postgres(self):
        self.pg_ctl("-m", "fast", "-w", "stop")

    def start_postgres(self):
        self.pg_ctl("-l", str(self.pg.root / "server.log"), "-w", "-o",
                    f"-p {self.pg.port} -k {self.pg.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c max_connections=300", "start")

    def close(self):
        if self.haproxy:
            self.haproxy.terminate()
            self.haproxy.wait(timeout=10)
            self.haproxy_log.close()
        for n in self.nodes:
            if n.proc is not None:
                n.stop(signal.SIGKILL)
        self.pg.stop()


class _NoResponse:
    status_code = 0
    text = ""


@pytest.fixture
def cluster():
    for missing in (Postgres.missing(), None if os.path.exists(HAPROXY) else
                    "HAProxy not found: install Debian's haproxy with scripts/install-deps"):
        if missing:
            pytest.skip(missing)
    with tempfile.TemporaryDirectory(prefix="atrium-cluster-") as tmp:
        os.chmod(tmp, 0o755)
        c = Cluster(pathlib.Path(tmp))
        try:
            yield c
        finally:
            c.close()


class Burst:
    """WRITERS threads creating SCIM users through `client_of()`, each POST retried (on a
    connection error, a 5xx or a timeout) until it is answered 201 - or 409 when an earlier try
    had been committed without its answer reaching the client. Records what was acknowledged."""

    def __init__(self, client_of, per_writer):
        self.client_of = client_of
        self.per_writer = per_writer
        self.acked = {}  # userName -> id
        self.errors = []  # (status, body) of failed tries
        self.lock = threading.Lock()
        self.acks = threading.Semaphore(0)
        self.failure = None

    def writer(self, w):
        try:
            self.write(w)
        except BaseException as e:  # noqa: B902  reported by run()
            self.failure = e
            self.acks.release()

    def write(self, w):
        scim = self.client_of()
        for i in range(self.per_writer):
            name = f"burst-{w}-{i}"
            for _ in range(400):
                try:
                    r = scim.post("/Users", scim_client.user_body(name))
                except requests.RequestException as e:
                    with self.lock:
                        self.errors.append((0, str(e)[:80]))
                    time.sleep(0.05)
                    continue
                if r.status_code == 201 or r.status_code == 409:
                    uid = r.json()["id"] if r.status_code == 201 else None
                    with self.lock:
                        self.acked[name] = uid
                    self.acks.release()
                    break
                with self.lock:
                    self.errors.append((r.status_code, r.text[:300]))
                time.sleep(0.05)
            else:
                raise AssertionError(f"{name} never succeeded: {self.errors[-3:]}")

    def run(self, during):
        threads = [threading.Thread(target=self.writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        try:
            during(self)
        finally:
            for t in threads:
                t.join(timeout=240)
        assert self.failure is None, self.failure
        assert len(self.acked) == WRITERS * self.per_writer

    def wait_acks(self, n):
        for _ in range(n):
            assert self.acks.acquire(timeout=60), "the burst stalled"
            assert self.failure is None, self.failure


def get_retrying(scim, path, params=None):
    """A GET through HAProxy as a client makes it: tried again when the connection broke or the
    balancer had no node for it (until its health check has caught up with a killed node)."""
    for _ in range(50):
        try:
            r = scim.get(path, params=params)
            if r.status_code not in (502, 503):
                return r
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"GET {path} never answered")


def assert_all_present(c, burst):
    scim = c.scim()
    for name, uid in burst.acked.items():
        r = get_retrying(scim, "/Users", params={"filter": f'userName eq "{name}"'})
        assert r.status_code == 200, r.text
        found = r.json()["Resources"]
        assert len(found) == 1, (name, found)  # exactly once, also after the client's retries
        if uid is not None:
            assert found[0]["id"] == uid


def test_sigkill_one_node_during_a_scim_write_burst(cluster):
    c = cluster
    victim = c.nodes[0]

    def kill_midway(burst):
        burst.wait_acks(20)
        victim.proc.send_signal(signal.SIGKILL)  # no shutdown: what was acknowledged is committed
        victim.proc.wait()
        victim.proc = None

    burst = Burst(c.scim, per_writer=25)
    burst.run(kill_midway)
    assert_all_present(c, burst)
    # HAProxy took the dead node out by its health check; the other serves /readyz through it.
    assert c.lb_get("/readyz").status_code == 200
    victim.start()  # same port: HAProxy's check brings it back
    c.wait_until(lambda: requests.get(f"{victim.endpoint}/readyz", verify=False, timeout=5).status_code == 200,
                 "the restarted node is ready")


def test_postgresql_restart_under_load(cluster):
    c = cluster
    node = c.nodes[1]
    seen_down = []

    def restart_midway(burst):
        burst.wait_acks(15)
        c.stop_postgres()
        # While PostgreSQL is down: an answer in SCIM's error shape, quickly, and /readyz 503.
        t0 = time.time()
        r = c.scim(node).post("/Users", scim_client.user_body("while-down"))
        seen_down.append((r.status_code, r.json(), time.time() - t0))
        ready = requests.get(f"{node.endpoint}/readyz", verify=False, timeout=30)
        seen_down.append((ready.status_code, ready.json(), 0))
        c.start_postgres()

    burst = Burst(lambda: c.scim(node), per_writer=20)
    burst.run(restart_midway)
    (status, body, took), (ready_status, ready_body, _) = seen_down
    assert status in (500, 503), (status, body)
    assert body["schemas"] == [scim_client.ERROR_URN] and body["status"] == str(status), body
    assert took < 15, f"a request while the database is down took {took:.1f} s"
    assert ready_status == 503 and ready_body["status"] == "unavailable"
    assert any(s >= 500 for s, _ in burst.errors), "the burst saw the outage"
    # The same processes serve again, and every acknowledged write is there.
    assert all(n.proc.poll() is None for n in c.nodes)
    c.wait_until(lambda: requests.get(f"{node.endpoint}/readyz", verify=False, timeout=5).status_code == 200,
                 "the node is ready again")
    assert_all_present(c, burst)


def test_etag_and_if_match_hold_across_nodes(cluster):
    c = cluster
    a, b = c.scim(c.nodes[0]), c.scim(c.nodes[1])
    created = a.post("/Users", scim_client.user_body("etag-user"))
    assert created.status_code == 201, created.text
    uid = created.json()["id"]
    read_on_a = a.get(f"/Users/{uid}")
    etag = read_on_a.headers["ETag"]
    assert b.get(f"/Users/{uid}").headers["ETag"] == etag  # the version lives in the database
    changed = b.patch(f"/Users/{uid}", scim_client.patch_body(("replace", "displayName", "Changed On B")),
                      headers={"If-Match": etag})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] != etag
    stale = a.patch(f"/Users/{uid}", scim_client.patch_body(("replace", "displayName", "Stale On A")),
                    headers={"If-Match": etag})
    scim_client.assert_error(stale, 412)
    assert a.get(f"/Users/{uid}").json()["displayName"] == "Changed On B"


def test_same_user_name_on_two_nodes_at_once(cluster):
    c = cluster
    clients = [c.scim(n) for n in c.nodes]
    for round_ in range(8):
        name = f"race-{round_}"
        barrier = threading.Barrier(len(clients))
        out = [None] * len(clients)

        def create(i):
            barrier.wait()
            out[i] = clients[i].post("/Users", scim_client.user_body(name, email=f"{name}@example.com"))

        threads = [threading.Thread(target=create, args=(i,)) for i in range(len(clients))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status_code for r in out)
        assert statuses == [201, 409], [(r.status_code, r.text) for r in out]
        loser = next(r for r in out if r.status_code == 409)
        scim_client.assert_error(loser, 409, "uniqueness")
        found = clients[0].get("/Users", params={"filter": f'userName eq "{name}"'}).json()["Resources"]
        assert len(found) == 1
