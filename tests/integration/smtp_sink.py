"""A real local SMTP relay that keeps every message, for tests that read Atrium's mail.

Interpreter: Debian's /usr/bin/python3 with python3-aiosmtpd (scripts/install-deps).

API
---
    from smtp_sink import SmtpSink, smtp_settings

    with SmtpSink() as sink:                    # 127.0.0.1, a free port, plain SMTP
        server = make_server(tmp, settings=smtp_settings(sink))   # conftest.make_server
        ...
        msg = sink.wait_for(to="alice@example.test", timeout=10)   # -> Mail
        msg.subject, msg.body, msg.headers["Message-ID"], msg.mail_from, msg.rcpt_tos
        token = msg.token()                     # the ?token=… of a set-password link, or None
        code = msg.code()                       # the 6-digit code of a verification mail, or None
        sink.messages                           # every Mail received so far (a copy)
        sink.clear()

    SmtpSink(reject={"bounce@example.test"})    # RCPT TO those answers 550 5.1.1
    SmtpSink(tls_cert=cert_pem, tls_key=key_pem)  # offers STARTTLS with that certificate
    SmtpSink(auth={"user": "password"})         # offers AUTH PLAIN/LOGIN and requires it

`smtp_settings(sink, portal_url=…)` returns the `--set` strings that point Atrium at the sink
(mail.smtp_host/port/from/starttls, portal.public_url, and a cheap argon2 cost for speed).
The pytest fixture `smtp_sink` (below) yields a started SmtpSink for one test.
"""
import email
import email.policy
import re
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Mail:
    """One received message, parsed (RFC 5322, MIME decoded)."""

    def __init__(self, mail_from, rcpt_tos, raw):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.raw = raw
        self.message = email.message_from_bytes(raw, policy=email.policy.default)
        self.headers = self.message
        self.subject = str(self.message["Subject"])
        self.to = str(self.message["To"])
        self.body = self.message.get_content()

    def token(self):
        m = re.search(r"/set-password\?token=([A-Za-z0-9_-]+)", self.body)
        return m.group(1) if m else None

    def link(self):
        m = re.search(r"(\S+/set-password\?token=[A-Za-z0-9_-]+)", self.body)
        return m.group(1) if m else None

    def code(self):
        m = re.search(r"\b(\d{6})\b", self.body)
        return m.group(1) if m else None

    def __repr__(self):
        return f"Mail(to={self.rcpt_tos}, subject={self.subject!r})"


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.sink.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mail = Mail(envelope.mail_from, envelope.rcpt_tos, envelope.original_content or envelope.content)
        with self.sink._cond:
            self.sink._messages.append(mail)
            self.sink._cond.notify_all()
        return "250 2.0.0 Message accepted"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self, reject=(), tls_cert=None, tls_key=None, auth=None):
        self.reject = {a.lower() for a in reject}
        self.tls_cert, self.tls_key, self.auth = tls_cert, tls_key, auth
        self._messages = []
        self._cond = threading.Condition()
        self.port = None
        self._controller = None

    def start(self):
        kwargs = {}
        if self.tls_cert:
            import ssl
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(self.tls_cert, self.tls_key)
            kwargs.update(tls_context=ctx, require_starttls=False)
        if self.auth:
            users = dict(self.auth)

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and \
                    users.get(auth_data.login.decode()) == auth_data.password.decode()
                return AuthResult(success=ok)
            kwargs.update(authenticator=authenticator, auth_require_tls=bool(self.tls_cert), auth_required=True)
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      decode_data=False, **kwargs)
        self._controller.start()
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def messages(self):
        with self._cond:
            return list(self._messages)

    def clear(self):
        with self._cond:
            self._messages.clear()

    def wait_for(self, to=None, subject=None, timeout=10.0, after=0):
        """The first message (from index `after` on) to `to` whose subject contains `subject`."""
        deadline = time.time() + timeout
        with self._cond:
            while True:
                for m in self._messages[after:]:
                    if (to is None or to.lower() in [r.lower() for r in m.rcpt_tos]) and \
                            (subject is None or subject in m.subject):
                        return m
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"no mail to {to} ({subject}) within {timeout} s; got {self._messages}")
                self._cond.wait(left)


def smtp_settings(sink, portal_url="https://portal.example.test/portal", starttls="auto"):
    return [f"mail.smtp_host=127.0.0.1", f"mail.smtp_port={sink.port}",
            "mail.from=Atrium <atrium@example.test>", f"mail.starttls={starttls}",
            f"portal.public_url={portal_url}",
            "passwords.argon2_memory_kib=8192", "passwords.argon2_iterations=1"]


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink
