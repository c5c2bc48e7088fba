"""A moto_server peer standing in for AWS accounts (IAM, STS, Organizations), for the tests of
the account provisioner and of assignment provisioning.

moto 5.2.1 comes with the pyenv Python (`~/.pyenv/shims/moto_server`); the tests themselves run
under Debian's /usr/bin/python3 and talk to moto with its boto3. In moto, any credentials that
are not known map to the default account 123456789012, which becomes the organization's
management account; credentials from sts:AssumeRole act in the account of the assumed role's
ARN (the role does not need to exist), which is how Atrium enters member accounts.

Usage:
    from moto_peer import moto  # pytest fixture (module scope); skips when moto is missing
    def test_x(moto):
        acct = moto.create_member_account("dev")
        iam = moto.client("iam", account=acct)   # acts inside the member account
        env = moto.cli_env(account=acct)         # for subprocess /usr/bin/aws ... --endpoint-url moto.endpoint
"""
import os
import shutil
import socket
import subprocess
import time

import boto3
import pytest

MANAGEMENT_ACCOUNT = "123456789012"
BASE_KEY = {"AccessKeyId": "AKIAATRIUMTEST", "SecretAccessKey": "atrium-test-secret"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def moto_server_path():
    exe = shutil.which("moto_server") or os.path.expanduser("~/.pyenv/shims/moto_server")
    return exe if os.path.exists(exe) else None


class MotoPeer:
    def __init__(self):
        self.proc = None
        self.port = None
        self._assumed = {}

    def start(self, timeout=60):
        exe = moto_server_path()
        if exe is None:
            raise FileNotFoundError("moto_server not found (pyenv python's moto)")
        self.port = _free_port()
        # AWS managed policies (arn:aws:iam::aws:policy/...) exist in moto only when asked for.
        env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
        self.proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("moto_server exited at start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def credentials(self, account=None):
        """Base credentials (management account) or assumed-role credentials for `account`."""
        if account is None or account == MANAGEMENT_ACCOUNT:
            return dict(BASE_KEY)
        if account not in self._assumed:
            sts = self.client("sts")
            c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                                RoleSessionName="atrium-test")["Credentials"]
            self._assumed[account] = {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                                      "SessionToken": c["SessionToken"]}
        return self._assumed[account]

    def client(self, service, account=None):
        c = self.credentials(account)
        return boto3.client(service, region_name="us-east-1", endpoint_url=self.endpoint,
                            aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                            aws_session_token=c.get("SessionToken"))

    def cli_env(self, account=None):
        """Environment for /usr/bin/aws (and for Atrium's base credentials when account is None)."""
        c = self.credentials(account)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=c["AccessKeyId"], AWS_SECRET_ACCESS_KEY=c["SecretAccessKey"],
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        env.pop("AWS_SESSION_TOKEN", None)
        if c.get("SessionToken"):
            env["AWS_SESSION_TOKEN"] = c["SessionToken"]
        return env

    def ensure_organization(self):
        org = self.client("organizations")
        try:
            return org.describe_organization()["Organization"]
        except org.exceptions.AWSOrganizationsNotInUseException:
            return org.create_organization(FeatureSet="ALL")["Organization"]

    def create_member_account(self, name, email=None):
        """Creates an account in the organization (made first if needed); returns its id."""
        self.ensure_organization()
        org = self.client("organizations")
        status = org.create_account(AccountName=name, Email=email or f"{name}@example.com")["CreateAccountStatus"]
        for _ in range(100):
            if status["State"] == "SUCCEEDED":
                return status["AccountId"]
            if status["State"] == "FAILED":
                raise RuntimeError(f"create_account failed: {status}")
            time.sleep(0.1)
            status = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
        raise RuntimeError("create_account did not finish")

    def atrium_settings(self):
        """`--set` values that point Atrium's aws-iam provisioner at this peer."""
        return [f"provisioner.kind=aws-iam", f"provisioner.iam_endpoint={self.endpoint}",
                f"provisioner.sts_endpoint={self.endpoint}"]


@pytest.fixture(scope="module")
def moto():
    if moto_server_path() is None:
        pytest.skip("moto_server (pyenv python's moto 5.2.1) is not installed")
    peer = MotoPeer().start()
    yield peer
    peer.stop()
