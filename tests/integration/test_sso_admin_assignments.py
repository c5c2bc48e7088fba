"""Account assignments and permission-set provisioning through the sso-admin API (issue 4 items
4, 5 and 8), driven by Debian's AWS CLI v2 (/usr/bin/aws 2.9.19) and boto3 (/usr/bin/python3,
botocore 1.29.27), with the default record-only provisioner.

ListAccountAssignmentsForPrincipal is newer than botocore 1.29's model (neither the CLI nor
Debian's boto3 know it); it is driven with the pyenv interpreter's newer boto3
(/root/.pyenv/shims/python3) in a subprocess.
"""
import json
import os
import subprocess
import time
import uuid

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import REGION, new_user

AWS = "/usr/bin/aws"
PYENV_PYTHON = "/root/.pyenv/shims/python3"


def sso(server, retries=1):
    cfg = botocore.config.Config(retries={"max_attempts": retries, "mode": "standard"})
    return boto3.client("sso-admin", region_name=REGION, endpoint_url=server.endpoint,
                        aws_access_key_id=server.key["AccessKeyId"],
                        aws_secret_access_key=server.key["SecretAccessKey"], verify=False, config=cfg)


def aws(server, *args, expect_error=None):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=server.key["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=server.key["SecretAccessKey"], AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    cmd = [AWS, "sso-admin", *args, "--endpoint-url", server.endpoint, "--region", REGION,
           "--no-verify-ssl", "--output", "json"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if expect_error:
        assert r.returncode != 0, r.stdout
        assert expect_error in r.stderr, r.stderr
        return r.stderr
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else {}


def register_account(server, account_id, name):
    """Atrium's own way to add an account to the organization (`org`'s CLI)."""
    server.cli("admin", "org", "register-account", "--id", account_id, "--name", name,
               "--email", f"{name}@example.com")


def wait_for(describe, request_id, timeout=30):
    deadline = time.time() + timeout
    while True:
        status = describe(request_id)
        if status["Status"] != "IN_PROGRESS" or time.time() > deadline:
            return status
        time.sleep(0.1)


@pytest.fixture(scope="module")
def world(server):
    """An instance, two registered accounts, a permission set, two users and a group."""
    client = sso(server)
    instance = client.list_instances()["Instances"][0]["InstanceArn"]
    accounts = [str(100000000000 + int(uuid.uuid4().int % 899999999999))[:12] for _ in range(2)]
    for i, a in enumerate(accounts):
        register_account(server, a, f"acct-{i}-{a[-4:]}")
    ps = client.create_permission_set(InstanceArn=instance, Name="Dev" + uuid.uuid4().hex[:8],
                                      Description="developers")["PermissionSet"]["PermissionSetArn"]
    client.attach_managed_policy_to_permission_set(InstanceArn=instance, PermissionSetArn=ps,
                                                   ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    ids = server.client()
    users = [new_user(ids, server.store_id, "assign-" + uuid.uuid4().hex[:8]) for _ in range(2)]
    group = ids.create_group(IdentityStoreId=server.store_id, DisplayName="g-" + uuid.uuid4().hex[:8])["GroupId"]
    return dict(client=client, instance=instance, accounts=accounts, ps=ps, users=users, group=group)


def create(w, account, principal, kind="USER"):
    c = w["client"]
    s = c.create_account_assignment(InstanceArn=w["instance"], TargetId=account, TargetType="AWS_ACCOUNT",
                                    PermissionSetArn=w["ps"], PrincipalType=kind,
                                    PrincipalId=principal)["AccountAssignmentCreationStatus"]
    assert s["Status"] in ("IN_PROGRESS", "SUCCEEDED")
    done = wait_for(lambda r: c.describe_account_assignment_creation_status(
        InstanceArn=w["instance"], AccountAssignmentCreationRequestId=r)["AccountAssignmentCreationStatus"],
        s["RequestId"])
    assert done["Status"] == "SUCCEEDED", done
    return done


def delete(w, account, principal, kind="USER"):
    c = w["client"]
    s = c.delete_account_assignment(InstanceArn=w["instance"], TargetId=account, TargetType="AWS_ACCOUNT",
                                    PermissionSetArn=w["ps"], PrincipalType=kind,
                                    PrincipalId=principal)["AccountAssignmentDeletionStatus"]
    done = wait_for(lambda r: c.describe_account_assignment_deletion_status(
        InstanceArn=w["instance"], AccountAssignmentDeletionRequestId=r)["AccountAssignmentDeletionStatus"],
        s["RequestId"])
    assert done["Status"] == "SUCCEEDED", done
    return done


def test_create_list_and_delete_with_boto3_paginators(world):
    w, c = world, world["client"]
    a0, a1 = w["accounts"]
    first = create(w, a0, w["users"][0])
    assert first["TargetId"] == a0 and first["PrincipalType"] == "USER" and first["PermissionSetArn"] == w["ps"]
    create(w, a0, w["users"][1])
    create(w, a0, w["group"], "GROUP")
    create(w, a1, w["users"][0])

    pages = list(c.get_paginator("list_account_assignments").paginate(
        InstanceArn=w["instance"], AccountId=a0, PermissionSetArn=w["ps"], PaginationConfig={"PageSize": 1}))
    assert len(pages) == 3, "one assignment per page"
    got = {(x["PrincipalType"], x["PrincipalId"]) for p in pages for x in p["AccountAssignments"]}
    assert got == {("USER", w["users"][0]), ("USER", w["users"][1]), ("GROUP", w["group"])}

    created = [s for p in c.get_paginator("list_account_assignment_creation_status").paginate(
        InstanceArn=w["instance"], Filter={"Status": "SUCCEEDED"}, PaginationConfig={"PageSize": 2})
        for s in p["AccountAssignmentsCreationStatus"]]
    assert len(created) >= 4 and all(s["Status"] == "SUCCEEDED" for s in created)

    provisioned = c.list_permission_sets_provisioned_to_account(InstanceArn=w["instance"], AccountId=a0)
    assert provisioned["PermissionSets"] == [w["ps"]]
    accounts = [a for p in c.get_paginator("list_accounts_for_provisioned_permission_set").paginate(
        InstanceArn=w["instance"], PermissionSetArn=w["ps"]) for a in p["AccountIds"]]
    assert sorted(accounts) == sorted([a0, a1])

    delete(w, a1, w["users"][0])
    assert c.list_account_assignments(InstanceArn=w["instance"], AccountId=a1,
                                      PermissionSetArn=w["ps"])["AccountAssignments"] == []
    assert c.list_permission_sets_provisioned_to_account(
        InstanceArn=w["instance"], AccountId=a1)["PermissionSets"] == [], "last assignment took the role"
    deleted = c.list_account_assignment_deletion_status(InstanceArn=w["instance"])
    assert any(s["Status"] == "SUCCEEDED" for s in deleted["AccountAssignmentsDeletionStatus"])


def test_requests_are_validated_in_the_service_error_shape(world):
    w, c = world, world["client"]
    a0 = w["accounts"][0]
    base = dict(InstanceArn=w["instance"], TargetType="AWS_ACCOUNT", PermissionSetArn=w["ps"], PrincipalType="USER")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.create_account_assignment(TargetId="999999999999", PrincipalId=w["users"][0], **base)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.create_account_assignment(TargetId=a0, PrincipalId=str(uuid.uuid4()), **base)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.describe_account_assignment_creation_status(InstanceArn=w["instance"],
                                                      AccountAssignmentCreationRequestId=str(uuid.uuid4()))
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # The CLI validates the model's patterns itself; a raw bad TargetId reaches the server via boto3
    # with validation off.
    raw = boto3.client("sso-admin", region_name=REGION, endpoint_url=c.meta.endpoint_url,
                       aws_access_key_id=w["client"]._request_signer._credentials.access_key,
                       aws_secret_access_key=w["client"]._request_signer._credentials.secret_key,
                       verify=False, config=botocore.config.Config(parameter_validation=False,
                                                                   retries={"max_attempts": 1}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        raw.create_account_assignment(TargetId="12", PrincipalId=w["users"][0], **base)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "TargetId" in e.value.response["Error"]["Message"]


def test_cli_drives_assignments_and_provisioning(server, world):
    w = world
    a0 = w["accounts"][0]
    common = ["--instance-arn", w["instance"]]
    user = new_user(server.client(), server.store_id, "cli-assign-" + uuid.uuid4().hex[:6])
    s = aws(server, "create-account-assignment", *common, "--target-id", a0, "--target-type", "AWS_ACCOUNT",
            "--permission-set-arn", w["ps"], "--principal-type", "USER",
            "--principal-id", user)["AccountAssignmentCreationStatus"]
    done = wait_for(lambda r: aws(server, "describe-account-assignment-creation-status", *common,
                                  "--account-assignment-creation-request-id", r)["AccountAssignmentCreationStatus"],
                    s["RequestId"])
    assert done["Status"] == "SUCCEEDED"
    listed = aws(server, "list-account-assignments", *common, "--account-id", a0, "--permission-set-arn", w["ps"])
    assert user in [x["PrincipalId"] for x in listed["AccountAssignments"]]

    # A changed permission set is out of date until it is provisioned again.
    aws(server, "put-inline-policy-to-permission-set", *common, "--permission-set-arn", w["ps"], "--inline-policy",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                            "Resource": "*"}]}))
    stale = aws(server, "list-permission-sets-provisioned-to-account", *common, "--account-id", a0,
                "--provisioning-status", "LATEST_PERMISSION_SET_NOT_PROVISIONED")
    assert stale["PermissionSets"] == [w["ps"]]
    p = aws(server, "provision-permission-set", *common, "--permission-set-arn", w["ps"],
            "--target-type", "ALL_PROVISIONED_ACCOUNTS")["PermissionSetProvisioningStatus"]
    done = wait_for(lambda r: aws(server, "describe-permission-set-provisioning-status", *common,
                                  "--provision-permission-set-request-id", r)["PermissionSetProvisioningStatus"],
                    p["RequestId"])
    assert done["Status"] == "SUCCEEDED", done
    latest = aws(server, "list-permission-sets-provisioned-to-account", *common, "--account-id", a0,
                 "--provisioning-status", "LATEST_PERMISSION_SET_PROVISIONED")
    assert latest["PermissionSets"] == [w["ps"]]
    statuses = aws(server, "list-permission-set-provisioning-status", *common, "--filter", "Status=SUCCEEDED")
    assert p["RequestId"] in [x["RequestId"] for x in statuses["PermissionSetsProvisioningStatus"]]

    # A provisioned permission set cannot be deleted (ConflictException).
    aws(server, "delete-permission-set", *common, "--permission-set-arn", w["ps"], expect_error="ConflictException")


def test_deleting_a_user_removes_its_assignments(server, world):
    w, c = world, world["client"]
    a0 = w["accounts"][0]
    ids = server.client()
    user = new_user(ids, server.store_id, "doomed-" + uuid.uuid4().hex[:6])
    create(w, a0, user)
    ids.delete_user(IdentityStoreId=server.store_id, UserId=user)
    listed = c.list_account_assignments(InstanceArn=w["instance"], AccountId=a0, PermissionSetArn=w["ps"])
    assert user not in [x["PrincipalId"] for x in listed["AccountAssignments"]]


def test_list_account_assignments_for_principal_with_newer_boto3(server, world):
    """ListAccountAssignmentsForPrincipal is missing from botocore 1.29: pyenv's boto3 drives it."""
    if not os.path.exists(PYENV_PYTHON):
        pytest.skip("no pyenv python with a newer boto3 at " + PYENV_PYTHON)
    w = world
    principal = w["users"][0]
    script = """
import boto3, json, sys
c = boto3.client("sso-admin", region_name="us-east-1", endpoint_url=sys.argv[1], verify=False,
                 aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
pages = c.get_paginator("list_account_assignments_for_principal").paginate(
    InstanceArn=sys.argv[4], PrincipalId=sys.argv[5], PrincipalType="USER", PaginationConfig={"PageSize": 1})
allp = [a for p in pages for a in p["AccountAssignments"]]
one = c.list_account_assignments_for_principal(InstanceArn=sys.argv[4], PrincipalId=sys.argv[5],
                                               PrincipalType="USER", Filter={"AccountId": sys.argv[6]})
print(json.dumps({"all": allp, "filtered": one["AccountAssignments"]}))
"""
    env = dict(os.environ, PYTHONWARNINGS="ignore", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    r = subprocess.run([PYENV_PYTHON, "-c", script, server.endpoint, server.key["AccessKeyId"],
                        server.key["SecretAccessKey"], w["instance"], principal, w["accounts"][0]],
                       capture_output=True, text=True, timeout=120, env=env)
    if r.returncode != 0 and "has no attribute 'list_account_assignments_for_principal'" in r.stderr:
        pytest.skip("pyenv boto3 does not know ListAccountAssignmentsForPrincipal either")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert all(a["PrincipalId"] == principal and a["PrincipalType"] == "USER" for a in out["all"])
    assert w["accounts"][0] in [a["AccountId"] for a in out["all"]]
    assert [a["AccountId"] for a in out["filtered"]] == [w["accounts"][0]]
