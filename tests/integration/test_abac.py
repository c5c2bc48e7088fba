"""Attributes for access control (ABAC; issue 4 item 6) through sso-admin's four
*InstanceAccessControlAttributeConfiguration operations, driven by Debian's boto3
(/usr/bin/python3, botocore 1.29.27 has all four) and Debian's AWS CLI v2 (/usr/bin/aws 2.9.19).
"""
import json
import os
import subprocess

import boto3
import botocore.config
import botocore.exceptions
import pytest

from conftest import REGION

CFG = "InstanceAccessControlAttributeConfiguration"


def sso(server, key=None, validate=True):
    key = key or server.key
    return boto3.client("sso-admin", region_name=REGION, endpoint_url=server.endpoint,
                        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                        verify=False,
                        config=botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=validate))


def attrs(*pairs):
    return {"AccessControlAttributes": [{"Key": k, "Value": {"Source": [s]}} for k, s in pairs]}


def error_code(call):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def aws_cli(server, *args, key=None):
    key = key or server.key
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
               AWS_DEFAULT_REGION=REGION, AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    return subprocess.run(["/usr/bin/aws", *args, "--endpoint-url", server.endpoint, "--no-verify-ssl",
                           "--output", "json"], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture
def abac(fresh_server):
    return fresh_server, sso(fresh_server), fresh_server.key["InstanceArn"]


def test_life_cycle_with_boto3(abac):
    server, c, arn = abac
    code, _ = error_code(lambda: c.describe_instance_access_control_attribute_configuration(InstanceArn=arn))
    assert code == "ResourceNotFoundException"
    cfg = attrs(("Department", "${path:enterprise.department}"), ("CostCenter", "${path:enterprise.costCenter}"))
    c.create_instance_access_control_attribute_configuration(InstanceArn=arn, **{CFG: cfg})
    got = c.describe_instance_access_control_attribute_configuration(InstanceArn=arn)
    assert got["Status"] == "ENABLED"
    assert got[CFG] == cfg
    code, _ = error_code(lambda: c.create_instance_access_control_attribute_configuration(InstanceArn=arn, **{CFG: cfg}))
    assert code == "ConflictException"
    nxt = attrs(("Team", '${path:addresses[type eq "work"].locality}'))
    c.update_instance_access_control_attribute_configuration(InstanceArn=arn, **{CFG: nxt})
    assert c.describe_instance_access_control_attribute_configuration(InstanceArn=arn)[CFG] == nxt
    c.delete_instance_access_control_attribute_configuration(InstanceArn=arn)
    code, _ = error_code(lambda: c.describe_instance_access_control_attribute_configuration(InstanceArn=arn))
    assert code == "ResourceNotFoundException"
    code, _ = error_code(lambda: c.delete_instance_access_control_attribute_configuration(InstanceArn=arn))
    assert code == "ResourceNotFoundException"


def test_every_supported_path_is_accepted(abac):
    _, c, arn = abac
    paths = ["${path:userName}", "${path:name.familyName}", "${path:name.givenName}", "${path:displayName}",
             "${path:nickName}", "${path:emails[primary eq true].value}",
             '${path:addresses[type eq "work"].streetAddress}', '${path:addresses[type eq "work"].locality}',
             '${path:addresses[type eq "work"].region}', '${path:addresses[type eq "work"].postalCode}',
             '${path:addresses[type eq "work"].country}', '${path:addresses[type eq "work"].formatted}',
             '${path:phoneNumbers[type eq "work"].value}', "${path:userType}", "${path:title}", "${path:locale}",
             "${path:timezone}", "${path:enterprise.employeeNumber}", "${path:enterprise.costCenter}",
             "${path:enterprise.organization}", "${path:enterprise.division}", "${path:enterprise.department}",
             "${path:enterprise.manager.value}"]
    cfg = attrs(*[(f"K{i}", p) for i, p in enumerate(paths)])
    c.create_instance_access_control_attribute_configuration(InstanceArn=arn, **{CFG: cfg})
    assert c.describe_instance_access_control_attribute_configuration(InstanceArn=arn)[CFG] == cfg


@pytest.mark.parametrize("cfg,why", [
    (attrs(("K", "${path:password}")), "unsupported path"),
    (attrs(("K", "${user:email}")), "directory attribute"),
    (attrs(("K", "literal")), "not a path"),
    (attrs(("Team", "${path:title}"), ("team", "${path:userType}")), "duplicate key ignoring case"),
    (attrs(("has#hash", "${path:title}")), "key pattern"),
    (attrs(("K" * 129, "${path:title}")), "key too long"),
    (attrs(*[(f"K{i}", "${path:title}") for i in range(51)]), "more than 50"),
    ({"AccessControlAttributes": [{"Key": "K", "Value": {"Source": ["${path:title}", "${path:locale}"]}}]}, "two sources"),
    ({"AccessControlAttributes": [{"Key": "K", "Value": {"Source": []}}]}, "no source"),
])
def test_invalid_configurations_are_refused(abac, cfg, why):
    _, _, arn = abac
    c = sso(abac[0], validate=False)  # let the server, not botocore, judge the request
    code, msg = error_code(lambda: c.create_instance_access_control_attribute_configuration(InstanceArn=arn, **{CFG: cfg}))
    assert code == "ValidationException", (why, msg)
    code, _ = error_code(lambda: c.describe_instance_access_control_attribute_configuration(InstanceArn=arn))
    assert code == "ResourceNotFoundException", "nothing was stored"


def test_unknown_instance_is_not_found(abac):
    _, c, _ = abac
    code, _ = error_code(lambda: c.describe_instance_access_control_attribute_configuration(
        InstanceArn="arn:aws:sso:::instance/ssoins-ffffffffffffffff"))
    assert code == "ResourceNotFoundException"


def test_aws_cli_v2(abac):
    server, _, arn = abac
    cfg = json.dumps(attrs(("CostCenter", "${path:enterprise.costCenter}")))
    r = aws_cli(server, "sso-admin", "create-instance-access-control-attribute-configuration",
                "--instance-arn", arn, "--instance-access-control-attribute-configuration", cfg)
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "sso-admin", "describe-instance-access-control-attribute-configuration", "--instance-arn", arn)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["Status"] == "ENABLED"
    assert out[CFG]["AccessControlAttributes"][0]["Key"] == "CostCenter"
    r = aws_cli(server, "sso-admin", "delete-instance-access-control-attribute-configuration", "--instance-arn", arn)
    assert r.returncode == 0, r.stderr
    r = aws_cli(server, "sso-admin", "describe-instance-access-control-attribute-configuration", "--instance-arn", arn)
    assert r.returncode != 0 and "ResourceNotFoundException" in r.stderr


def test_changes_are_audited(abac):
    server, c, arn = abac
    c.create_instance_access_control_attribute_configuration(
        InstanceArn=arn, **{CFG: attrs(("User", "${path:userName}"))})
    out = server.cli("audit", "--event-name", "CreateInstanceAccessControlAttributeConfiguration").stdout
    recs = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert recs and recs[0]["eventSource"] == "sso.amazonaws.com"
    assert "errorCode" not in recs[0]
