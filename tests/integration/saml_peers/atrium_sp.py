"""Atrium's SP side as the tests drive it (issue 17's wire interface): the AtriumAdmin identity
source operations (SigV4-signed AWS JSON 1.1, botocore's signer), the SP-initiated start
(/portal/sp/login: the AuthnRequest's ID and this browser's atrium_sp_request cookie), posting a
Response to the ACS, and the ExternalIdPDirectoryLogin audit records.

Interpreter: Debian's /usr/bin/python3 (requests, botocore).
"""
import base64
import json
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-east-1"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
LOGIN_EVENT = "ExternalIdPDirectoryLogin"


class AdminError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status} {body}")
        self.status, self.body = status, body
        self.type = (body or {}).get("__type", "")


def admin(server, op, body=None):
    """One AtriumAdmin operation; the parsed answer, or AdminError."""
    payload = json.dumps(body or {})
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=payload,
                     headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AtriumAdmin.{op}"})
    SigV4Auth(Credentials(server.key["AccessKeyId"], server.key["SecretAccessKey"]), "sso", REGION).add_auth(req)
    r = requests.post(server.endpoint + "/", data=req.body, headers=dict(req.headers), verify=False, timeout=60)
    try:
        out = r.json() if r.text else {}
    except ValueError:
        out = {"raw": r.text}
    if r.status_code != 200:
        raise AdminError(r.status_code, out)
    return out


def service_provider(server):
    """{EntityId, AcsUrl, MetadataUrl, Metadata} from DescribeIdentitySource."""
    return admin(server, "DescribeIdentitySource")["ServiceProvider"]


def configure(server, *, certificates=None, entity_id=None, sso_url=None, metadata=None, allow_idp_initiated=True,
              sign_authn_requests=False, domains=None, enable=True):
    """Creates the external IdP (metadata or the three manual fields) and makes it the identity
    source; returns its IdpId."""
    body = {"AllowIdpInitiated": allow_idp_initiated, "SignAuthnRequests": sign_authn_requests}
    if metadata:
        body["Metadata"] = metadata
    else:
        body.update(EntityId=entity_id, SsoUrl=sso_url, Certificates=list(certificates))
    if domains:
        body["Domains"] = domains
    idp_id = admin(server, "CreateExternalIdPConfigurationForDirectory", body)["IdpId"]
    if enable:
        admin(server, "EnableExternalIdPConfigurationForDirectory", {"IdpId": idp_id, "Confirmation": "ACCEPT"})
    return idp_id


def browser():
    s = requests.Session()
    s.verify = False
    s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify=False
    return s


def begin(server, session, relay=None, idp_id=None):
    """GET /portal/sp/login without following the redirect: (AuthnRequest ID, the redirect URL).
    The session keeps the atrium_sp_request cookie."""
    params = {k: v for k, v in (("idp", idp_id), ("relay", relay)) if v}
    r = session.get(server.endpoint + "/portal/sp/login", params=params, allow_redirects=False, timeout=30)
    assert r.status_code in (302, 303), (r.status_code, r.text[:500])
    location = r.headers["Location"]
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)
    req = ET.fromstring(xml)
    assert req.tag == f"{{{SAMLP}}}AuthnRequest", req.tag
    return req.get("ID"), location


def post(server, session, saml_response_b64, relay_state=None):
    """POST /portal/sp/acs as a browser's auto-submitting form would."""
    data = {"SAMLResponse": saml_response_b64}
    if relay_state is not None:
        data["RelayState"] = relay_state
    return session.post(server.endpoint + "/portal/sp/acs", data=data, allow_redirects=False, timeout=30)


def signed_in(server, session):
    r = session.get(server.endpoint + "/portal/api/session", timeout=30)
    return r.status_code == 200 and r.json().get("signedIn") is True, r


def login_events(server):
    """ExternalIdPDirectoryLogin records, newest first."""
    out = server.cli("audit", "--event-name", LOGIN_EVENT, "--limit", "1000").stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]
