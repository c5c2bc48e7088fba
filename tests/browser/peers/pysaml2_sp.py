"""A SAML 2.0 service provider made with pysaml2 (Debian's python3-pysaml2), started by the peer
tests on loopback: an independent implementation on the other end of Atrium's IdP.

Interpreter: Debian's /usr/bin/python3 (python3-pysaml2 7.0; xmlsec1 verifies the signatures).

    pysaml2_sp.py --port P --workdir DIR --idp-metadata FILE

Writes DIR/sp-metadata.xml (with the certificate it signs its AuthnRequests with) and DIR/ready,
then serves (https, sp_common.py):
    GET  /login     SP-initiated sign-in: a signed AuthnRequest over HTTP-Redirect
    POST /acs       the assertion consumer service (solicited and unsolicited Responses)
    GET  /metadata  its metadata
The page after a sign-in shows "pysaml2 signed in: <NameID>", each attribute as "name=value"
and "InResponseTo: <id or none>"; a refused Response shows "pysaml2 refused: <reason>".
"""
import os
import urllib.parse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string

from sp_common import PageHandler, options, self_signed, serve

opts = options()
base = f"https://127.0.0.1:{opts.port}"
key, cert = self_signed(opts.workdir, "sp", "pysaml2 SP")
conf = SPConfig().load({
    "entityid": base + "/metadata",
    "key_file": key,
    "cert_file": cert,
    "xmlsec_binary": "/usr/bin/xmlsec1",
    "metadata": {"local": [opts.idp_metadata]},
    "service": {"sp": {
        "endpoints": {"assertion_consumer_service": [(base + "/acs", BINDING_HTTP_POST)]},
        "allow_unsolicited": True,
        "authn_requests_signed": True,
        "want_response_signed": False,
        "want_assertions_signed": True,
        "name_id_format_allow_create": False,
    }},
    "allow_unknown_attributes": True,
})
client = Saml2Client(config=conf)
idp_entity = next(iter(client.metadata.identity_providers()))
outstanding = {}
metadata_file = os.path.join(opts.workdir, "sp-metadata.xml")
with open(metadata_file, "w") as f:
    f.write(create_metadata_string(None, config=conf, valid=4).decode())


class Handler(PageHandler):
    def do_GET(self):
        if self.path.startswith("/login"):
            relay = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("relay", ["/after-login"])[0]
            reqid, info = client.prepare_for_authenticate(entityid=idp_entity, relay_state=relay,
                                                          binding=BINDING_HTTP_REDIRECT,
                                                          sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
            outstanding[reqid] = relay
            location = dict(info["headers"])["Location"]
            return self.redirect(location)
        if self.path == "/metadata":
            return self.metadata()
        self.page(404, "not found")

    def do_POST(self):
        if self.path != "/acs":
            return self.page(404, "not found")
        form = urllib.parse.parse_qs(self.form())
        try:
            resp = client.parse_authn_request_response(form["SAMLResponse"][0], BINDING_HTTP_POST, outstanding=outstanding)
            if resp is None:
                raise ValueError("no response")
        except Exception as e:  # the peer's own words, shown to the test
            return self.page(403, f"pysaml2 refused: {type(e).__name__}: {e}")
        self.signed_in("pysaml2", resp.name_id.text, resp.name_id.format, resp.in_response_to,
                       form.get("RelayState", [""])[0], resp.get_identity())


Handler.metadata_file = metadata_file
serve(Handler, opts.port, opts.workdir, "pysaml2 SP")
