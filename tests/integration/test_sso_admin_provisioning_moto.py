"""End to end: assignments provisioned into an AWS account served by moto_server (IAM, STS and
Organizations), with provisioner.kind=aws-iam (issue 4 item 5).

Interpreters: Debian's /usr/bin/python3 + boto3 (botocore 1.29.27) drives Atrium and moto; the
AWS CLI v2 (/usr/bin/aws 2.9.19) reads IAM back from moto. moto_server 5.2.1 comes from the
pyenv interpreter (/root/.pyenv/shims/moto_server), started by this test on a free port.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import boto3
import botocore.config
import pytest

from conftest import REGION, make_server, new_user

AWS = "/usr/bin/aws"
MOTO = "/root/.pyenv/shims/moto_server"
MOTO_KEY = {"AccessKeyId": "testing", "SecretAccessKey": "testing"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto():
    if not os.path.exists(MOTO):
        pytest.skip("moto_server is not installed at " + MOTO)
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)
    # AWS managed policies (ReadOnlyAccess...) exist in moto's accounts only when asked for.
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    proc = subprocess.Popen([MOTO, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2)
            break
        except Exception:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("moto_server did not start: " + open(log.name).read()[-2000:])
            time.sleep(0.2)
    yield url
    # moto_server can take longer than a few seconds to exit on a loaded 2-core machine; a slow
    # exit is not a failure of the test that used it (it was flaky here at 10 s).
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def moto_client(url, service, creds=None):
    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, region_name=REGION, endpoint_url=url, **creds)


def account_creds(url, account_id):
    """Credentials inside `account_id` (moto maps assumed-role keys to the role's account)."""
    c = moto_client(url, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="test")["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def iam_cli(url, creds, *args, expect_error=None):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"], AWS_SESSION_TOKEN=creds["aws_session_token"],
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="",
               AWS_MAX_ATTEMPTS="1")
    env.pop("AWS_PROFILE", None)
    r = subprocess.run([AWS, "iam", *args, "--endpoint-url", url, "--region", REGION, "--output", "json"],
                       capture_output=True, text=True, env=env, timeout=120)
    if expect_error:
        assert r.returncode != 0 and expect_error in r.stderr, r.stderr + r.stdout
        return None
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else {}


@pytest.fixture(scope="module")
def atrium(moto):
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"  # the server's base credentials (moto accepts any)
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    tmp = tempfile.mkdtemp(prefix="atrium-moto-")
    try:
        # The service's role names, configured explicitly: this test checks the roles as the
        # service itself names them (Atrium's default, AtriumSSO_ under /atrium/, is tested in
        # test_console_federation_moto.py).
        s = make_server(tmp, settings=["provisioner.kind=aws-iam", f"provisioner.iam_endpoint={moto}",
                                       f"provisioner.sts_endpoint={moto}",
                                       "provisioner.role_name_prefix=AWSReservedSSO_",
                                       "provisioner.role_path=/aws-reserved/sso.amazonaws.com/"])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    yield s
    s.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def wait(describe, request_id, timeout=60):
    deadline = time.time() + timeout
    while True:
        s = describe(request_id)
        if s["Status"] != "IN_PROGRESS" or time.time() > deadline:
            return s
        time.sleep(0.2)


def test_assignment_creates_exactly_the_role_in_moto_and_deletion_removes_it(moto, atrium):
    orgs = moto_client(moto, "organizations")
    orgs.create_organization(FeatureSet="ALL")
    status = orgs.create_account(AccountName="workload", Email="workload@example.com")["CreateAccountStatus"]
    account = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
    atrium.cli("admin", "org", "register-account", "--id", account, "--name", "workload",
               "--email", "workload@example.com")
    inside = account_creds(moto, account)
    moto_client(moto, "iam", inside).create_policy(
        PolicyName="TeamPolicy", Path="/team/",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))

    cfg = botocore.config.Config(retries={"max_attempts": 1})
    sso = boto3.client("sso-admin", region_name=REGION, endpoint_url=atrium.endpoint, verify=False, config=cfg,
                       aws_access_key_id=atrium.key["AccessKeyId"], aws_secret_access_key=atrium.key["SecretAccessKey"])
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    ps = sso.create_permission_set(InstanceArn=instance, Name="Builders", SessionDuration="PT4H")[
        "PermissionSet"]["PermissionSetArn"]
    sso.attach_managed_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=ps,
                                                ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    inline = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                      "Resource": "*"}]}
    sso.put_inline_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=ps, InlinePolicy=json.dumps(inline))
    sso.attach_customer_managed_policy_reference_to_permission_set(
        InstanceArn=instance, PermissionSetArn=ps, CustomerManagedPolicyReference={"Name": "TeamPolicy", "Path": "/team/"})
    sso.put_permissions_boundary_to_permission_set(
        InstanceArn=instance, PermissionSetArn=ps,
        PermissionsBoundary={"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"})
    user = new_user(atrium.client(), atrium.store_id, "moto-" + uuid.uuid4().hex[:6])

    args = dict(InstanceArn=instance, TargetId=account, TargetType="AWS_ACCOUNT", PermissionSetArn=ps,
                PrincipalType="USER", PrincipalId=user)
    req = sso.create_account_assignment(**args)["AccountAssignmentCreationStatus"]
    done = wait(lambda r: sso.describe_account_assignment_creation_status(
        InstanceArn=instance, AccountAssignmentCreationRequestId=r)["AccountAssignmentCreationStatus"], req["RequestId"])
    assert done["Status"] == "SUCCEEDED", done.get("FailureReason")

    role_name = "AWSReservedSSO_Builders_" + ps.rsplit("/ps-", 1)[1]
    role = iam_cli(moto, inside, "get-role", "--role-name", role_name)["Role"]
    assert role["Path"] == "/aws-reserved/sso.amazonaws.com/"
    assert role["MaxSessionDuration"] == 43200
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == "arn:aws:iam::aws:policy/PowerUserAccess"
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    statement = trust["Statement"][0]
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    assert "sts:AssumeRoleWithSAML" in actions
    provider_suffix = instance.rsplit("ins-", 1)[1]
    assert statement["Principal"]["Federated"] == \
        f"arn:aws:iam::{account}:saml-provider/AWSSSO_{provider_suffix}_DO_NOT_DELETE"
    attached = iam_cli(moto, inside, "list-attached-role-policies", "--role-name", role_name)["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted([
        "arn:aws:iam::aws:policy/ReadOnlyAccess", f"arn:aws:iam::{account}:policy/team/TeamPolicy"])
    names = iam_cli(moto, inside, "list-role-policies", "--role-name", role_name)["PolicyNames"]
    assert len(names) == 1
    doc = iam_cli(moto, inside, "get-role-policy", "--role-name", role_name, "--policy-name", names[0])["PolicyDocument"]
    assert (json.loads(doc) if isinstance(doc, str) else doc) == inline
    providers = iam_cli(moto, inside, "list-saml-providers")["SAMLProviderList"]
    assert [p["Arn"].rsplit("/", 1)[1] for p in providers] == [f"AWSSSO_{provider_suffix}_DO_NOT_DELETE"]

    # Change the permission set, provision it again: the role follows.
    changed = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket",
                                                       "Resource": "*"}]}
    sso.put_inline_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=ps, InlinePolicy=json.dumps(changed))
    sso.detach_managed_policy_from_permission_set(InstanceArn=instance, PermissionSetArn=ps,
                                                  ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    p = sso.provision_permission_set(InstanceArn=instance, PermissionSetArn=ps, TargetType="AWS_ACCOUNT",
                                     TargetId=account)["PermissionSetProvisioningStatus"]
    done = wait(lambda r: sso.describe_permission_set_provisioning_status(
        InstanceArn=instance, ProvisionPermissionSetRequestId=r)["PermissionSetProvisioningStatus"], p["RequestId"])
    assert done["Status"] == "SUCCEEDED", done.get("FailureReason")
    doc = iam_cli(moto, inside, "get-role-policy", "--role-name", role_name, "--policy-name", names[0])["PolicyDocument"]
    assert (json.loads(doc) if isinstance(doc, str) else doc) == changed
    attached = iam_cli(moto, inside, "list-attached-role-policies", "--role-name", role_name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [f"arn:aws:iam::{account}:policy/team/TeamPolicy"]

    # The last assignment goes: so does the role.
    req = sso.delete_account_assignment(**args)["AccountAssignmentDeletionStatus"]
    done = wait(lambda r: sso.describe_account_assignment_deletion_status(
        InstanceArn=instance, AccountAssignmentDeletionRequestId=r)["AccountAssignmentDeletionStatus"], req["RequestId"])
    assert done["Status"] == "SUCCEEDED", done.get("FailureReason")
    iam_cli(moto, inside, "get-role", "--role-name", role_name, expect_error="NoSuchEntity")
