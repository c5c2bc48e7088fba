#!/usr/bin/python3
"""One command for the SAML SP benchmark (issue 17 item 11; docs/PERFORMANCE.md).

1. The machine's RSA-2048 verify limit on one core: `openssl speed -seconds 3 rsa2048` (verify/s).
2. Atrium's validator alone on one core (bench/sp_verify_bench, Google Benchmark):
   xml::validate_post_response on a Response signed by xmlsec1 (base64, parse, schema, the
   signature(s), every SP check), the Assertion signed (one verification) and both signed (two);
   per second and as a share of the openssl verify rate (of half of it for two signatures); and
   base64 + parse alone, then with the schema, to show where the time goes.
3. Full SP sign-ins against the real server over HTTPS: GET /portal/sp/login (the AuthnRequest
   and the browser cookie), the IdP's Response for that request (signed here, in the client,
   with python3-cryptography over lxml's exclusive C14N: the client's signing is not timed),
   POST /portal/sp/acs -> the portal session. 1 and 2 clients; the server's CPU (utime+stime
   from /proc) per sign-in gives sign-ins per second per core; p50/p99 of login + ACS.
4. pysaml2 7.0.1 as an SP side by side: Saml2Client.parse_authn_request_response on the same kind
   of Response (Assertion signed, unsolicited), one thread; its CPU and its xmlsec1 children's.

Prints a table and writes bench/results/sp-latest.json.
Usage: make bench-sp  (or: /usr/bin/python3 bench/run_sp.py --atrium build/atrium [--seconds 10])
"""
import argparse
import base64
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib

import requests
import urllib3
from lxml import etree

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "integration"))
from run_signin import cpu_seconds, pct  # noqa: E402
from run_sso_admin import start_atrium, stop  # noqa: E402
from saml_peers import forge  # noqa: E402
from saml_peers.common import free_port  # noqa: E402

IDP, SP, ACS = "https://idp.bench.example/", "https://sp.bench.example/portal/sp", "https://sp.bench.example/portal/sp/acs"
DS = "http://www.w3.org/2000/09/xmldsig#"


def openssl_verify_rate(seconds=3):
    out = subprocess.run(["openssl", "speed", "-seconds", str(seconds), "rsa2048"], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"^rsa\s+2048\s+bits\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", out, re.M)
    if not m:
        raise RuntimeError(f"cannot read openssl speed rsa2048:\n{out[-1000:]}")
    return float(m.group(1)), float(m.group(2))


class FastSigner:
    """Enveloped RSA-SHA256 signatures over exclusive C14N made in-process (python3-cryptography):
    the load client's signing must not be the bottleneck. Same algorithms as forge.signature_template."""

    def __init__(self, key_file, cert_file):
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
        self.key = serialization.load_pem_private_key(pathlib.Path(key_file).read_bytes(), None)
        self.pad, self.hash = padding.PKCS1v15(), hashes.SHA256()

    def sign_assertion(self, assertion_text):
        el = etree.fromstring(assertion_text.encode())
        aid = el.get("ID")
        digest = base64.b64encode(hashlib.sha256(etree.tostring(el, method="c14n", exclusive=True)).digest()).decode()
        signed_info = (f'<ds:SignedInfo xmlns:ds="{DS}"><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
                       '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
                       f'<ds:Reference URI="#{aid}"><ds:Transforms>'
                       '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
                       '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
                       '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
                       f"<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>")
        c14n = etree.tostring(etree.fromstring(signed_info.encode()), method="c14n", exclusive=True)
        value = base64.b64encode(self.key.sign(c14n, self.pad, self.hash)).decode()
        sig = etree.fromstring(f'<ds:Signature xmlns:ds="{DS}">{signed_info}<ds:SignatureValue>{value}'
                               "</ds:SignatureValue></ds:Signature>")
        el.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer").addnext(sig)
        return etree.tostring(el, encoding="unicode")


def validator_bench(binary, workdir, seconds):
    f = forge.Forge(workdir, IDP, SP, ACS)
    d = pathlib.Path(workdir)
    (d / "idp.crt").write_text(f.signer.cert_pem)
    attrs = {"https://aws.amazon.com/SAML/Attributes/AccessControl:Department": ["Engineering"]}
    (d / "assertion.b64").write_text(f.b64(f.response("bench@example.com", sign="assertion", attributes=attrs,
                                                      not_on_or_after=3600)))
    (d / "both.b64").write_text(f.b64(f.response("bench@example.com", sign="both", attributes=attrs, not_on_or_after=3600)))
    if not pathlib.Path(binary).exists():
        return {"skipped": f"{binary} is missing: make build-bench"}
    out = subprocess.run([binary, "--benchmark_format=json", f"--benchmark_min_time={max(1, seconds // 3)}"],
                         env={**os.environ, "ATRIUM_SP_BENCH_DIR": workdir}, check=True, capture_output=True, text=True)
    res = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("error_occurred"):
            raise RuntimeError(f"{b['name']}: {b.get('error_message')}")
        res[b["name"]] = {"per_second": b["items_per_second"], "us_per_validation": b["real_time"]}
    return res


def full_sign_ins(binary, seconds, workdir):
    from saml_peers import atrium_sp
    port = free_port()
    data = tempfile.mkdtemp(prefix="atrium-bench-sp-", dir=workdir)
    proc, port, key = start_atrium(binary, data, ["server.tls=true", f"server.port={port}", "portal.address_failures=1000000",
                                                  f"portal.public_url=https://localhost:{port}/portal"])
    try:
        class Srv:
            pass
        srv = Srv()
        srv.endpoint, srv.key = f"https://127.0.0.1:{port}", key
        sp = atrium_sp.service_provider(srv)
        f = forge.Forge(workdir, IDP, sp["EntityId"], sp["AcsUrl"])
        fast = FastSigner(f.signer.key, f.signer.cert)
        atrium_sp.configure(srv, entity_id=IDP, sso_url=IDP + "sso", certificates=[f.signer.cert_pem],
                            allow_idp_initiated=False)
        import boto3
        ids = boto3.client("identitystore", region_name="us-east-1", endpoint_url=srv.endpoint, verify=False,
                           aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        names = [f"bench-{i}@example.com" for i in range(4)]
        for n in names:
            ids.create_user(IdentityStoreId=key["IdentityStoreId"], UserName=n, DisplayName=n,
                            Name={"GivenName": "B", "FamilyName": "N"}, Emails=[{"Value": n, "Primary": True}])
        results = {}
        for clients in (1, 2):
            lat, errors, lock = [], [], threading.Lock()
            stop_at = time.time() + seconds

            def worker(i):
                s = requests.Session()
                s.verify = False
                s.trust_env = False
                while time.time() < stop_at:
                    t0 = time.perf_counter()
                    r = s.get(srv.endpoint + "/portal/sp/login", allow_redirects=False, timeout=60)
                    t1 = time.perf_counter()
                    q = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers.get("Location", "")).query)
                    req_id = re.search(rb'ID="([^"]+)"', zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)).group(1).decode()
                    a = fast.sign_assertion(f.assertion(names[i % len(names)], in_response_to=req_id, signed=False))
                    b64 = f.b64(f.response(None, sign="none", in_response_to=req_id, assertion_xml=a))
                    t2 = time.perf_counter()
                    r2 = s.post(srv.endpoint + "/portal/sp/acs", data={"SAMLResponse": b64}, allow_redirects=False, timeout=60)
                    t3 = time.perf_counter()
                    ok = r2.status_code == 200 and "atrium_session=" in r2.headers.get("Set-Cookie", "")
                    with lock:
                        (lat.append((t1 - t0 + t3 - t2) * 1000) if ok else errors.append(r2.text[:200]))
                    s.cookies.clear()

            c0 = cpu_seconds(proc.pid)
            t0 = time.time()
            threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.time() - t0
            cpu_ms = (cpu_seconds(proc.pid) - c0) * 1000 / max(1, len(lat))
            results[f"x{clients}"] = {"sign_ins": len(lat), "errors": len(errors), "first_error": errors[:1],
                                      "per_second": len(lat) / wall, "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99),
                                      "server_cpu_ms": cpu_ms, "per_core_per_second": 1000 / cpu_ms if cpu_ms else 0}
        return results
    finally:
        stop(proc)


def pysaml2_side(seconds, workdir):
    if not pathlib.Path("/usr/lib/python3/dist-packages/saml2/client.py").exists():
        return {"skipped": "apt-get install python3-pysaml2"}
    from saml_peers.pysaml2_sp import Pysaml2Sp
    f = forge.Forge(workdir, IDP, SP, ACS)
    fast = FastSigner(f.signer.key, f.signer.cert)
    peer = Pysaml2Sp(workdir, SP, ACS, IDP, [f.signer.cert], allow_unsolicited=True)
    # Inputs made before timing (the same shape as Atrium's full sign-in: the Assertion signed).
    inputs = [f.b64(f.response(None, sign="none", assertion_xml=fast.sign_assertion(
        f.assertion("bench@example.com", signed=False, not_on_or_after=3600)))) for _ in range(200)]
    ok, bad = peer.verdict(inputs[0])
    if not ok:
        raise RuntimeError(f"pysaml2 refuses the bench Response: {bad}")
    lat, i = [], 0
    t_end = time.time() + seconds
    c0 = os.times()
    while time.time() < t_end:
        t0 = time.perf_counter()
        peer.verdict(inputs[i % len(inputs)])
        lat.append((time.perf_counter() - t0) * 1000)
        i += 1
    c1 = os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) + \
          (c1.children_system - c0.children_system)
    wall = sum(lat) / 1000
    return {"parses": len(lat), "per_second": len(lat) / wall, "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99),
            "cpu_ms": cpu * 1000 / len(lat), "per_core_per_second": len(lat) / cpu if cpu else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--atrium", default=str(REPO / "build" / "atrium"))
    ap.add_argument("--seconds", type=int, default=10)
    a = ap.parse_args()
    bench_bin = str(pathlib.Path(a.atrium).parent / "bench" / "sp_verify_bench")
    results = {"cpus": os.cpu_count()}
    sign_rate, verify_rate = openssl_verify_rate()
    results["openssl_rsa2048"] = {"sign_per_second": sign_rate, "verify_per_second": verify_rate}
    print(f"openssl speed -seconds 3 rsa2048, one core: {verify_rate:,.0f} verify/s ({sign_rate:,.0f} sign/s)")
    with tempfile.TemporaryDirectory(prefix="atrium-bench-sp-") as d:
        v = validator_bench(bench_bin, d, a.seconds)
        results["validator"] = v
        for name in ("parse_assertion_signed", "parse_and_schema_assertion_signed"):
            if name in v:
                print(f"  of which {name.replace('_assertion_signed', '').replace('_', ' '):22} {v[name]['us_per_validation']:6.0f} us")
        for name, limit in (("validate_assertion_signed", verify_rate), ("validate_both_signed", verify_rate / 2)):
            if name in v:
                v[name]["share_of_verify_limit"] = v[name]["per_second"] / limit
                print(f"Atrium validator {name[9:]:17} {v[name]['per_second']:9,.0f}/s per core "
                      f"({v[name]['us_per_validation']:.0f} us; {v[name]['share_of_verify_limit'] * 100:.1f}% of the "
                      f"openssl verify limit for {'two signatures' if 'both' in name else 'one signature'})")
        print(f"{'':26}{'sign-ins/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>9}{'per core/s':>11}")
        full = full_sign_ins(a.atrium, a.seconds, d)
        results["atrium_full_sign_in"] = full
        for k, r in full.items():
            print(f"{'Atrium full SP sign-in ' + k:26}{r['per_second']:11.1f}{r['p50_ms']:9.2f}{r['p99_ms']:9.2f}"
                  f"{r['server_cpu_ms']:9.2f}{r['per_core_per_second']:11.1f}" + (f"  {r['errors']} errors {r['first_error']}" if r['errors'] else ""))
        p = pysaml2_side(a.seconds, d)
        results["pysaml2_parse_authn_request_response"] = p
        if "skipped" not in p:
            print(f"{'pysaml2 parse x1':26}{p['per_second']:11.1f}{p['p50_ms']:9.2f}{p['p99_ms']:9.2f}"
                  f"{p['cpu_ms']:9.2f}{p['per_core_per_second']:11.1f}")
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "sp-latest.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out / 'sp-latest.json'}")


if __name__ == "__main__":
    main()
