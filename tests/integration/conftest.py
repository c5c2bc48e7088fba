"""Fixtures that start the real Atrium server on 127.0.0.1 (a free port) for integration tests.

Interpreter: Debian's /usr/bin/python3 with python3-boto3 and python3-pytest from apt
(`make integration` runs it). The AWS CLI used is Debian's v2 at /usr/bin/aws.
"""
import json
import os
import pathlib
import signal
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


class Server:
    """One running `atrium serve` with its data directory and an admin key."""

    def __init__(self, data_dir, settings=(), tls=True):
        self.data_dir = pathlib.Path(data_dir)
        self.settings = list(settings)
        self.tls = tls
        self.proc = None
        self.port = None
        self.key = None
        self.stdout = None

    def cli(self, *args, check=True):
        r = subprocess.run([ATRIUM, *args, "--data-dir", str(self.data_dir)],
                           capture_output=True, text=True, timeout=60)
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
