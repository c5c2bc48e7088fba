"""sso-admin instance and permission sets (issue 4 items 1 and 3) through real clients.

Interpreters: Debian's /usr/bin/python3 (boto3/botocore 1.29.27 from apt) runs this file and
drives the API with boto3; Debian's AWS CLI v2 (/usr/bin/aws, 2.9.19) is run unmodified with
--endpoint-url. DescribeInstance and UpdateInstance are missing from botocore 1.29.27's
sso-admin model, so those two are driven with the pyenv interpreter's newer boto3
(/root/.pyenv/shims/python3, boto3 1.43) in a subprocess.
"""
import json
import os
import subprocess
import tempfile

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import REGION, make_server

AWS = "/usr/bin/aws"
PYENV_PYTHON = "/root/.pyenv/shims/python3"
RO = "arn:aws:iam::aws:policy/ReadOnlyAccess"
VIEW = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})


def sso(server, key=None, validate=True):
    key = key or server.key
    cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                 parameter_validation=validate)
    return boto3.client("sso-admin", region_name=REGION, endpoint_url=server.endpoint,
                        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                        verify=False, config=cfg)


def cli(server, *args, expect_error=None):
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


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400, err
    return err["Error"]["Code"], err["Error"]["Message"]


@pytest.fixture(scope="module")
def instance_arn(server):
    return sso(server).list_instances()["Instances"][0]["InstanceArn"]


def test_one_instance_in_the_service_formats_through_the_cli(server):
    out = cli(server, "list-instances")
    assert len(out["Instances"]) == 1
    inst = out["Instances"][0]
    assert inst["InstanceArn"].startswith("arn:aws:sso:::instance/ssoins-")
    assert len(inst["InstanceArn"].rsplit("/", 1)[1]) == len("ssoins-") + 16
    assert inst["IdentityStoreId"] == server.store_id
    # CLI 2.9.19's model knows only InstanceArn and IdentityStoreId; newer fields are dropped.
    assert inst.get("OwnerAccountId", "123456789012").isdigit()
    assert inst.get("Status", "ACTIVE") == "ACTIVE"


def test_describe_and_update_instance_with_the_newer_boto3(server, instance_arn):
    """DescribeInstance/UpdateInstance are not in botocore 1.29.27: pyenv boto3 drives them."""
    if not os.path.exists(PYENV_PYTHON):
        pytest.skip("pyenv python with a newer boto3 is missing; DescribeInstance cannot be driven")
    script = f"""
import boto3, json, urllib3
urllib3.disable_warnings()
c = boto3.client("sso-admin", region_name="{REGION}", endpoint_url="{server.endpoint}", verify=False,
                 aws_access_key_id="{server.key['AccessKeyId']}", aws_secret_access_key="{server.key['SecretAccessKey']}")
c.update_instance(InstanceArn="{instance_arn}", Name="corp-sso")
d = c.describe_instance(InstanceArn="{instance_arn}")
d.pop("ResponseMetadata")
d["CreatedDate"] = d["CreatedDate"].isoformat()
try:
    c.update_instance(InstanceArn="{instance_arn}", Name="bad name!")
    d["bad"] = "accepted"
except c.exceptions.ValidationException:
    d["bad"] = "ValidationException"
print(json.dumps(d))
"""
    r = subprocess.run([PYENV_PYTHON, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["InstanceArn"] == instance_arn
    assert d["Name"] == "corp-sso"
    assert d["Status"] == "ACTIVE"
    assert d["IdentityStoreId"] == server.store_id
    assert d["bad"] == "ValidationException"


def test_permission_set_lifecycle_through_the_cli(server, instance_arn):
    made = cli(server, "create-permission-set", "--instance-arn", instance_arn, "--name", "CliAdmins",
               "--description", "Administrators", "--session-duration", "PT1H30M",
               "--relay-state", "https://console.aws.amazon.com/ec2/home",
               "--tags", "Key=team,Value=platform")["PermissionSet"]
    arn = made["PermissionSetArn"]
    assert arn.startswith(instance_arn.replace(":instance/", ":permissionSet/") + "/ps-")
    assert made["SessionDuration"] == "PT1H30M"
    base = ["--instance-arn", instance_arn, "--permission-set-arn", arn]
    cli(server, "update-permission-set", *base, "--session-duration", "PT8H", "--description", "Admins")
    desc = cli(server, "describe-permission-set", *base)["PermissionSet"]
    assert (desc["Name"], desc["Description"], desc["SessionDuration"]) == ("CliAdmins", "Admins", "PT8H")
    assert arn in cli(server, "list-permission-sets", "--instance-arn", instance_arn)["PermissionSets"]

    cli(server, "attach-managed-policy-to-permission-set", *base, "--managed-policy-arn", VIEW)
    pols = cli(server, "list-managed-policies-in-permission-set", *base)["AttachedManagedPolicies"]
    assert pols == [{"Name": "ViewOnlyAccess", "Arn": VIEW}]
    cli(server, "put-inline-policy-to-permission-set", *base, "--inline-policy", POLICY)
    assert json.loads(cli(server, "get-inline-policy-for-permission-set", *base)["InlinePolicy"]) == json.loads(POLICY)
    cli(server, "attach-customer-managed-policy-reference-to-permission-set", *base,
        "--customer-managed-policy-reference", "Name=TeamPolicy,Path=/teams/")
    refs = cli(server, "list-customer-managed-policy-references-in-permission-set", *base)
    assert refs["CustomerManagedPolicyReferences"] == [{"Name": "TeamPolicy", "Path": "/teams/"}]
    cli(server, "put-permissions-boundary-to-permission-set", *base,
        "--permissions-boundary", f"ManagedPolicyArn={RO}")
    assert cli(server, "get-permissions-boundary-for-permission-set", *base)["PermissionsBoundary"] == {"ManagedPolicyArn": RO}
    cli(server, "delete-permissions-boundary-from-permission-set", *base)
    cli(server, "get-permissions-boundary-for-permission-set", *base, expect_error="ResourceNotFoundException")
    cli(server, "delete-inline-policy-from-permission-set", *base)
    assert cli(server, "get-inline-policy-for-permission-set", *base).get("InlinePolicy", "") == ""
    cli(server, "detach-managed-policy-from-permission-set", *base, "--managed-policy-arn", VIEW)
    cli(server, "detach-customer-managed-policy-reference-from-permission-set", *base,
        "--customer-managed-policy-reference", "Name=TeamPolicy,Path=/teams/")

    tags = cli(server, "list-tags-for-resource", "--instance-arn", instance_arn, "--resource-arn", arn)["Tags"]
    assert tags == [{"Key": "team", "Value": "platform"}]
    cli(server, "delete-permission-set", *base)
    cli(server, "describe-permission-set", *base, expect_error="ResourceNotFoundException")


def test_boto3_paginator_walks_60_permission_sets_25_at_a_time():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp)
        try:
            c = sso(s)
            inst = c.list_instances()["Instances"][0]["InstanceArn"]
            made = [c.create_permission_set(InstanceArn=inst, Name=f"ps-{i:02d}")["PermissionSet"]["PermissionSetArn"]
                    for i in range(60)]
            pages = list(c.get_paginator("list_permission_sets").paginate(
                InstanceArn=inst, PaginationConfig={"PageSize": 25}))
            assert [len(p["PermissionSets"]) for p in pages] == [25, 25, 10]
            assert [a for p in pages for a in p["PermissionSets"]] == made
            for n in range(5):
                c.attach_managed_policy_to_permission_set(InstanceArn=inst, PermissionSetArn=made[0],
                                                          ManagedPolicyArn=f"arn:aws:iam::aws:policy/P{n}")
            pol_pages = list(c.get_paginator("list_managed_policies_in_permission_set").paginate(
                InstanceArn=inst, PermissionSetArn=made[0], PaginationConfig={"PageSize": 2}))
            assert [len(p["AttachedManagedPolicies"]) for p in pol_pages] == [2, 2, 1]
        finally:
            s.stop()


def test_validation_errors_have_the_service_shape(server, instance_arn):
    c = sso(server, validate=False)
    create = c.create_permission_set
    bad = [
        dict(Name="has space"), dict(Name="x" * 33), dict(Name=""),
        dict(Name="okname", SessionDuration="PT13H"), dict(Name="okname", SessionDuration="PT30M"),
        dict(Name="okname", SessionDuration="one hour"),
        dict(Name="okname", RelayState="ftp://example.com/"), dict(Name="okname", Description="x" * 701),
        dict(Name="okname", Tags=[{"Key": "aws:owner", "Value": "x"}]),
        dict(Name="okname", Tags=[{"Key": "bad*key", "Value": "x"}]),
        dict(Name="okname", Tags=[{"Key": "k", "Value": "v" * 257}]),
        dict(Name="okname", Tags=[{"Key": "k" * 129, "Value": "v"}]),
    ]
    for args in bad:
        code, msg = error_of(create, InstanceArn=instance_arn, **args)
        assert code == "ValidationException", (args, code, msg)
        assert msg, args
    assert error_of(create, InstanceArn="arn:aws:sso:::instance/nope", Name="x")[0] == "ValidationException"
    assert error_of(create, InstanceArn="arn:aws:sso:::instance/ssoins-0000000000000000",
                    Name="x")[0] == "ResourceNotFoundException"

    arn = c.create_permission_set(InstanceArn=instance_arn, Name="Validated")["PermissionSet"]["PermissionSetArn"]
    assert error_of(create, InstanceArn=instance_arn, Name="Validated")[0] == "ConflictException"
    base = dict(InstanceArn=instance_arn, PermissionSetArn=arn)
    for policy in ["arn:aws:iam::123456789012:policy/Mine", "arn:aws:iam::aws:policy/", "ReadOnlyAccess" * 2]:
        assert error_of(c.attach_managed_policy_to_permission_set, **base, ManagedPolicyArn=policy)[0] == "ValidationException"
    c.attach_managed_policy_to_permission_set(**base, ManagedPolicyArn=RO)
    assert error_of(c.attach_managed_policy_to_permission_set, **base, ManagedPolicyArn=RO)[0] == "ConflictException"
    assert error_of(c.detach_managed_policy_from_permission_set, **base, ManagedPolicyArn=VIEW)[0] == "ResourceNotFoundException"
    for doc in ["not json", "[]", json.dumps({"Statement": [{"Effect": "Perhaps"}]}), "{" + " " * 40000 + "}"]:
        assert error_of(c.put_inline_policy_to_permission_set, **base, InlinePolicy=doc)[0] == "ValidationException"
    for ref in [{"Name": "bad name"}, {"Name": "ok", "Path": "no-slashes"}, {"Name": "x" * 129}]:
        assert error_of(c.attach_customer_managed_policy_reference_to_permission_set, **base,
                        CustomerManagedPolicyReference=ref)[0] == "ValidationException"
    both = {"ManagedPolicyArn": RO, "CustomerManagedPolicyReference": {"Name": "B"}}
    for boundary in [both, {}]:
        assert error_of(c.put_permissions_boundary_to_permission_set, **base,
                        PermissionsBoundary=boundary)[0] == "ValidationException"
    assert error_of(c.list_permission_sets, InstanceArn=instance_arn, MaxResults=0)[0] == "ValidationException"
    assert error_of(c.list_permission_sets, InstanceArn=instance_arn, NextToken="bad token!")[0] == "ValidationException"
    missing = arn[:-16] + "0" * 16
    assert error_of(c.describe_permission_set, InstanceArn=instance_arn, PermissionSetArn=missing)[0] == "ResourceNotFoundException"
    assert error_of(c.describe_permission_set, InstanceArn=instance_arn, PermissionSetArn="ps-123")[0] == "ValidationException"
    # sso-admin's error bodies carry only the message (no identitystore Reason/ResourceType).
    with pytest.raises(ClientError) as e:
        c.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=missing)
    assert set(e.value.response["Error"]) <= {"Code", "Message"}


def test_tags_on_permission_sets_and_the_instance(server, instance_arn):
    c = sso(server, validate=False)
    arn = c.create_permission_set(InstanceArn=instance_arn, Name="Tagged",
                                  Tags=[{"Key": "Env", "Value": "dev"}])["PermissionSet"]["PermissionSetArn"]
    c.tag_resource(InstanceArn=instance_arn, ResourceArn=arn,
                   Tags=[{"Key": "env", "Value": "x"}, {"Key": "Env", "Value": "prod"}, {"Key": "名前", "Value": "値"}])
    tags = {t["Key"]: t["Value"] for t in c.list_tags_for_resource(InstanceArn=instance_arn, ResourceArn=arn)["Tags"]}
    assert tags == {"Env": "prod", "env": "x", "名前": "値"}, "keys are case-sensitive; a known key's value is replaced"
    c.untag_resource(InstanceArn=instance_arn, ResourceArn=arn, TagKeys=["env", "absent"])
    tags = {t["Key"] for t in c.list_tags_for_resource(InstanceArn=instance_arn, ResourceArn=arn)["Tags"]}
    assert tags == {"Env", "名前"}
    many = [{"Key": f"k{i}", "Value": ""} for i in range(49)]
    assert error_of(c.tag_resource, InstanceArn=instance_arn, ResourceArn=arn, Tags=many)[0] == "ServiceQuotaExceededException"
    c.tag_resource(InstanceArn=instance_arn, ResourceArn=arn, Tags=many[:48])  # 50 in all
    assert len(c.list_tags_for_resource(InstanceArn=instance_arn, ResourceArn=arn)["Tags"]) == 50
    assert error_of(c.tag_resource, InstanceArn=instance_arn, ResourceArn=arn,
                    Tags=[{"Key": "aws:x", "Value": "1"}])[0] == "ValidationException"
    assert error_of(c.untag_resource, InstanceArn=instance_arn, ResourceArn=arn, TagKeys=[])[0] == "ValidationException"
    # The instance is taggable too.
    c.tag_resource(InstanceArn=instance_arn, ResourceArn=instance_arn, Tags=[{"Key": "org", "Value": "acme"}])
    assert c.list_tags_for_resource(InstanceArn=instance_arn, ResourceArn=instance_arn)["Tags"] == [{"Key": "org", "Value": "acme"}]
    assert error_of(c.list_tags_for_resource, InstanceArn=instance_arn,
                    ResourceArn="arn:aws:iam::123456789012:role/x")[0] == "ValidationException"


def test_read_only_keys_read_but_do_not_change(server, instance_arn):
    ro = sso(server, key=server.create_key(user="auditor", read_only=True))
    assert ro.list_permission_sets(InstanceArn=instance_arn)["PermissionSets"] is not None
    code, _ = error_of(ro.create_permission_set, InstanceArn=instance_arn, Name="Nope")
    assert code == "AccessDeniedException"


def test_changes_are_audited_in_cloudtrail_format(server, instance_arn):
    c = sso(server)
    arn = c.create_permission_set(InstanceArn=instance_arn, Name="Audited")["PermissionSet"]["PermissionSetArn"]
    c.delete_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
    events = [json.loads(line) for line in (server.data_dir / "audit" / "events.jsonl").read_text().splitlines()]
    created = [e for e in events if e.get("eventSource") == "sso.amazonaws.com"
               and e.get("eventName") == "CreatePermissionSet" and arn in json.dumps(e.get("responseElements"))]
    assert len(created) == 1 and "errorCode" not in created[0]
    deleted = [e for e in events if e.get("eventSource") == "sso.amazonaws.com"
               and e.get("eventName") == "DeletePermissionSet" and "errorCode" not in e]
    assert deleted, "the delete wrote a CloudTrail record"
    # Identifiers are kept as sent (CloudTrail shows them); names and policies are masked.
    params = deleted[-1]["requestParameters"]
    assert params["InstanceArn"] == instance_arn and params["PermissionSetArn"] == arn
    assert created[0]["requestParameters"]["Name"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
