"""The seeds' set-ups replayed against Atrium as SAML 2.0 SP (issue 17 items 3-5, 9): Responses
shaped as Okta, Microsoft Entra ID (Azure AD) and CyberArk Workforce Identity send them for the
"AWS IAM Identity Center" application (../shared/reference walkthroughs and the guide's
"Supported identity providers" pages), each configured the way its walkthrough does it (Okta
and Entra ID: their metadata file uploaded; CyberArk: sign-in URL, issuer and certificate
entered by hand); IdP AccessControl attributes reaching the session tags of console federation;
the guide's NameID rule for other IdPs; certificate rotation with two certificates.

Interpreter: Debian's /usr/bin/python3 (requests, boto3, lxml); xmlsec1 signs (saml_peers/forge.py).
One server for the module; each test makes its IdP and switches the identity source to it
(the guide's switch from one external IdP to another).
"""
import base64
import json
import os
import pathlib
import secrets
import tempfile
import uuid
import xml.etree.ElementTree as ET

import boto3
import pytest

from conftest import REGION, make_server, new_user
from saml_peers import atrium_sp, forge
from saml_peers.common import ACCESS_CONTROL, EMAIL, UNSPECIFIED, free_port, pem_body

if not os.path.exists(forge.XMLSEC1):
    pytest.skip("xmlsec1 is absent: apt-get install xmlsec1 (scripts/install-deps)", allow_module_level=True)

USER = "jane.doe@example.com"
AZURE_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
MS_CLAIMS = "http://schemas.microsoft.com/identity/claims/"


class Ctx:
    pass


@pytest.fixture(scope="module")
def env():
    with tempfile.TemporaryDirectory(prefix="atrium-sp-shapes-") as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "srv").mkdir()
        port = free_port()
        server = make_server(tmp / "srv", settings=[f"server.port={port}",
                                                    f"portal.public_url=https://localhost:{port}/portal",
                                                    "portal.address_failures=1000"])  # /portal/sp/login's throttle
        x = Ctx()
        x.server, x.tmp = server, tmp
        x.uid = new_user(server.client(), server.store_id, USER, email=USER, Title="Engineer")
        x.sp = atrium_sp.service_provider(server)
        yield x
        assert server.stop() == 0


def idp_metadata(entity_id, sso_url, certs, extra_roles="", name_id_formats=(EMAIL,)):
    keys = "".join('<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
                   f"<ds:X509Data><ds:X509Certificate>{pem_body(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
                   "</md:KeyDescriptor>" for c in certs)
    fmts = "".join(f"<md:NameIDFormat>{f}</md:NameIDFormat>" for f in name_id_formats)
    return ('<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'entityID="{entity_id}">{extra_roles}'
            '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
            f'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}{fmts}'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{sso_url}"/>'
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso_url}"/>'
            "</md:IDPSSODescriptor></md:EntityDescriptor>")


def sign_in(x, f, name_id=USER, solicited=True, **kw):
    b = atrium_sp.browser()
    req = None
    if solicited:
        req, location = atrium_sp.begin(x.server, b)
        x.last_location = location
    r = atrium_sp.post(x.server, b, forge.Forge.b64(f.response(name_id, in_response_to=req, **kw)))
    return r, b


def assert_session(x, r, b, user=USER):
    assert r.status_code == 200, r.text[:800]
    ok, s = atrium_sp.signed_in(x.server, b)
    assert ok, s.text
    assert s.json()["user"]["userName"] == user
    return s.json()


def test_okta_shape_metadata_upload_sp_initiated(env):
    # Okta's "AWS IAM Identity Center" app: issuer http://www.okta.com/<app id>, its metadata file
    # downloaded from "Sign On" (both bindings, emailAddress and unspecified NameID formats),
    # NameID emailAddress = the Okta username (an e-mail), Response and Assertion both signed.
    entity = "http://www.okta.com/exk" + secrets.token_hex(8)
    sso = "https://example.okta.com/app/example_awsiamidentitycenter_1/exk123/sso/saml"
    f = forge.Forge(str(env.tmp), entity, env.sp["EntityId"], env.sp["AcsUrl"], forge.Signer(str(env.tmp), "okta", "Okta"))
    md = idp_metadata(entity, sso, [f.signer.cert], name_id_formats=(EMAIL, UNSPECIFIED))
    idp_id = atrium_sp.configure(env.server, metadata=md)
    d = atrium_sp.admin(env.server, "DescribeIdentitySource")
    assert d["IdentitySource"] == "EXTERNAL_IDP"
    mine = [i for i in d["ExternalIdPs"] if i["IdpId"] == idp_id][0]
    assert mine["EntityId"] == entity and mine["SsoUrl"] == sso and mine["Status"] == "ENABLED", mine
    r, b = sign_in(env, f, sign="both", attributes={ACCESS_CONTROL + "Department": ["Platform"]})
    assert env.last_location.startswith(sso + "?SAMLRequest="), env.last_location
    assert_session(env, r, b)


def test_entra_id_shape_federation_metadata_idp_initiated(env):
    # Entra ID's "Federation Metadata XML": a WS-Federation RoleDescriptor before the
    # IDPSSODescriptor; issuer https://sts.windows.net/<tenant>/; only the Assertion signed (its
    # default "Sign SAML assertion"); NameID emailAddress holding user.userprincipalname; claims
    # as schemas.xmlsoap.org / schemas.microsoft.com URIs. Its "Test" button signs in
    # IdP-initiated.
    tenant = str(uuid.uuid4())
    entity = f"https://sts.windows.net/{tenant}/"
    sso = f"https://login.microsoftonline.com/{tenant}/saml2"
    f = forge.Forge(str(env.tmp), entity, env.sp["EntityId"], env.sp["AcsUrl"],
                    forge.Signer(str(env.tmp), "entra", "Microsoft Azure Federated SSO Certificate"))
    ws_fed = ('<RoleDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" xsi:type="fed:SecurityTokenServiceType" '
              'protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706">'
              f'<fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing">'
              f"<wsa:Address>https://login.microsoftonline.com/{tenant}/wsfed</wsa:Address></wsa:EndpointReference>"
              "</fed:PassiveRequestorEndpoint></RoleDescriptor>")
    atrium_sp.configure(env.server, metadata=idp_metadata(entity, sso, [f.signer.cert], extra_roles=ws_fed))
    claims = {MS_CLAIMS + "tenantid": [tenant], MS_CLAIMS + "objectidentifier": [str(uuid.uuid4())],
              MS_CLAIMS + "displayname": ["Jane Doe"], MS_CLAIMS + "identityprovider": [entity],
              MS_CLAIMS + "authnmethodsreferences": ["http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"],
              AZURE_CLAIMS + "givenname": ["Jane"], AZURE_CLAIMS + "surname": ["Doe"],
              AZURE_CLAIMS + "emailaddress": [USER], AZURE_CLAIMS + "name": [USER]}
    r, b = sign_in(env, f, solicited=False, sign="assertion", attributes=claims)
    assert_session(env, r, b)


def test_cyberark_shape_manual_entry(env):
    # CyberArk Workforce Identity: "IdP Entity ID", "Single Sign-On URL" and the downloaded
    # certificate entered by hand; NameID format emailAddress; the Response signed.
    entity = "https://aax4321.id.cyberark.cloud/" + str(uuid.uuid4())
    sso = "https://aax4321.id.cyberark.cloud/applogin/appKey/" + str(uuid.uuid4())
    f = forge.Forge(str(env.tmp), entity, env.sp["EntityId"], env.sp["AcsUrl"],
                    forge.Signer(str(env.tmp), "cyberark", "CyberArk Identity"))
    atrium_sp.configure(env.server, entity_id=entity, sso_url=sso, certificates=[f.signer.cert_pem])
    r, b = sign_in(env, f, sign="response")
    assert_session(env, r, b)


def test_other_idp_unspecified_name_id_holding_an_addr_spec(env):
    # The guide's "Other identity providers": NameID unspecified is accepted when its value is an
    # RFC 2822 addr-spec that is a userName; not when it is something else.
    entity = "https://idp.other.example/" + secrets.token_hex(4)
    f = forge.Forge(str(env.tmp), entity, env.sp["EntityId"], env.sp["AcsUrl"], forge.Signer(str(env.tmp), "other", "Other"))
    atrium_sp.configure(env.server, entity_id=entity, sso_url=entity + "/sso", certificates=[f.signer.cert_pem])
    r, b = sign_in(env, f, name_id_format=UNSPECIFIED)
    assert_session(env, r, b)
    r, b = sign_in(env, f, name_id="jane.doe", name_id_format=UNSPECIFIED)
    assert r.status_code == 403 and "addr-spec" in r.text, r.text[:500]


def test_certificate_rotation_two_accepted_then_old_removed(env):
    entity = "https://idp.rotate.example/" + secrets.token_hex(4)
    old = forge.Signer(str(env.tmp), "rot-old", "Rotation old")
    new = forge.Signer(str(env.tmp), "rot-new", "Rotation new")
    f = forge.Forge(str(env.tmp), entity, env.sp["EntityId"], env.sp["AcsUrl"], old)
    idp_id = atrium_sp.configure(env.server, entity_id=entity, sso_url=entity + "/sso", certificates=[old.cert_pem])
    assert_session(env, *sign_in(env, f))
    r, _ = sign_in(env, f, signer=new)
    assert r.status_code == 403, "a certificate not yet configured is refused"
    atrium_sp.admin(env.server, "UpdateExternalIdPConfigurationForDirectory",
                    {"IdpId": idp_id, "Certificates": [old.cert_pem, new.cert_pem]})
    mine = [i for i in atrium_sp.admin(env.server, "DescribeIdentitySource")["ExternalIdPs"] if i["IdpId"] == idp_id][0]
    assert len(mine["Certificates"]) == 2 and all(c["NotAfter"] for c in mine["Certificates"]), mine
    assert_session(env, *sign_in(env, f, signer=old))
    assert_session(env, *sign_in(env, f, signer=new))
    atrium_sp.admin(env.server, "UpdateExternalIdPConfigurationForDirectory", {"IdpId": idp_id, "Certificates": [new.cert_pem]})
    r, b = sign_in(env, f, signer=old)
    assert r.status_code == 403, r.text[:500]
    assert not atrium_sp.signed_in(env.server, b)[0]
    assert_session(env, *sign_in(env, f, signer=new))


def test_access_control_attributes_override_the_store_and_reach_session_tags(env):
    # The store maps Department <- ${path:title} ("Engineer"); the IdP sends AccessControl:Department
    # and AccessControl:CostCenter: the IdP's values win for that session (the guide's ABAC chapter),
    # and they are the PrincipalTag attributes of the console federation Response.
    s = env.server
    key = s.key
    sso = boto3.client("sso-admin", region_name=REGION, endpoint_url=s.endpoint, verify=False,
                       aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    sso.create_instance_access_control_attribute_configuration(
        InstanceArn=instance, InstanceAccessControlAttributeConfiguration={"AccessControlAttributes": [
            {"Key": "Department", "Value": {"Source": ["${path:title}"]}}]})
    account = "111122223333"
    s.cli("admin", "org", "register-account", "--id", account, "--name", "sandbox", "--email", "sandbox@example.com")
    ps = sso.create_permission_set(InstanceArn=instance, Name="ReadOnly")["PermissionSet"]["PermissionSetArn"]
    created = sso.create_account_assignment(InstanceArn=instance, TargetId=account, TargetType="AWS_ACCOUNT",
                                            PermissionSetArn=ps, PrincipalType="USER", PrincipalId=env.uid)
    req = created["AccountAssignmentCreationStatus"]["RequestId"]
    import time
    deadline = time.time() + 30
    while sso.describe_account_assignment_creation_status(
            InstanceArn=instance, AccountAssignmentCreationRequestId=req)["AccountAssignmentCreationStatus"]["Status"] \
            == "IN_PROGRESS":
        assert time.time() < deadline
        time.sleep(0.2)

    entity = "https://idp.abac.example/" + secrets.token_hex(4)
    f = forge.Forge(str(env.tmp), entity, env.sp["EntityId"], env.sp["AcsUrl"], forge.Signer(str(env.tmp), "abac", "ABAC"))
    atrium_sp.configure(env.server, entity_id=entity, sso_url=entity + "/sso", certificates=[f.signer.cert_pem])

    def console_tags(attributes):
        r, b = sign_in(env, f, attributes=attributes)
        csrf = assert_session(env, r, b)["csrfToken"]
        c = b.post(s.endpoint + "/portal/api/portal/console", data=json.dumps({"accountId": account, "roleName": "ReadOnly"}),
                   headers={"Content-Type": "application/json", "X-CSRF-Token": csrf}, timeout=30)
        assert c.status_code == 200, c.text
        doc = ET.fromstring(base64.b64decode(c.json()["samlResponse"]))
        out = {}
        for a in doc.iter("{urn:oasis:names:tc:SAML:2.0:assertion}Attribute"):
            name = a.get("Name")
            if name.startswith("https://aws.amazon.com/SAML/Attributes/PrincipalTag:"):
                out[name.rsplit(":", 1)[1]] = [v.text for v in a]
        return out

    assert console_tags({}) == {"Department": ["Engineer"]}, "without IdP attributes: the store's mapping"
    tags = console_tags({ACCESS_CONTROL + "Department": ["Platform"], ACCESS_CONTROL + "CostCenter": ["4242"],
                         AZURE_CLAIMS + "givenname": ["Jane"]})
    assert tags == {"Department": ["Platform"], "CostCenter": ["4242"]}, tags
