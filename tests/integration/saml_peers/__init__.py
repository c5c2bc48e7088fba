"""Independent SAML 2.0 identity providers that drive Atrium as a service provider (issue 17
item 9), and the forged Responses of the attack suite (item 10).

Interpreter: Debian's /usr/bin/python3 (python3-pysaml2, python3-lxml, xmlsec1, php-cli with
simplesamlphp). Importable by pytest (tests/integration is on sys.path) and startable from the
browser tests as scripts:

    pysaml2_idp.py        pysaml2 7.0.1 as an IdP (a WSGI app on a port chosen by the OS)
    simplesamlphp_idp.py  SimpleSAMLphp 1.19 (Debian) under `php -S`, configured in a temp dir
    forge.py              signed Responses built and tampered with (XSW1-8, stripped, ...)
    common.py             what they share (keys, ports, the `ready` handshake)
"""
