"""pysaml2 7.0.1 as a service provider, in the test's process, given the same Responses as
Atrium (the attack suite's side-by-side column; docs/identity-sources.md records where it
accepts what Atrium refuses). Only its verdict is read: a test never asserts pysaml2's bugs.

Interpreter: Debian's /usr/bin/python3 with python3-pysaml2 (xmlsec1 verifies).
"""
import logging
import os

try:
    from .common import EMAIL, REDIRECT, pem_body
except ImportError:
    from common import EMAIL, REDIRECT, pem_body

logging.getLogger("saml2").setLevel(logging.CRITICAL)


def idp_metadata(entity_id, sso_url, cert_files):
    keys = "".join('<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
                   f"{pem_body(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
                   for c in cert_files)
    return ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f"{keys}<md:NameIDFormat>{EMAIL}</md:NameIDFormat>"
            f'<md:SingleSignOnService Binding="{REDIRECT}" Location="{sso_url}"/>'
            "</md:IDPSSODescriptor></md:EntityDescriptor>")


class Pysaml2Sp:
    """A Saml2Client for (sp_entity_id, acs_url) trusting one IdP; verdict() -> (accepted, NameID or reason)."""

    def __init__(self, workdir, sp_entity_id, acs_url, idp_entity_id, idp_certs, allow_unsolicited=True):
        from saml2 import BINDING_HTTP_POST
        from saml2.client import Saml2Client
        from saml2.config import SPConfig
        md = os.path.join(workdir, "pysaml2-idp-metadata.xml")
        with open(md, "w") as f:
            f.write(idp_metadata(idp_entity_id, idp_entity_id.rstrip("/") + "/sso", idp_certs))
        conf = SPConfig().load({
            "entityid": sp_entity_id, "xmlsec_binary": "/usr/bin/xmlsec1", "metadata": {"local": [md]},
            "service": {"sp": {"endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
                               "allow_unsolicited": allow_unsolicited, "want_response_signed": False,
                               "want_assertions_signed": False, "want_assertions_or_response_signed": True}},
            "allow_unknown_attributes": True,
        })
        self.client = Saml2Client(config=conf)
        self.binding = BINDING_HTTP_POST

    def verdict(self, b64, outstanding=None):
        try:
            r = self.client.parse_authn_request_response(b64, self.binding, outstanding=outstanding or {})
            if r is None:
                return False, "no response"
            return True, r.name_id.text
        except Exception as e:  # its own words
            return False, f"{type(e).__name__}: {str(e)[:120]}"
