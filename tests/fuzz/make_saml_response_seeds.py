"""Writes the seed corpus of saml_response_fuzz (tests/fuzz/corpus/saml_response/): Responses
really signed by the fuzz target's fixed key (saml_response_fuzz.key/.crt, a test-only key made
with openssl for this and nothing else), at the target's fixed clock, so that the fuzzer starts
past the signature and reaches every check after it; and the attack suite's forgeries of them.

Interpreter: Debian's /usr/bin/python3 with python3-lxml; xmlsec1 signs.
    /usr/bin/python3 tests/fuzz/make_saml_response_seeds.py
Each seed is one mode byte (see saml_response_fuzz.cpp) then the input.
"""
import datetime
import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))
from saml_peers import forge  # noqa: E402

IDP, SP, ACS = "https://idp.example/", "https://sp.example/portal/sp", "https://sp.example/portal/sp/acs"
forge.FIXED_NOW = datetime.datetime(2026, 12, 7, 10, 0, 0, tzinfo=datetime.timezone.utc)
forge.KEY_INFO = False
out = HERE / "corpus" / "saml_response"
out.mkdir(parents=True, exist_ok=True)
RAW_SOLICITED, RAW_UNSOLICITED, B64_SOLICITED = b"\x00", b"\x01", b"\x02"

with tempfile.TemporaryDirectory() as tmp:
    signer = forge.Signer(tmp, key=str(HERE / "saml_response_fuzz.key"), cert=str(HERE / "saml_response_fuzz.crt"))
    f = forge.Forge(tmp, IDP, SP, ACS, signer)
    ac = {"https://aws.amazon.com/SAML/Attributes/AccessControl:Dept": ["eng"]}
    seeds = {
        "both_signed": (RAW_SOLICITED, f.response("a@example.com", in_response_to="_fuzzreq", attributes=ac)),
        "assertion_signed": (RAW_SOLICITED, f.response("a@example.com", in_response_to="_fuzzreq", sign="assertion")),
        "response_signed": (RAW_SOLICITED, f.response("a@example.com", in_response_to="_fuzzreq", sign="response")),
        "unsolicited": (RAW_UNSOLICITED, f.response("a@example.com", sign="assertion")),
        "b64_assertion_signed": (B64_SOLICITED, forge.Forge.b64(
            f.response("a@example.com", in_response_to="_fuzzreq", sign="assertion")).encode()),
        "comment_name_id": (RAW_SOLICITED, f.response("x", in_response_to="_fuzzreq", sign="assertion",
                                                      raw_name_id="user@evil.com<!---->.example.com")),
        "xpath_transform": (RAW_SOLICITED, f.response("a@example.com", in_response_to="_fuzzreq", sign="assertion",
                                                      xpath="not(ancestor-or-self::saml:NameID)")),
    }
    genuine_a = seeds["assertion_signed"][1]
    genuine_r = seeds["response_signed"][1]
    for n in range(1, 9):
        seeds[f"xsw{n}"] = (RAW_SOLICITED, forge.xsw(n, genuine_r if n <= 2 else genuine_a, "admin@example.com"))
    seeds["stripped"] = (RAW_SOLICITED, forge.strip_signatures(genuine_a))
    seeds["xxe"] = (RAW_SOLICITED, forge.xxe_in(genuine_a))
    seeds["billion_laughs"] = (RAW_SOLICITED, forge.billion_laughs(genuine_a))
    for name, (mode, body) in seeds.items():
        data = mode + (body if isinstance(body, bytes) else body.encode())
        (out / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
