"""A SAML 2.0 service provider made with the OneLogin toolkit (Debian's python3-onelogin-saml2),
started by the peer tests on loopback.

Interpreter: Debian's /usr/bin/python3 (python3-onelogin-saml2 1.12 with python3-xmlsec).

    onelogin_sp.py --port P --workdir DIR --idp-metadata FILE

Writes DIR/sp-metadata.xml and DIR/ready, then serves (https, sp_common.py) GET /login
(SP-initiated, HTTP-Redirect, unsigned AuthnRequest), POST /acs (solicited and unsolicited
Responses) and GET /metadata. The page after a sign-in shows "onelogin signed in: <NameID>", the
attributes as "name=value" and "InResponseTo: ..."; a refused Response shows
"onelogin refused: <errors>".
"""
import os
import re
import urllib.parse

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from sp_common import PageHandler, options, serve

opts = options()
base = f"https://127.0.0.1:{opts.port}"
with open(opts.idp_metadata) as f:
    idp = OneLogin_Saml2_IdPMetadataParser.parse(f.read())
settings = {
    "strict": True,
    "debug": False,
    "sp": {
        "entityId": base + "/metadata",
        "assertionConsumerService": {"url": base + "/acs", "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"},
        "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    },
    "idp": idp["idp"],
    "security": {"wantAssertionsSigned": True, "wantMessagesSigned": False, "authnRequestsSigned": False,
                 "requestedAuthnContext": False, "rejectUnsolicitedResponsesWithInResponseTo": False},
}
outstanding = {}
metadata_file = os.path.join(opts.workdir, "sp-metadata.xml")
with open(metadata_file, "w") as f:
    f.write(OneLogin_Saml2_Settings(settings, sp_validation_only=True).get_sp_metadata())


def request_data(handler, post=None):
    parts = urllib.parse.urlsplit(handler.path)
    return {"https": "on", "http_host": f"127.0.0.1:{opts.port}", "server_port": str(opts.port),
            "script_name": parts.path, "get_data": dict(urllib.parse.parse_qsl(parts.query)), "post_data": post or {}}


class Handler(PageHandler):
    def do_GET(self):
        if self.path.startswith("/login"):
            auth = OneLogin_Saml2_Auth(request_data(self), settings)
            url = auth.login(return_to="/onelogin-after-login")
            outstanding["last"] = auth.get_last_request_id()
            return self.redirect(url)
        if self.path == "/metadata":
            return self.metadata()
        self.page(404, "not found")

    def do_POST(self):
        if self.path != "/acs":
            return self.page(404, "not found")
        form = dict(urllib.parse.parse_qsl(self.form()))
        auth = OneLogin_Saml2_Auth(request_data(self, form), settings)
        # A solicited Response must answer the request this SP sent; an unsolicited one has no
        # InResponseTo (the toolkit checks both ways).
        auth.process_response(request_id=outstanding.pop("last", None))
        if auth.get_errors() or not auth.is_authenticated():
            return self.page(403, f"onelogin refused: {auth.get_errors()} {auth.get_last_error_reason()}")
        irt = re.search(r'<samlp:Response[^>]* InResponseTo="([^"]+)"', auth.get_last_response_xml() or "")
        self.signed_in("onelogin", auth.get_nameid(), auth.get_nameid_format(), irt.group(1) if irt else None,
                       form.get("RelayState", ""), auth.get_attributes())


Handler.metadata_file = metadata_file
serve(Handler, opts.port, opts.workdir, "OneLogin SP")
