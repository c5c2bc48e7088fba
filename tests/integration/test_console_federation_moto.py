"""Console and CLI federation end to end (issue 15 item 2, issue 16 item 4; docs/console-access.md).

A permission set is provisioned into an account served by moto_server (IAM, STS,
Organizations) through the aws-iam provisioner (moto's default account for the STS exchanges,
see the fixture; a member account entered with AssumeRole for the role move); a user signs in through the portal API and asks
for the "Management console". The posted SAML Response is checked by peers that are not Atrium:
Debian's `xmlsec1 --verify` with the certificate of Atrium's IdP metadata (moto's STS verifies
nothing: no signature, audience or time), then Python's XML parser for what AWS reads. It is
then exchanged at moto's STS AssumeRoleWithSAML for credentials of the assigned role, and
`aws sts get-caller-identity` with them names the role. Atrium's own role_credentials does the
same exchange (portal API portal/credentials). Refusals: not assigned, disabled user, deleted
assignment, ended session. And the role names: Atrium's AtriumSSO_ under /atrium/ by default,
and a role of the service's names moved at the next provisioning.

Interpreters: Debian's /usr/bin/python3 with python3-requests and boto3; the AWS CLI v2 at
/usr/bin/aws; xmlsec1 from Debian; moto_server 5.2.1 from the pyenv Python (moto_peer.py),
started on a free port. Skips (saying why) when moto_server or xmlsec1 is missing.
"""
import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import boto3
import botocore.config
import pytest

from conftest import REGION, new_user
from moto_peer import MANAGEMENT_ACCOUNT, moto  # noqa: F401  (fixture)
from test_portal_signin import PASSWORD, Browser, mfa_settings, start_portal

AWS = "/usr/bin/aws"
NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#", "md": "urn:oasis:names:tc:SAML:2.0:metadata"}
ATTR = "https://aws.amazon.com/SAML/Attributes/"
RELAY = "https://console.aws.amazon.com/s3/home?region=us-east-1"


@contextlib.contextmanager
def base_credentials(moto):  # noqa: F811
    """Atrium's base credentials (moto's management account) in the environment `atrium serve`
    inherits, for the time of a start."""
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
    env = moto.cli_env()
    os.environ["AWS_ACCESS_KEY_ID"] = env["AWS_ACCESS_KEY_ID"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = env["AWS_SECRET_ACCESS_KEY"]
    os.environ.pop("AWS_SESSION_TOKEN", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def start_atrium(tmp, moto, extra=()):  # noqa: F811
    """Atrium with the aws-iam provisioner and STS pointed at moto."""
    with base_credentials(moto):
        return start_portal(tmp, [*moto.atrium_settings(), f"federation.sts_endpoint={moto.endpoint}", *extra])


def restart(server, moto, extra=()):  # noqa: F811
    """The same server again, without the role name settings it had (plus `extra`)."""
    server.stop()
    server.settings = [s for s in server.settings if not s.startswith("provisioner.role_")] + list(extra)
    with base_credentials(moto):
        server.start()


def sso_admin(server):
    return boto3.client("sso-admin", region_name=REGION, endpoint_url=server.endpoint, verify=False,
                        config=botocore.config.Config(retries={"max_attempts": 1}),
                        aws_access_key_id=server.key["AccessKeyId"],
                        aws_secret_access_key=server.key["SecretAccessKey"])


def wait(describe, timeout=60):
    deadline = time.time() + timeout
    while True:
        s = describe()
        if s["Status"] != "IN_PROGRESS" or time.time() > deadline:
            return s
        time.sleep(0.2)


class Deployment:
    """One Atrium (aws-iam provisioner on moto), one member account, one permission set."""

    def __init__(self, server, moto, name="fed", account=None):  # noqa: F811
        self.server, self.moto = server, moto
        self.account = account or moto.create_member_account(name + "-" + uuid.uuid4().hex[:6])
        server.cli("admin", "org", "register-account", "--id", self.account, "--name", name,
                   "--email", f"{name}@example.com")
        self.sso = sso_admin(server)
        self.instance = self.sso.list_instances()["Instances"][0]["InstanceArn"]
        self.ps_name = "Developers"
        self.ps = self.sso.create_permission_set(InstanceArn=self.instance, Name=self.ps_name, SessionDuration="PT2H",
                                                 RelayState=RELAY)["PermissionSet"]["PermissionSetArn"]
        self.sso.attach_managed_policy_to_permission_set(InstanceArn=self.instance, PermissionSetArn=self.ps,
                                                         ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        self.suffix = self.ps.rsplit("/ps-", 1)[1]
        self.provider = "AWSSSO_" + self.instance.rsplit("ins-", 1)[1] + "_DO_NOT_DELETE"

    def assignment(self, user_id, create=True, account=None):
        args = dict(InstanceArn=self.instance, TargetId=account or self.account, TargetType="AWS_ACCOUNT",
                    PermissionSetArn=self.ps, PrincipalType="USER", PrincipalId=user_id)
        if create:
            rid = self.sso.create_account_assignment(**args)["AccountAssignmentCreationStatus"]["RequestId"]
            done = wait(lambda: self.sso.describe_account_assignment_creation_status(
                InstanceArn=self.instance, AccountAssignmentCreationRequestId=rid)["AccountAssignmentCreationStatus"])
        else:
            rid = self.sso.delete_account_assignment(**args)["AccountAssignmentDeletionStatus"]["RequestId"]
            done = wait(lambda: self.sso.describe_account_assignment_deletion_status(
                InstanceArn=self.instance, AccountAssignmentDeletionRequestId=rid)["AccountAssignmentDeletionStatus"])
        assert done["Status"] == "SUCCEEDED", done.get("FailureReason")

    def provision(self):
        rid = self.sso.provision_permission_set(InstanceArn=self.instance, PermissionSetArn=self.ps,
                                                TargetType="AWS_ACCOUNT", TargetId=self.account)[
            "PermissionSetProvisioningStatus"]["RequestId"]
        done = wait(lambda: self.sso.describe_permission_set_provisioning_status(
            InstanceArn=self.instance, ProvisionPermissionSetRequestId=rid)["PermissionSetProvisioningStatus"])
        assert done["Status"] == "SUCCEEDED", done.get("FailureReason")

    def iam(self):
        return self.moto.client("iam", account=self.account)

    def role_exists(self, name):
        try:
            return self.iam().get_role(RoleName=name)["Role"]
        except self.iam().exceptions.NoSuchEntityException:
            return None


def signed_in_user(server, name=None, **attributes):
    """A user with a password (one-time, changed at the first sign-in) and a Browser signed in."""
    mfa_settings(server, "--mode", "disabled")
    name = name or "fed" + uuid.uuid4().hex[:8]
    uid = new_user(server.client(), server.store_id, name, email=f"{name}@example.test", **attributes)
    otp = json.loads(server.cli("admin", "user", "reset-password", "--user", name, "--one-time-password",
                                "--json").stdout)["OneTimePassword"]
    b = Browser(server)
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": otp})["next"] == "new-password"
    assert b.step("new-password", {"workflowId": wf, "newPassword": PASSWORD})["next"] == "done"
    return b, name, uid


def idp_metadata(server):
    """`atrium admin idp metadata` as the running server publishes it (its entity id names the port)."""
    return server.cli("admin", "idp", "metadata", "--set", f"server.port={server.port}").stdout


def idp_certificate_pem(server):
    """The signing certificate of Atrium's IdP metadata (what each account's SAML provider holds)."""
    meta = ET.fromstring(idp_metadata(server))
    b64 = meta.find(".//md:IDPSSODescriptor/md:KeyDescriptor[@use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate",
                    NS).text.strip()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def xmlsec1_verify(workdir, response_xml, cert_pem, node_xpath=None):
    (workdir / "response.xml").write_bytes(response_xml)
    (workdir / "idp.pem").write_text(cert_pem)
    args = ["xmlsec1", "--verify", "--pubkey-cert-pem", str(workdir / "idp.pem"),
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"]
    if node_xpath:
        args += ["--node-xpath", node_xpath]
    return subprocess.run(args + [str(workdir / "response.xml")], capture_output=True, text=True, timeout=60)


def saml_time(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def attributes(assertion):
    out = {}
    for a in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        out[a.get("Name")] = [v.text for v in a.findall("saml:AttributeValue", NS)]
    return out


def caller_identity(moto, creds):  # noqa: F811
    env = dict(os.environ, AWS_ACCESS_KEY_ID=creds["accessKeyId"], AWS_SECRET_ACCESS_KEY=creds["secretAccessKey"],
               AWS_SESSION_TOKEN=creds["sessionToken"], AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="", AWS_DEFAULT_REGION=REGION)
    env.pop("AWS_PROFILE", None)
    r = subprocess.run([AWS, "sts", "get-caller-identity", "--endpoint-url", moto.endpoint, "--output", "json"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def audit_events(server, name):
    lines = (server.data_dir / "audit" / "events.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["eventName"] == name and e["eventSource"] == "sso.amazonaws.com"]


@pytest.fixture(scope="module")
def deployment(moto):  # noqa: F811
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is not installed: run scripts/install-deps (Debian package xmlsec1)")
    with tempfile.TemporaryDirectory(prefix="atrium-fed-") as tmp:
        s = start_atrium(tmp, moto)
        # moto keeps an STS backend per account: AssumeRoleWithSAML files the session under the
        # caller's account (an unsigned call, as Atrium's and real STS's: moto's default account)
        # while get-caller-identity looks in the account of the session's keys. The two agree
        # only for a role in moto's default account, which is also the one Atrium's base
        # credentials belong to (entered without AssumeRole). Member accounts, entered with
        # AssumeRole, are what the last test and test_sso_admin_provisioning_moto.py use.
        d = Deployment(s, moto, account=MANAGEMENT_ACCOUNT)
        # Attributes for access control: Title becomes a session tag; CostCenter is configured
        # but the user has none, so it is left out.
        d.sso.create_instance_access_control_attribute_configuration(
            InstanceArn=d.instance, InstanceAccessControlAttributeConfiguration={"AccessControlAttributes": [
                {"Key": "Title", "Value": {"Source": ["${path:title}"]}},
                {"Key": "CostCenter", "Value": {"Source": ["${path:enterprise.costCenter}"]}}]})
        yield d
        s.stop()


def test_console_response_verifies_and_becomes_the_assigned_role_at_sts(deployment, tmp_path):
    d, server = deployment, deployment.server
    b, name, uid = signed_in_user(server, Title="Engineer")
    d.assignment(uid)
    role_name = f"AtriumSSO_{d.ps_name}_{d.suffix}"
    role = d.role_exists(role_name)
    assert role and role["Path"] == "/atrium/", "Atrium's default names: AssumeRoleWithSAML works on them"
    assert d.role_exists(f"AWSReservedSSO_{d.ps_name}_{d.suffix}") is None

    # The landing page lists the role; "Management console" answers the form to post.
    listing = b.get("/portal/api/portal/accounts").json()
    assert [r["permissionSetName"] for a in listing["accounts"] if a["accountId"] == d.account
            for r in a["roles"]] == [d.ps_name]
    r = b.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name})
    assert r.status_code == 200, r.text
    form = r.json()
    assert form["destination"] == "https://signin.aws.amazon.com/saml"
    assert form["relayState"] == RELAY
    assert "form-action 'self' https://signin.aws.amazon.com https://*.aws.amazon.com;" in \
        r.headers["Content-Security-Policy"]
    response_xml = base64.b64decode(form["samlResponse"])

    # Verified by xmlsec1 with the certificate of Atrium's IdP metadata: the Response's
    # signature, and the Assertion's on its own.
    cert = idp_certificate_pem(server)
    ok = xmlsec1_verify(tmp_path, response_xml, cert)
    assert ok.returncode == 0, ok.stderr
    ok = xmlsec1_verify(tmp_path, response_xml, cert,
                        "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Signature']")
    assert ok.returncode == 0, ok.stderr
    tampered = response_xml.replace(b">Engineer<", b">Engineeq<")
    assert tampered != response_xml
    assert xmlsec1_verify(tmp_path, tampered, cert).returncode != 0, "xmlsec1 refuses a changed Response"
    # The metadata in the account's SAML provider is the same Atrium publishes.
    provider_arn = f"arn:aws:iam::{d.account}:saml-provider/{d.provider}"
    assert d.iam().get_saml_provider(SAMLProviderArn=provider_arn)["SAMLMetadataDocument"] == idp_metadata(server)

    # What AWS reads (IAM User Guide, "Configure SAML assertions for the authentication response").
    resp = ET.fromstring(response_xml)
    assert resp.get("Destination") == "https://signin.aws.amazon.com/saml" and resp.get("InResponseTo") is None
    assertion = resp.find("saml:Assertion", NS)
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    assert name_id.get("Format") == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" and name_id.text == uid
    data = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    assert data.get("Recipient") == "https://signin.aws.amazon.com/saml"
    issued = saml_time(assertion.get("IssueInstant"))
    assert saml_time(data.get("NotOnOrAfter")) - issued == timedelta(minutes=5)
    assert saml_time(assertion.find("saml:Conditions", NS).get("NotOnOrAfter")) - issued == timedelta(minutes=5)
    assert abs((issued - datetime.now(timezone.utc)).total_seconds()) < 120
    assert assertion.find("saml:Conditions/saml:AudienceRestriction/saml:Audience", NS).text == "urn:amazon:webservices"
    role_arn = f"arn:aws:iam::{d.account}:role/atrium/{role_name}"
    attrs = attributes(assertion)
    assert attrs[ATTR + "Role"] == [f"{role_arn},{provider_arn}"]
    assert attrs[ATTR + "RoleSessionName"] == [name]
    assert attrs[ATTR + "SessionDuration"] == ["7200"]
    assert attrs[ATTR + "PrincipalTag:Title"] == ["Engineer"]
    assert ATTR + "PrincipalTag:CostCenter" not in attrs, "no value: left out"

    # moto's STS takes it (it checks nothing itself; the checks above are the verification).
    sts = d.moto.client("sts")
    c = sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn,
                                  SAMLAssertion=form["samlResponse"])["Credentials"]
    who = caller_identity(d.moto, {"accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
                                   "sessionToken": c["SessionToken"]})
    assert who["Arn"] == f"arn:aws:sts::{d.account}:assumed-role/{role_name}/{name}"
    assert who["Account"] == d.account

    # Audited as the service does it.
    fed = [e for e in audit_events(server, "Federate") if e["userIdentity"]["userName"] == name]
    assert len(fed) == 1
    assert fed[0]["userIdentity"]["principalId"] == uid
    assert fed[0]["requestParameters"] == {"accountId": d.account, "roleName": d.ps_name}
    assert fed[0]["responseElements"] is None and "errorCode" not in fed[0]


def test_role_credentials_come_from_sts_for_the_assigned_role(deployment):
    d, server = deployment, deployment.server
    b, name, uid = signed_in_user(server)
    account = d.account
    d.assignment(uid)
    before = time.time()
    r = b.post("/portal/api/portal/credentials", {"accountId": account, "roleName": d.ps_name})
    assert r.status_code == 200, r.text
    creds = r.json()["roleCredentials"]
    assert creds["accessKeyId"] and creds["secretAccessKey"] and creds["sessionToken"]
    # Epoch milliseconds, the permission set's two hours ahead.
    assert abs(creds["expiration"] / 1000 - (before + 7200)) < 120
    who = caller_identity(d.moto, creds)
    assert who["Arn"] == f"arn:aws:sts::{account}:assumed-role/AtriumSSO_{d.ps_name}_{d.suffix}/{name}"
    ev = [e for e in audit_events(server, "GetRoleCredentials") if e["userIdentity"]["userName"] == name]
    assert len(ev) == 1 and ev[0]["responseElements"] is None
    assert creds["secretAccessKey"] not in (server.data_dir / "audit" / "events.jsonl").read_text()


def test_refusals_give_no_assertion(deployment):
    d, server = deployment, deployment.server
    # Not assigned: AccessDenied, nothing signed, and a failed Federate event.
    b, name, uid = signed_in_user(server)
    for path in ("/portal/api/portal/console", "/portal/api/portal/credentials"):
        r = b.post(path, {"accountId": d.account, "roleName": d.ps_name})
        assert r.status_code == 403 and r.json()["error"] == "AccessDenied", r.text
        assert "samlResponse" not in r.text and "roleCredentials" not in r.text
    denied = [e for e in audit_events(server, "Federate") if e["userIdentity"]["userName"] == name]
    assert denied and denied[-1]["errorCode"] == "AccessDenied"
    # An account or role that does not exist gets the same answer.
    r1 = b.post("/portal/api/portal/console", {"accountId": "999999999999", "roleName": d.ps_name})
    r2 = b.post("/portal/api/portal/console", {"accountId": d.account, "roleName": "NoSuchRole"})
    assert r1.status_code == r2.status_code == 403 and r1.json() == r2.json()
    # CSRF like every other state change.
    assert b.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name},
                  csrf=False).json()["error"] == "CsrfFailed"

    # A deleted assignment takes the console away.
    d.assignment(uid)
    assert b.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name}).status_code == 200
    d.assignment(uid, create=False)
    r = b.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name})
    assert r.status_code == 403 and "samlResponse" not in r.text

    # A disabled user: the session ends at once, nothing more is signed.
    b2, name2, uid2 = signed_in_user(server)
    d.assignment(uid2)
    assert b2.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name}).status_code == 200
    server.cli("admin", "user", "disable", "--user", name2)
    r = b2.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name})
    assert r.status_code == 401 and "samlResponse" not in r.text
    # An ended session (sign-out) gets nothing either.
    b3, _, uid3 = signed_in_user(server)
    d.assignment(uid3)
    assert b3.post("/portal/api/signout").status_code == 200
    r = b3.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name})
    assert r.status_code == 401 and "samlResponse" not in r.text


def test_a_role_of_the_services_name_moves_at_the_next_provisioning(moto, tmp_path):  # noqa: F811
    with tempfile.TemporaryDirectory(prefix="atrium-fed-") as tmp:
        server = start_atrium(tmp, moto, ["provisioner.role_name_prefix=AWSReservedSSO_",
                                          "provisioner.role_path=/aws-reserved/sso.amazonaws.com/"])
        try:
            d = Deployment(server, moto, "move")
            b, name, uid = signed_in_user(server)
            d.assignment(uid)
            old = f"AWSReservedSSO_{d.ps_name}_{d.suffix}"
            assert d.role_exists(old)["Path"] == "/aws-reserved/sso.amazonaws.com/"
            form = b.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name}).json()
            role = attributes(ET.fromstring(base64.b64decode(form["samlResponse"])).find("saml:Assertion", NS))[
                ATTR + "Role"][0]
            assert role.startswith(f"arn:aws:iam::{d.account}:role/aws-reserved/sso.amazonaws.com/{old},")

            # The deployment moves to Atrium's default names; the next provisioning moves the role.
            restart(server, moto)
            d.sso = sso_admin(server)
            d.provision()
            new = f"AtriumSSO_{d.ps_name}_{d.suffix}"
            assert d.role_exists(new)["Path"] == "/atrium/"
            assert d.role_exists(old) is None, "the old-named role is deleted once the new one exists"
            b = Browser(server)
            wf = b.start(name)["workflowId"]
            b.step("password", {"workflowId": wf, "password": PASSWORD})
            form = b.post("/portal/api/portal/console", {"accountId": d.account, "roleName": d.ps_name}).json()
            role = attributes(ET.fromstring(base64.b64decode(form["samlResponse"])).find("saml:Assertion", NS))[
                ATTR + "Role"][0]
            assert role.startswith(f"arn:aws:iam::{d.account}:role/atrium/{new},")
        finally:
            if server.proc is not None:
                server.stop()
