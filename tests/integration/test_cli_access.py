"""Command-line access end to end (docs/cli.md; issue 16 item 6): the unmodified AWS CLI v2 and
boto3 sign in through Atrium's sso-oidc API, the verification page and the portal API.

- Debian's AWS CLI v2 (`/usr/bin/aws`, 2.9.19) with AWS_DATA_PATH pointing at the endpoint rule
  files `atrium admin cli-config` writes, and AWS_CA_BUNDLE: `aws sso login --no-browser` with a
  legacy profile (sso_start_url, sso_region, sso_account_id, sso_role_name) and with an
  sso-session profile; headless chromium (approve_device.mjs) signs in on the verification page
  with password and TOTP and allows; `aws sso list-accounts` / `list-account-roles` with the
  cached token; `aws sso logout` revokes it on the server (a copied token stops working).
- boto3 1.43 (the pyenv Python, sso_boto3_client.py) with AWS_ENDPOINT_URL_SSO /
  AWS_ENDPOINT_URL_SSO_OIDC: the device flow polled at the interval, listings with paginators,
  refresh rotation and reuse detection.
- Role credentials: with the record-only provisioner GetRoleCredentials says why there are none;
  with the aws-iam provisioner and federation.sts_endpoint on moto_server, `aws sts
  get-caller-identity --profile p` (sent to moto) names the assumed role, `aws configure
  export-credentials` prints the credentials, and after `aws sso logout` a second call fails.

Interpreter: Debian's /usr/bin/python3 (pytest, requests, boto3 for setup); node + playwright-core
from web/node_modules with /usr/bin/chromium for the page; oathtool for TOTP codes.
"""
import glob
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

import boto3
import botocore.config
import pytest

from conftest import REGION
from test_mfa_admin import registered_user
from moto_peer import MANAGEMENT_ACCOUNT, moto  # noqa: F401  (fixture)
from test_console_federation_moto import Deployment, start_atrium
from test_portal_signin import OATHTOOL, PASSWORD, Browser, start_portal

REPO = pathlib.Path(__file__).resolve().parents[2]
AWS = "/usr/bin/aws"
NODE = shutil.which("node")
CHROMIUM = "/usr/bin/chromium"
PYENV_PYTHON = os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python3")
ACCOUNT = "111111111111"
ROLE = "ReadOnlyAccess"


def need(path, why):
    if not path or not os.path.exists(path):
        pytest.skip(f"{path or why} is absent: {why} (scripts/install-deps installs it)")


def sso_admin(server):
    k = server.key
    return boto3.client("sso-admin", region_name=REGION, endpoint_url=server.endpoint, verify=False,
                        aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"],
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def assign(server, user_name):
    """Account 111111111111 in the organization and the user's assignment of ReadOnlyAccess there."""
    server.cli("admin", "org", "register-account", "--id", ACCOUNT, "--name", "Dev", "--email", "dev@example.com")
    ids = boto3.client("identitystore", region_name=REGION, endpoint_url=server.endpoint, verify=False,
                       aws_access_key_id=server.key["AccessKeyId"], aws_secret_access_key=server.key["SecretAccessKey"])
    user_id = ids.get_user_id(IdentityStoreId=server.store_id, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": user_name}})["UserId"]
    sa = sso_admin(server)
    instance = sa.list_instances()["Instances"][0]["InstanceArn"]
    ps = sa.create_permission_set(InstanceArn=instance, Name=ROLE)["PermissionSet"]["PermissionSetArn"]
    req = sa.create_account_assignment(InstanceArn=instance, TargetId=ACCOUNT, TargetType="AWS_ACCOUNT",
                                       PermissionSetArn=ps, PrincipalType="USER", PrincipalId=user_id)
    rid = req["AccountAssignmentCreationStatus"]["RequestId"]
    deadline = time.time() + 30
    while time.time() < deadline:
        st = sa.describe_account_assignment_creation_status(
            InstanceArn=instance, AccountAssignmentCreationRequestId=rid)["AccountAssignmentCreationStatus"]
        if st["Status"] != "IN_PROGRESS":
            assert st["Status"] == "SUCCEEDED", st
            return
        time.sleep(0.2)
    raise AssertionError("assignment still IN_PROGRESS")


class World:
    """One Atrium, a user with a password and an authenticator app, the CLI's files in a home of
    its own. `assign(server, user_name)` gives the user an account and role."""

    def __init__(self, server, tmp, assign=assign, account=ACCOUNT, role=ROLE):
        self.server = server
        self.tmp = pathlib.Path(tmp)
        self.portal_url = f"https://localhost:{server.port}/portal"
        self.user, self.secret = registered_user(server)
        self.last_step = int(time.time() // 30)  # the registration's code used this step
        assign(server, self.user)
        out = server.cli("admin", "cli-config", "--endpoint", f"https://127.0.0.1:{server.port}",
                         "--out", str(self.tmp / "aws-data"), "--account", account, "--role", role,
                         "--profile", "p", "--set", f"portal.public_url={self.portal_url}", "--json").stdout
        self.config = json.loads(out)
        self.home = self.tmp / "home"
        (self.home / ".aws").mkdir(parents=True)
        (self.home / ".aws" / "config").write_text(self.config["Profile"])

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=str(self.home), AWS_CONFIG_FILE=str(self.home / ".aws" / "config"),
                   AWS_SHARED_CREDENTIALS_FILE=str(self.home / ".aws" / "credentials"),
                   AWS_DATA_PATH=self.config["DataPath"], AWS_CA_BUNDLE=self.config["CaBundle"],
                   AWS_PAGER="", PYTHONUNBUFFERED="1", PYTHONWARNINGS="ignore")
        return env

    def aws(self, *args, check=True):
        r = subprocess.run([AWS, *args, "--output", "json"], env=self.env(), capture_output=True, text=True, timeout=120)
        if check:
            assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r

    def next_code(self):
        """A TOTP code of a step not used before and within the ±1-step window (RFC 6238 §5.2:
        the server refuses a step twice); waits for the next step when the window is used up."""
        step = max(self.last_step + 1, int(time.time() // 30))
        while step > int(time.time() // 30) + 1:
            time.sleep(1)
        self.last_step = step
        return subprocess.run([OATHTOOL, "--totp", "-b", "-N", f"@{step * 30 + 1}", self.secret],
                              capture_output=True, text=True, check=True).stdout.strip()

    def login(self, profile, decision="allow"):
        """`aws sso login --no-browser`; chromium signs in and decides on the printed URL."""
        p = subprocess.Popen([AWS, "sso", "login", "--no-browser", "--profile", profile], env=self.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines, url, code = [], None, None
        while url is None:
            line = p.stdout.readline()
            if not line:
                raise AssertionError("aws sso login ended early: " + "".join(lines) + p.stderr.read())
            lines.append(line)
            s = line.strip()
            if len(s) == 9 and s[4] == "-":
                code = s
            if "user_code=" in s:
                url = s
        assert url.startswith(self.portal_url + "/device?user_code="), url
        r = subprocess.run([NODE, str(REPO / "tests" / "integration" / "approve_device.mjs"), url, self.user,
                            PASSWORD, self.next_code(), code, decision], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        out, err = p.communicate(timeout=120)
        return p.returncode, "".join(lines) + out, err

    def cached_token(self, key_field="startUrl"):
        tokens = []
        for f in glob.glob(str(self.home / ".aws" / "sso" / "cache" / "*.json")):
            d = json.loads(pathlib.Path(f).read_text())
            if "accessToken" in d:
                tokens.append(d)
        return tokens


def need_tools():
    need(AWS, "the AWS CLI v2 (apt-get install awscli)")
    need(NODE, "node (apt-get install nodejs)")
    need(CHROMIUM, "Debian chromium (apt-get install chromium)")
    need(str(REPO / "web" / "node_modules" / "playwright-core"), "playwright-core (make web)")


@pytest.fixture(scope="module")
def world():
    need_tools()
    with tempfile.TemporaryDirectory(prefix="atrium-cli-") as tmp:
        s = start_portal(tmp)
        yield World(s, tmp)
        s.stop()


def test_cli_config_writes_rule_files_and_profiles(world):
    data = pathlib.Path(world.config["DataPath"])
    for svc in ("sso", "sso-oidc"):
        rules = json.loads((data / svc / "2019-06-10" / "endpoint-rule-set-1.json").read_text())
        assert rules["rules"][-1]["endpoint"]["url"] == f"https://127.0.0.1:{world.server.port}"
    assert world.config["StartUrl"] == world.portal_url
    profile = world.config["Profile"]
    assert f"sso_start_url = {world.portal_url}" in profile and f"sso_account_id = {ACCOUNT}" in profile
    assert "[sso-session atrium]" in profile and "sso_registration_scopes = sso:account:access" in profile


def test_aws_cli_legacy_profile_login_listings_and_logout(world):
    code, out, err = world.login("p")
    assert code == 0, out + err
    assert f"Successfully logged into Start URL: {world.portal_url}" in out
    tokens = [t for t in world.cached_token() if t.get("startUrl") == world.portal_url and "refreshToken" not in t]
    assert len(tokens) == 1, tokens
    token = tokens[0]["accessToken"]
    accounts = json.loads(world.aws("sso", "list-accounts", "--access-token", token, "--region", REGION).stdout)
    assert accounts["accountList"] == [{"accountId": ACCOUNT, "accountName": "Dev", "emailAddress": "dev@example.com"}]
    roles = json.loads(world.aws("sso", "list-account-roles", "--access-token", token, "--account-id", ACCOUNT,
                                 "--region", REGION).stdout)
    assert roles["roleList"] == [{"roleName": ROLE, "accountId": ACCOUNT}]
    # Role credentials: the record-only deployment says why there are none.
    creds = world.aws("configure", "export-credentials", "--profile", "p", check=False)
    assert creds.returncode != 0
    assert "provisioner.kind" in creds.stderr, creds.stderr
    # `aws sso logout` calls Logout (ignoring its answer) and deletes the cache; the server has
    # revoked the token, so a copy of it no longer works.
    world.aws("sso", "logout", "--profile", "p")
    after = world.aws("sso", "list-accounts", "--access-token", token, "--region", REGION, check=False)
    assert after.returncode != 0 and "UnauthorizedException" in after.stderr, after.stderr
    audit = [json.loads(l) for l in world.server.cli("audit").stdout.splitlines() if l.strip()]
    names = {r["eventName"] for r in audit}
    assert {"RegisterClient", "StartDeviceAuthorization", "CreateToken", "ApproveDeviceAuthorization",
            "ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Logout"} <= names, names
    created = [r for r in audit if r["eventName"] == "CreateToken" and "errorCode" not in r]
    assert created and created[0]["userIdentity"]["userName"] == world.user
    assert created[0]["requestParameters"]["clientSecret"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert created[0]["responseElements"]["accessToken"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert token not in world.server.cli("audit").stdout


def test_aws_cli_sso_session_profile_gets_a_refresh_token(world):
    code, out, err = world.login("p-session")
    assert code == 0, out + err
    tokens = [t for t in world.cached_token() if "refreshToken" in t]
    assert len(tokens) == 1, tokens
    token = tokens[0]
    assert token["refreshToken"].startswith("atrt_")
    assert token["registrationExpiresAt"]
    world.aws("sso", "logout", "--profile", "p-session")
    after = world.aws("sso", "list-accounts", "--access-token", token["accessToken"], "--region", REGION, check=False)
    assert "UnauthorizedException" in after.stderr


def test_aws_cli_login_denied_in_the_browser_fails(world):
    code, out, err = world.login("p", decision="deny")
    assert code != 0
    assert "AccessDenied" in err, err


def test_boto3_with_service_endpoint_variables(world):
    need(PYENV_PYTHON, "the pyenv Python with boto3 1.43")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL_SSO=f"https://127.0.0.1:{world.server.port}",
               AWS_ENDPOINT_URL_SSO_OIDC=f"https://127.0.0.1:{world.server.port}",
               AWS_CA_BUNDLE=world.config["CaBundle"], AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", PYTHONWARNINGS="ignore")
    p = subprocess.Popen([PYENV_PYTHON, str(REPO / "tests" / "integration" / "sso_boto3_client.py"),
                          world.portal_url, ACCOUNT, ROLE], env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = json.loads(p.stdout.readline() or "{}")
    assert started.get("step") == "started", p.stderr.read()
    polled = json.loads(p.stdout.readline())
    assert polled["errors"] == ["AuthorizationPendingException"] * 2, polled
    # The user approves through the portal's JSON API (sign-in with password and TOTP).
    b = Browser(world.server)
    wf = b.start(world.user)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": PASSWORD})["next"] == "mfa"
    assert b.step("mfa", {"workflowId": wf, "type": "TOTP", "code": world.next_code(), "trustDevice": False})["next"] == "done"
    looked = b.post("/portal/api/device/lookup", {"userCode": started["userCode"]})
    assert looked.status_code == 200 and looked.json()["clientName"] == "boto3-test", looked.text
    decided = b.post("/portal/api/device/decide", {"userCode": started["userCode"], "approve": True})
    assert decided.status_code == 200, decided.text
    out, err = p.communicate("go\n", timeout=120)
    assert p.returncode == 0, err
    done = json.loads(out.strip().splitlines()[-1])
    assert done["hasRefresh"] and 0 < done["expiresIn"] <= 8 * 3600
    assert done["accounts"] == [{"accountId": ACCOUNT, "accountName": "Dev", "emailAddress": "dev@example.com"}]
    assert done["rolePages"] == [[{"roleName": ROLE, "accountId": ACCOUNT}]]
    assert done["credsError"][0] == "InvalidRequestException" and "record-only" in done["credsError"][1]
    assert done["forbidden"] == "ForbiddenException"
    assert done["reuse"] == "InvalidGrantException" and done["afterReuse"] == "UnauthorizedException"


# ---- role credentials from STS (moto_server) ------------------------------------------------------

@pytest.fixture(scope="module")
def moto_world(moto):  # noqa: F811
    """Atrium with the aws-iam provisioner and STS on moto; the user is assigned "Developers" in
    moto's default account (the one account where moto's AssumeRoleWithSAML sessions and
    get-caller-identity agree, test_console_federation_moto.py)."""
    need_tools()
    with tempfile.TemporaryDirectory(prefix="atrium-cli-moto-") as tmp:
        s = start_atrium(tmp, moto)
        holder = {}

        def assign_developers(server, user_name):
            d = Deployment(server, moto, account=MANAGEMENT_ACCOUNT)
            ids = boto3.client("identitystore", region_name=REGION, endpoint_url=server.endpoint, verify=False,
                               aws_access_key_id=server.key["AccessKeyId"],
                               aws_secret_access_key=server.key["SecretAccessKey"])
            user_id = ids.get_user_id(IdentityStoreId=server.store_id, AlternateIdentifier={
                "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": user_name}})["UserId"]
            d.assignment(user_id)
            holder["deployment"] = d

        w = World(s, tmp, assign=assign_developers, account=MANAGEMENT_ACCOUNT, role="Developers")
        w.deployment, w.moto = holder["deployment"], moto
        yield w
        s.stop()


def test_aws_cli_gets_role_credentials_from_sts_and_logout_ends_them(moto_world):
    w = moto_world
    code, out, err = w.login("p")
    assert code == 0, out + err
    sts = w.aws("sts", "get-caller-identity", "--profile", "p", "--endpoint-url", w.moto.endpoint)
    who = json.loads(sts.stdout)
    role = f"AtriumSSO_Developers_{w.deployment.suffix}"
    assert who["Account"] == MANAGEMENT_ACCOUNT
    assert f":assumed-role/{role}/{w.user}" in who["Arn"], who
    exported = json.loads(w.aws("configure", "export-credentials", "--profile", "p", "--format", "process").stdout)
    assert exported["Version"] == 1 and exported["AccessKeyId"] and exported["SessionToken"]
    # The permission set's session duration (PT2H) is what STS was asked for.
    expires = exported["Expiration"]
    assert expires.endswith("Z") or "+00:00" in expires
    records = [json.loads(l) for l in w.server.cli("audit", "--event-name", "GetRoleCredentials").stdout.splitlines()]
    ok = [r for r in records if "errorCode" not in r]
    assert ok and ok[0]["userIdentity"]["userName"] == w.user
    assert exported["SecretAccessKey"] not in w.server.cli("audit").stdout
    w.aws("sso", "logout", "--profile", "p")
    again = w.aws("sts", "get-caller-identity", "--profile", "p", "--endpoint-url", w.moto.endpoint, check=False)
    assert again.returncode != 0, again.stdout
