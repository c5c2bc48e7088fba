"""Apache httpd as a SAML 2.0 service provider, with mod_auth_mellon (libapache2-mod-auth-mellon)
or with the Shibboleth SP (libapache2-mod-shib and its shibd), started by the peer tests on
loopback with its own ServerRoot, configuration, keys, pid file and ports in a temp directory
(Apache and shibd run as root here; Apache's workers as www-data, so the directory is readable).

Interpreter: Debian's /usr/bin/python3 (standard library only).

    apache_sp.py --kind mellon|shib --port P [--shibd-port Q] --workdir DIR --idp-metadata FILE

Serves https (a self-signed certificate) on 127.0.0.1:P. Writes DIR/sp-metadata.xml and DIR/ready once Apache answers, then waits; SIGTERM stops Apache
(and shibd). The protected page /protected/whoami (mellon) or /secure/whoami (shib) is a CGI that
prints "<kind> signed in: <REMOTE_USER>" and the attributes the module exported.
"""
import argparse
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

MODULES = "/usr/lib/apache2/modules"

args = argparse.ArgumentParser()
args.add_argument("--kind", choices=["mellon", "shib"], required=True)
args.add_argument("--port", type=int, required=True)
args.add_argument("--shibd-port", type=int, default=0)
args.add_argument("--workdir", required=True)
args.add_argument("--idp-metadata", required=True)
opts = args.parse_args()

d = os.path.abspath(opts.workdir)
# https: the Shibboleth SP's request cookie is SameSite=None, which browsers keep only when Secure.
base = f"https://127.0.0.1:{opts.port}"
os.chmod(d, 0o755)
shutil.copy(opts.idp_metadata, os.path.join(d, "idp.xml"))
os.makedirs(os.path.join(d, "cgi"), exist_ok=True)
os.makedirs(os.path.join(d, "htdocs"), exist_ok=True)


def keypair(name, cn):
    key, cert = os.path.join(d, f"{name}.key"), os.path.join(d, f"{name}.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", f"/CN={cn}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    for p in (key, cert):
        os.chmod(p, 0o644)  # a throwaway test key, read by Apache's www-data workers
    return key, cert


def cert_b64(cert):
    with open(cert) as f:
        return "".join(l.strip() for l in f if "CERTIFICATE" not in l)


def whoami(prefix):
    path = os.path.join(d, "cgi", "whoami")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                f"echo \"{opts.kind} signed in: $REMOTE_USER\"\n"
                f"env | grep -E '^({prefix})' | sort\n")
    os.chmod(path, 0o755)


def httpd_conf(extra_modules, body):
    mods = ["mpm_prefork", "authn_core", "authz_core", "authz_user", "alias", "cgi", "env", "mime", "socache_shmcb",
            "ssl"] + extra_modules
    tls_key, tls_cert = keypair("tls", "127.0.0.1")
    lines = [f"ServerRoot {d}", f"Listen 127.0.0.1:{opts.port} https", f"PidFile {d}/httpd.pid", f"ErrorLog {d}/error.log",
             "LogLevel info", "User www-data", "Group www-data", f"ServerName 127.0.0.1:{opts.port}",
             f"DocumentRoot {d}/htdocs", f"DefaultRuntimeDir {d}", "TypesConfig /etc/mime.types"]
    for m in mods:
        so = {"mpm_prefork": "mod_mpm_prefork.so", "auth_mellon": "mod_auth_mellon.so", "mod_shib": "mod_shib.so"}.get(m, f"mod_{m}.so")
        lines.append(f"LoadModule {m if m == 'mod_shib' else m + '_module'} {MODULES}/{so}")
    lines += ["SSLEngine on", f"SSLCertificateFile {tls_cert}", f"SSLCertificateKeyFile {tls_key}",
              f"SSLSessionCache shmcb:{d}/ssl_scache(512000)"]
    with open(os.path.join(d, "httpd.conf"), "w") as f:
        f.write("\n".join(lines) + "\n" + body)


procs = []


def mellon():
    key, cert = keypair("mellon", "mellon SP")
    entity = base + "/protected/mellon/metadata"
    acs = base + "/protected/mellon/postResponse"
    md = (f'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity}">'
          '<SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
          f'<KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_b64(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>'
          f'<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{base}/protected/mellon/logout"/>'
          '<NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</NameIDFormat>'
          f'<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="0"/>'
          '</SPSSODescriptor></EntityDescriptor>')
    with open(os.path.join(d, "sp-metadata.xml"), "w") as f:
        f.write(md)
    os.chmod(os.path.join(d, "sp-metadata.xml"), 0o644)
    whoami("MELLON_")
    httpd_conf(["auth_mellon"], f"""
ScriptAlias /protected/whoami {d}/cgi/whoami
<Location /protected>
  AuthType Mellon
  MellonEnable auth
  Require valid-user
  MellonSPPrivateKeyFile {key}
  MellonSPCertFile {cert}
  MellonSPMetadataFile {d}/sp-metadata.xml
  MellonIdPMetadataFile {d}/idp.xml
  MellonEndpointPath /protected/mellon
  MellonDefaultLoginPath /protected/whoami
  MellonSignatureMethod rsa-sha256
  MellonSecureCookie On
  MellonCookieSameSite None
  MellonUser NAME_ID
  MellonMergeEnvVars On
</Location>
""")


def shib():
    key, cert = keypair("shib", "shib SP")
    entity = base + "/shibboleth"
    with open(opts.idp_metadata) as f:
        idp_entity = f.read().split('entityID="', 1)[1].split('"', 1)[0]
    conf = f"""<SPConfig xmlns="urn:mace:shibboleth:3.0:native:sp:config" xmlns:conf="urn:mace:shibboleth:3.0:native:sp:config" clockSkew="180">
  <OutOfProcess tranLogFormat="%u|%s|%IDP|%i|%ac|%t|%attr|%n|%b|%E|%S|%SS|%L|%UA|%a"/>
  <TCPListener address="127.0.0.1" port="{opts.shibd_port}" acl="127.0.0.1"/>
  <RequestMapper type="Native"><RequestMap/></RequestMapper>
  <ApplicationDefaults entityID="{entity}" REMOTE_USER="nameid" signing="front" encryption="false">
    <Sessions lifetime="28800" timeout="3600" relayState="ss:mem" checkAddress="false" handlerSSL="true" cookieProps="https">
      <SSO entityID="{idp_entity}">SAML2</SSO>
      <Logout>Local</Logout>
      <Handler type="MetadataGenerator" Location="/Metadata" signing="false"/>
      <Handler type="Session" Location="/Session" showAttributeValues="true"/>
    </Sessions>
    <Errors supportContact="root@localhost" helpLocation="/about.html" styleSheet="/shibboleth-sp/main.css"/>
    <MetadataProvider type="XML" validate="false" path="{d}/idp.xml"/>
    <AttributeExtractor type="XML" validate="true" reloadChanges="false" path="{d}/attribute-map.xml"/>
    <CredentialResolver type="File" use="signing" key="{key}" certificate="{cert}"/>
  </ApplicationDefaults>
  <SecurityPolicyProvider type="XML" validate="true" path="/etc/shibboleth/security-policy.xml"/>
  <ProtocolProvider type="XML" validate="true" reloadChanges="false" path="/etc/shibboleth/protocols.xml"/>
</SPConfig>
"""
    attribute_map = """<Attributes xmlns="urn:mace:shibboleth:2.0:attribute-map" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Attribute name="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" id="nameid"><AttributeDecoder xsi:type="NameIDAttributeDecoder" formatter="$Name"/></Attribute>
  <Attribute name="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" id="nameid"><AttributeDecoder xsi:type="NameIDAttributeDecoder" formatter="$Name"/></Attribute>
  <Attribute name="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" id="nameid"><AttributeDecoder xsi:type="NameIDAttributeDecoder" formatter="$Name"/></Attribute>
  <Attribute name="email" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic" id="email"/>
  <Attribute name="groups" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" id="groups"/>
  <Attribute name="displayName" nameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified" id="displayName"/>
</Attributes>
"""
    for name, text in (("shibboleth2.xml", conf), ("attribute-map.xml", attribute_map)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
        os.chmod(os.path.join(d, name), 0o644)
    acs = base + "/Shibboleth.sso/SAML2/POST"
    md = (f'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity}">'
          '<SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
          f'<KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_b64(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>'
          f'<AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs}" index="1"/>'
          '</SPSSODescriptor></EntityDescriptor>')
    with open(os.path.join(d, "sp-metadata.xml"), "w") as f:
        f.write(md)
    whoami("email|groups|displayName|Shib_")
    httpd_conf(["mod_shib"], f"""
ShibConfig {d}/shibboleth2.xml
ScriptAlias /secure/whoami {d}/cgi/whoami
<Location /Shibboleth.sso>
  SetHandler shib
</Location>
<Location /secure>
  AuthType shibboleth
  ShibRequestSetting requireSession 1
  Require shib-session
</Location>
""")
    shibd = subprocess.Popen(["/usr/sbin/shibd", "-F", "-f", "-c", os.path.join(d, "shibboleth2.xml"),
                              "-p", os.path.join(d, "shibd.pid")],
                             stdout=open(os.path.join(d, "shibd.out"), "w"), stderr=subprocess.STDOUT,
                             start_new_session=True)
    procs.append(shibd)


def stop(*_):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
mellon() if opts.kind == "mellon" else shib()
# Its own session: at shutdown Apache signals its whole process group, which would otherwise be
# the test runner's.
httpd = subprocess.Popen(["/usr/sbin/apache2", "-f", os.path.join(d, "httpd.conf"), "-DFOREGROUND"],
                         stdout=open(os.path.join(d, "httpd.out"), "w"), stderr=subprocess.STDOUT, start_new_session=True)
procs.append(httpd)
deadline = time.time() + 30
while time.time() < deadline:
    if any(p.poll() is not None for p in procs):
        out = "".join(open(os.path.join(d, n), errors="replace").read() for n in ("httpd.out", "error.log", "shibd.out")
                      if os.path.exists(os.path.join(d, n)))
        print(f"{opts.kind} SP exited:\n{out}", file=sys.stderr, flush=True)
        stop()
    try:
        urllib.request.urlopen(f"{base}/nothing-here", timeout=1, context=ssl._create_unverified_context())
    except urllib.error.HTTPError:
        break  # Apache answers (404)
    except Exception:
        time.sleep(0.1)
        continue
    break
open(os.path.join(d, "ready"), "w").close()
print(f"{opts.kind} SP on {base}", flush=True)
while True:
    time.sleep(1)
    if any(p.poll() is not None for p in procs):
        print(f"{opts.kind}: a process exited", file=sys.stderr, flush=True)
        stop()
