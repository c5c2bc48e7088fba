"""The mail outbox in the store (issue 13 item 2; docs/deployment.md "Mail"): two Atrium nodes on
one PostgreSQL database and a real local SMTP relay (aiosmtpd, smtp_sink.py).

Node A answers an invitation (a user created with an address) and a "Forgot password" request,
but its mail sender is held back (mail.outbox_start_delay_ms), so both messages are committed in
the store and not yet sent: that is the window in which a node dies. A is SIGKILLed; node B,
started afterwards on the same database, delivers both to the relay once A's lease on them
(mail.outbox_lease_seconds) has expired, and the reset link it
mailed works on B. While queued, the messages are sealed: neither the recipient nor the link is
readable in the database.

PostgreSQL is Debian's postgresql-15, started by the test (conftest.throwaway_postgres); without
it every test here is skipped and says how to get it.
"""
import shutil
import signal
import time

import pytest
import requests

from conftest import Server, new_user, throwaway_postgres
from smtp_sink import SmtpSink, smtp_settings

PASSWORD = "pg-mail-secret-2b81"
PORTAL = "https://portal.example.test/portal"
LEASE_SECONDS = 3  # node A's hold on the mail it queued; node B takes it over after that


def wait_until(what, fn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def test_mail_acknowledged_on_a_node_that_dies_is_delivered_by_another():
    with throwaway_postgres("atrium-pg-mail-", PASSWORD) as (pg, tmp, password_file), SmtpSink() as sink:
        pg.createdb("atrium")
        store = pg.store_settings("atrium", password_file)
        common = smtp_settings(sink, portal_url=PORTAL)
        (tmp / "a").mkdir()
        a = Server(tmp / "a", settings=common + ["mail.outbox_start_delay_ms=86400000", f"mail.outbox_lease_seconds={LEASE_SECONDS}"], store=store)
        a.key = a.create_key()
        a.store_id = a.key["IdentityStoreId"]
        (tmp / "b").mkdir()
        shutil.copy2(tmp / "a" / "master.key", tmp / "b" / "master.key")
        b = Server(tmp / "b", settings=common, store=store)
        b.key, b.store_id = a.key, a.store_id
        a.start()
        try:
            invited, invited_addr = "mail-invited", "invited@example.test"
            new_user(a.client(), a.store_id, invited, email=invited_addr)
            forgetful, forgetful_addr = "mail-forgetful", "forgetful@example.test"
            new_user(a.client(), a.store_id, forgetful, email=forgetful_addr)
            # The invitations are queued after the creates commit (docs/sign-in.md); one reset
            # replaces the second user's invitation token, and both users' mail sits in the store.
            wait_until("two invitations queued", lambda: a.query("SELECT count(*) FROM mail_outbox") == ["2"])
            forgot = requests.post(a.endpoint + "/portal/api/password/forgot", json={"userName": forgetful},
                                   verify=False, timeout=30)
            assert forgot.status_code == 200 and forgot.json() == {}, forgot.text
            # Acknowledged: the reset mail was committed with the request, before the answer.
            assert a.query("SELECT count(*) FROM mail_outbox WHERE event = 'ForgotPassword'") == ["1"]
            assert sink.messages == [], "node A's sender is held back"
            rows = a.query("SELECT id || ' ' || event || ' ' || sealed FROM mail_outbox")
            assert len(rows) == 3
            for plain in ("set-password", "token=", invited_addr, forgetful_addr, "@example.test", "Reset"):
                assert not [r for r in rows if plain in r], plain
            a.stop(sig=signal.SIGKILL)
            b.start()
            reset = sink.wait_for(to=forgetful_addr, subject="Reset", timeout=30)
            sink.wait_for(to=invited_addr, subject="Invitation", timeout=30)
            wait_until("the outbox emptied", lambda: b.query("SELECT count(*) FROM mail_outbox") == ["0"])
            done = requests.post(b.endpoint + "/portal/api/password/reset",
                                 json={"token": reset.token(), "newPassword": "Abcdef1!Nodes"}, verify=False, timeout=30)
            assert done.status_code == 200 and done.json() == {}, done.text
        finally:
            for n in (a, b):
                if n.proc is not None:
                    n.stop(timeout=60)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
