"""The aws-iam account provisioner end to end against moto_server (IAM, STS, Organizations).

`atrium admin provisioner check` runs the provisioner once for one account (SAML provider +
put_role, or delete_role); Debian's AWS CLI v2 and boto3 then read what it made inside the
member account (entered, like Atrium does, through sts:AssumeRole of
OrganizationAccountAccessRole). Skips when moto_server is not installed.
"""
import json
import subprocess
import tempfile
import urllib.parse
import pathlib

import pytest

from conftest import ATRIUM
from moto_peer import moto  # noqa: F401  (fixture)

ROLE = "AWSReservedSSO_Check_0123456789abcdef"


@pytest.fixture(scope="module")
def setup(moto):  # noqa: F811
    with tempfile.TemporaryDirectory(prefix="atrium-prov-") as tmp:
        data = pathlib.Path(tmp)
        member = moto.create_member_account("prov-member")
        # The policies the permission set refers to must exist in the member account.
        iam = moto.client("iam", account=member)
        iam.create_policy(PolicyName="team-policy", Path="/teams/",
                          PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                              {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
        iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        yield {"data": data, "member": member, "moto": moto}


def atrium(setup, *args, check=True):
    moto = setup["moto"]
    cmd = [ATRIUM, *args, "--data-dir", str(setup["data"])]
    # The service's role names, configured explicitly (Atrium's default is AtriumSSO_ under
    # /atrium/; this test checks the provisioner with the names the service itself uses).
    for s in moto.atrium_settings() + ["provisioner.role_name_prefix=AWSReservedSSO_",
                                       "provisioner.role_path=/aws-reserved/sso.amazonaws.com/"]:
        cmd += ["--set", s]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=moto.cli_env())
    if check:
        assert r.returncode == 0, f"atrium {args}: {r.stderr}"
    return r


def check(setup, spec, delete=False):
    f = setup["data"] / "ps.json"
    f.write_text(json.dumps(spec))
    args = ["admin", "provisioner", "check", "--account", setup["member"], "--permission-set-json", str(f), "--json"]
    if delete:
        args.append("--delete")
    return json.loads(atrium(setup, *args).stdout)


def aws(setup, *args, check=True):
    moto = setup["moto"]
    r = subprocess.run(["/usr/bin/aws", *args, "--endpoint-url", moto.endpoint, "--output", "json"],
                       capture_output=True, text=True, timeout=60, env=moto.cli_env(account=setup["member"]))
    if check:
        assert r.returncode == 0, f"aws {args}: {r.stderr}"
    return json.loads(r.stdout) if r.stdout.strip() else None


def spec(**extra):
    s = {"RoleName": ROLE, "Description": "Atrium check",
         "ManagedPolicies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
         "CustomerManagedPolicyReferences": [{"Name": "team-policy", "Path": "/teams/"}],
         "InlinePolicy": {"Version": "2012-10-17",
                          "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}}
    s.update(extra)
    return s


def provider_arns(setup):
    return [p["Arn"] for p in aws(setup, "iam", "list-saml-providers")["SAMLProviderList"]]


def test_put_role_creates_provider_and_role_in_the_member_account(setup):
    out = check(setup, spec())
    assert out["Provisioner"] == "aws-iam" and out["AccountId"] == setup["member"]
    member = setup["member"]
    provider = out["SamlProvider"]
    assert provider.startswith("AWSSSO_") and provider.endswith("_DO_NOT_DELETE")
    assert f"arn:aws:iam::{member}:saml-provider/{provider}" in provider_arns(setup)
    # The provider holds Atrium's IdP metadata (the same the CLI prints).
    meta = aws(setup, "iam", "get-saml-provider", "--saml-provider-arn",
               f"arn:aws:iam::{member}:saml-provider/{provider}")["SAMLMetadataDocument"]
    assert "IDPSSODescriptor" in meta and "X509Certificate" in meta
    assert meta == atrium(setup, "admin", "idp", "metadata").stdout

    role = aws(setup, "iam", "get-role", "--role-name", ROLE)["Role"]
    assert role["Path"] == "/aws-reserved/sso.amazonaws.com/"
    assert role["MaxSessionDuration"] == 43200
    trust = role["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(urllib.parse.unquote(trust))
    st = trust["Statement"][0]
    assert st["Principal"]["Federated"] == f"arn:aws:iam::{member}:saml-provider/{provider}"
    assert "sts:AssumeRoleWithSAML" in st["Action"]
    assert st["Condition"]["StringEquals"]["SAML:aud"] == "https://signin.aws.amazon.com/saml"

    attached = {p["PolicyArn"] for p in aws(setup, "iam", "list-attached-role-policies", "--role-name", ROLE)["AttachedPolicies"]}
    assert attached == {"arn:aws:iam::aws:policy/ReadOnlyAccess", f"arn:aws:iam::{member}:policy/teams/team-policy"}
    inline = aws(setup, "iam", "get-role-policy", "--role-name", ROLE, "--policy-name", "AwsSSOInlinePolicy")
    doc = inline["PolicyDocument"]
    if isinstance(doc, str):
        doc = json.loads(urllib.parse.unquote(doc))
    assert doc["Statement"][0]["Action"] == "ec2:Describe*"
    # Only the member account got the role: the management account has none.
    mgmt = setup["moto"].client("iam")
    assert ROLE not in [r["RoleName"] for r in mgmt.list_roles()["Roles"]]


def test_put_role_converges_an_existing_role(setup):
    check(setup, spec())
    iam = setup["moto"].client("iam", account=setup["member"])
    iam.attach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.put_role_policy(RoleName=ROLE, PolicyName="Stray", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    # The permission set loses its customer managed policy and inline policy and gains a boundary.
    narrower = spec(CustomerManagedPolicyReferences=[],
                    PermissionsBoundary={"CustomerManagedPolicyReference": {"Name": "boundary"}})
    del narrower["InlinePolicy"]
    check(setup, narrower)
    attached = {p["PolicyArn"] for p in aws(setup, "iam", "list-attached-role-policies", "--role-name", ROLE)["AttachedPolicies"]}
    assert attached == {"arn:aws:iam::aws:policy/ReadOnlyAccess"}
    assert aws(setup, "iam", "list-role-policies", "--role-name", ROLE)["PolicyNames"] == []
    role = aws(setup, "iam", "get-role", "--role-name", ROLE)["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == f"arn:aws:iam::{setup['member']}:policy/boundary"


def test_delete_role_removes_it(setup):
    check(setup, spec())
    out = check(setup, spec(), delete=True)
    assert out["Action"] == "DeleteRole"
    r = aws(setup, "iam", "get-role", "--role-name", ROLE, check=False)
    assert r is None
    # Deleting again succeeds (idempotent for the job runner).
    check(setup, spec(), delete=True)


def test_deleted_saml_provider_is_restored(setup):
    out = check(setup, spec())
    arn = f"arn:aws:iam::{setup['member']}:saml-provider/{out['SamlProvider']}"
    aws(setup, "iam", "delete-saml-provider", "--saml-provider-arn", arn)
    assert arn not in provider_arns(setup)
    check(setup, spec())
    assert arn in provider_arns(setup)


def test_repair_identity_provider_restores_a_deleted_provider(setup):
    out = check(setup, spec())
    arn = f"arn:aws:iam::{setup['member']}:saml-provider/{out['SamlProvider']}"
    aws(setup, "iam", "delete-saml-provider", "--saml-provider-arn", arn)
    assert arn not in provider_arns(setup)
    r = json.loads(atrium(setup, "admin", "provisioner", "repair-identity-provider", "--account", setup["member"],
                          "--json").stdout)
    assert r["SamlProvider"] == out["SamlProvider"] and r["Provisioner"] == "aws-iam"
    assert arn in provider_arns(setup)
    doc = aws(setup, "iam", "get-saml-provider", "--saml-provider-arn", arn)["SAMLMetadataDocument"]
    assert doc == atrium(setup, "admin", "idp", "metadata").stdout
    bad = atrium(setup, "admin", "provisioner", "repair-identity-provider", "--account", "12", check=False)
    assert bad.returncode != 0 and "12-digit" in bad.stderr


def test_rotation_updates_the_metadata_in_the_account(setup):
    out = check(setup, spec())
    arn = f"arn:aws:iam::{setup['member']}:saml-provider/{out['SamlProvider']}"
    atrium(setup, "admin", "idp", "rotate-certificate", "--retire-old")  # a clean start
    before = atrium(setup, "admin", "idp", "metadata").stdout
    assert before.count("<ds:X509Certificate>") == 1
    atrium(setup, "admin", "idp", "rotate-certificate")
    both = atrium(setup, "admin", "idp", "metadata").stdout
    assert both.count("<ds:X509Certificate>") == 2
    # A second rotation waits until the previous certificate is retired.
    r = atrium(setup, "admin", "idp", "rotate-certificate", check=False)
    assert r.returncode == 1 and "retire" in r.stderr
    check(setup, spec())
    assert aws(setup, "iam", "get-saml-provider", "--saml-provider-arn", arn)["SAMLMetadataDocument"] == both
    certs = json.loads(atrium(setup, "admin", "idp", "list-certificates", "--json").stdout)["Certificates"]
    assert [c["Status"] for c in certs] == ["ACTIVE", "PREVIOUS"]
    atrium(setup, "admin", "idp", "rotate-certificate", "--retire-old")
    assert atrium(setup, "admin", "idp", "metadata").stdout.count("<ds:X509Certificate>") == 1


def test_peer_errors_reach_the_administrator(setup):
    f = setup["data"] / "bad.json"
    f.write_text(json.dumps(spec(ManagedPolicies=["arn:aws:iam::aws:policy/DoesNotExist"])))
    r = atrium(setup, "admin", "provisioner", "check", "--account", setup["member"], "--permission-set-json", str(f),
               check=False)
    assert r.returncode == 1
    assert "AttachRolePolicy" in r.stderr and setup["member"] in r.stderr, r.stderr
