"""Fixtures that start the real Atrium server on 127.0.0.1 (a free port) for integration tests.

Interpreter: Debian's /usr/bin/python3 with python3-boto3 and python3-pytest from apt
(`make integration` runs it). The AWS CLI used is Debian's v2 at /usr/bin/aws.
"""
import contextlib
import hashlib
import json
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import warnings

import boto3
import botocore.config
import pytest
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

REPO = pathlib.Path(__file__).resolve().parents[2]
ATRIUM = os.environ.get("ATRIUM_BIN", str(REPO / "build" / "atrium"))
REGION = "us-east-1"
PG_BIN = pathlib.Path(os.environ.get("ATRIUM_PG_BIN", "/usr/lib/postgresql/15/bin"))
# ATRIUM_TEST_STORE=postgresql runs every Server on its own database of one throwaway PostgreSQL
# cluster per test process (issue 13): the suite against the second backend.
TEST_STORE = os.environ.get("ATRIUM_TEST_STORE", "sqlite")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL cluster in `root` (Debian's postgresql-15): initdb as the
    unprivileged user atrium-test when we are root (initdb refuses root), the server on a free
    127.0.0.1 port and a unix socket in `root`, fsync off, SCRAM passwords over TCP."""

    def __init__(self, root, password):
        self.root = pathlib.Path(root)
        self.data = self.root / "data"
        self.password = password
        self.port = None
        self.as_owner = []

    @staticmethod
    def missing():
        """Why a cluster cannot start here (None when it can)."""
        if not (PG_BIN / "initdb").exists():
            return (f"PostgreSQL server binaries not found in {PG_BIN}: install them with "
                    "scripts/install-deps (Debian package postgresql-15) or set ATRIUM_PG_BIN")
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("atrium-test")
            except KeyError:
                return ("initdb refuses to run as root and the user atrium-test does not exist: "
                        "scripts/install-deps creates it")
        return None

    def run(self, *args):
        r = subprocess.run([*self.as_owner, *map(str, args)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{args[0]} failed: {r.stdout}{r.stderr}"

    def start(self):
        self.root.mkdir(parents=True, exist_ok=True)
        pwfile = self.root / "initdb-password"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("atrium-test")
            self.as_owner = ["runuser", "-u", "atrium-test", "--"]
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            os.chown(pwfile, owner.pw_uid, owner.pw_gid)
        os.chmod(pwfile, 0o600)
        self.run(PG_BIN / "initdb", "-D", self.data, "-U", "atrium", "--pwfile", pwfile,
                 "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
        self.port = free_port()
        self.run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-w", "-o",
                 f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                 "-c max_connections=300", "start")
        return self

    def createdb(self, name, exist_ok=False):
        r = subprocess.run([*self.as_owner, str(PG_BIN / "createdb"), "-h", str(self.root), "-p", str(self.port),
                            "-U", "atrium", name], capture_output=True, text=True, timeout=120)
        if r.returncode != 0 and not (exist_ok and "already exists" in r.stderr):
            raise AssertionError(f"createdb failed: {r.stdout}{r.stderr}")

    def stop(self):
        if self.port:
            subprocess.run([*self.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=60)
            self.port = None

    def store_settings(self, db, password_file):
        """Atrium's settings for database `db` (the password only as a file's path)."""
        return {
            "store.kind": "postgresql",
            "store.postgresql.conninfo": f"host=127.0.0.1 port={self.port} user=atrium dbname={db}",
            "store.postgresql.password_file": str(password_file),
            "store.postgresql.pool_size": "4",
        }


@contextlib.contextmanager
def throwaway_postgres(prefix, password):
    """A cluster for one test: (Postgres, its temp folder, a 0600 file holding `password`);
    skips with the reason when PostgreSQL cannot start here, stops the cluster afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        os.chmod(tmp, 0o755)  # the cluster's owner (atrium-test) reaches its folder inside
        why = Postgres.missing()
        if why:
            pytest.skip(why)
        pg = Postgres(pathlib.Path(tmp) / "pg", password).start()
        password_file = pathlib.Path(tmp) / "db-password"
        password_file.write_text(password + "\n")
        os.chmod(password_file, 0o600)
        try:
            yield pg, pathlib.Path(tmp), password_file
        finally:
            pg.stop()


_suite_pg = None


def suite_postgres():
    """The cluster of this test process when ATRIUM_TEST_STORE=postgresql (started once)."""
    global _suite_pg
    if _suite_pg is None:
        why = Postgres.missing()
        if why:
            pytest.skip(why)
        root = pathlib.Path(tempfile.mkdtemp(prefix="atrium-suite-pg-"))
        os.chmod(root, 0o755)
        pw = root / "password"
        pw.write_text("suite-secret\n")
        os.chmod(pw, 0o600)
        _suite_pg = (Postgres(root / "pg", "suite-secret").start(), pw)
    return _suite_pg


def pytest_sessionfinish(session, exitstatus):
    """Stops this test process's cluster (each xdist worker has its own) and removes it."""
    global _suite_pg
    if _suite_pg is not None:
        pg, pw = _suite_pg
        _suite_pg = None
        pg.stop()
        shutil.rmtree(pg.root.parent, ignore_errors=True)


class Server:
    """One running `atrium serve` with its data directory and an admin key."""

    def __init__(self, data_dir, settings=(), tls=True, store=None):
        self.data_dir = pathlib.Path(data_dir)
        # The store's settings reach `serve` as --set flags and the admin CLI as ATRIUM_*
        # variables. With ATRIUM_TEST_STORE=postgresql every server gets its own database.
        self.store_settings = dict(store or {})
        if not self.store_settings and TEST_STORE == "postgresql":
            pg, pw = suite_postgres()
            db = "s_" + hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:16]
            pg.createdb(db, exist_ok=True)  # a second Server on one data_dir is the same node again
            self.store_settings = pg.store_settings(db, pw)
        self.settings = [f"{k}={v}" for k, v in self.store_settings.items()] + list(settings)
        self.tls = tls
        self.proc = None
        self.port = None
        self.key = None
        self.stdout = None

    def env(self):
        env = dict(os.environ)
        for k, v in self.store_settings.items():
            env["ATRIUM_" + k.upper().replace(".", "_")] = v
        return env

    @property
    def store_kind(self):
        return self.store_settings.get("store.kind", "sqlite")

    def _psql_env(self):
        env = dict(os.environ)
        pw = self.store_settings.get("store.postgresql.password_file")
        if pw:
            env["PGPASSWORD"] = pathlib.Path(pw).read_text().splitlines()[0]
        return env

    def sql(self, statements):
        """Runs SQL on the store behind the server's back (tests that break or age rows)."""
        if self.store_kind == "postgresql":
            cmd = ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", self.store_settings["store.postgresql.conninfo"],
                   "-c", statements]
            subprocess.run(cmd, check=True, capture_output=True, env=self._psql_env(), timeout=60)
        else:
            subprocess.run(["sqlite3", str(self.data_dir / "atrium.db"), statements], check=True, timeout=60)

    def query(self, sql):
        """The rows of a query on the store behind the server's back, one line each."""
        if self.store_kind == "postgresql":
            cmd = ["psql", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.store_settings["store.postgresql.conninfo"], "-c", sql]
            env = self._psql_env()
        else:
            cmd, env = ["sqlite3", str(self.data_dir / "atrium.db"), sql], None
        return subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, timeout=60).stdout.splitlines()

    def store_bytes(self):
        """Everything the store holds, as bytes (tests that look for secrets in it)."""
        if self.store_kind == "postgresql":
            return subprocess.run([str(PG_BIN / "pg_dump"), "-d", self.store_settings["store.postgresql.conninfo"]],
                                  check=True, capture_output=True, env=self._psql_env(), timeout=120).stdout
        return b"".join(p.read_bytes() for p in self.data_dir.glob("atrium.db*"))

    def cli(self, *args, check=True):
        r = subprocess.run([ATRIUM, *args, "--data-dir", str(self.data_dir)],
                           capture_output=True, text=True, timeout=60, env=self.env())
        if check and r.returncode != 0:
            raise AssertionError(f"atrium {args} failed: {r.stderr}")
        return r

    def create_key(self, user="admin", read_only=False):
        args = ["admin", "create-access-key", "--json", "--user-name", user]
        if read_only:
            args.append("--read-only")
        return json.loads(self.cli(*args).stdout)

    def start(self):
        port_file = self.data_dir / "port"
        if port_file.exists():
            port_file.unlink()
        args = [ATRIUM, "serve", "--data-dir", str(self.data_dir),
                "--set", "server.port=0", "--set", f"port_file={port_file}",
                "--set", f"server.tls={'true' if self.tls else 'false'}"]
        for s in self.settings:
            args += ["--set", s]
        self.stdout = open(self.data_dir / "server.out", "ab")
        self.stderr = open(self.data_dir / "server.log", "ab")
        self.proc = subprocess.Popen(args, stdout=self.stdout, stderr=self.stderr)
        deadline = time.time() + 30
        while time.time() < deadline:
            if port_file.exists():
                text = port_file.read_text().strip()
                if text:
                    self.port = int(text)
                    return self
            if self.proc.poll() is not None:
                raise AssertionError("server exited: " + (self.data_dir / "server.log").read_text())
            time.sleep(0.05)
        raise AssertionError("server did not start in 30 s")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        self.stdout.close()
        self.stderr.close()
        return code

    @property
    def endpoint(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def client(self, key=None, retries=1, validate=True):
        key = key or self.key
        cfg = botocore.config.Config(retries={"max_attempts": retries, "mode": "standard"},
                                     parameter_validation=validate)
        return boto3.client("identitystore", region_name=REGION, endpoint_url=self.endpoint,
                            aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"],
                            verify=False, config=cfg)

    def log(self):
        return (self.data_dir / "server.log").read_text(errors="replace")


def make_server(tmp, settings=(), tls=True):
    s = Server(tmp, settings, tls)
    s.key = s.create_key()
    s.store_id = s.key["IdentityStoreId"]
    return s.start()


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp)
        yield s
        code = s.stop()
        assert code == 0, "graceful shutdown must exit 0"


@pytest.fixture
def fresh_server():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp)
        yield s
        if s.proc is not None:
            s.stop()


def new_user(client, store_id, name, email=None, **extra):
    args = dict(IdentityStoreId=store_id, UserName=name, DisplayName=f"{name} Display",
                Name={"GivenName": "Given", "FamilyName": "Family"})
    if email:
        args["Emails"] = [{"Value": email, "Type": "work", "Primary": True}]
    args.update(extra)
    return client.create_user(**args)["UserId"]


# ---- SCIM (tests/integration/test_scim_*.py) ----------------------------------------------

def scim_enabled(server):
    """Enables automatic provisioning on `server` once; returns a ScimClient with its token."""
    import scim_client
    if getattr(server, "scim_token", None) is None:
        server.scim_token = scim_client.enable(server)
    return scim_client.client_for(server, server.scim_token["AccessToken"])


@pytest.fixture(scope="module")
def scim(server):
    """A SCIM client for the module's shared server (provisioning enabled, one token)."""
    return scim_enabled(server)
