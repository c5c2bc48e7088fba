"""Server behaviour: TLS on first start, health and metrics, limits, graceful shutdown, config."""
import http.client
import json
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid

import pytest

from conftest import ATRIUM, Server, make_server, new_user

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


def get(server, path, conn=None):
    c = conn or http.client.HTTPSConnection("127.0.0.1", server.port, context=TLS, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    return r.status, r.read().decode(), dict(r.getheaders())


def test_self_signed_certificate_created_on_first_start(server):
    cert = server.data_dir / "tls" / "cert.pem"
    key = server.data_dir / "tls" / "key.pem"
    assert cert.exists() and key.exists()
    assert (key.stat().st_mode & 0o077) == 0, "private key is readable by its owner only"
    der = ssl.get_server_certificate(("127.0.0.1", server.port))
    assert "BEGIN CERTIFICATE" in der
    out = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName"], input=der,
                         capture_output=True, text=True).stdout
    assert "127.0.0.1" in out and "localhost" in out


def test_healthz_and_metrics(server):
    new_user(server.client(), server.store_id, "metrics-" + uuid.uuid4().hex[:8])
    status, body, _ = get(server, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, body, headers = get(server, "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert 'atrium_http_requests_total{operation="identitystore.CreateUser",code="200"}' in body
    assert 'atrium_http_request_duration_seconds_bucket{operation="identitystore.CreateUser",le="+Inf"}' in body


def network_thread_count(server):
    _, body, _ = get(server, "/metrics")
    for line in body.splitlines():
        if line.startswith("atrium_http_requests_on_network_thread_total "):
            return int(line.split()[1])
    raise AssertionError("no atrium_http_requests_on_network_thread_total in /metrics")


def test_point_reads_skip_the_worker_pool_and_writes_do_not(server):
    """Issue 18 item 3: DescribeUser and ListUsers run on the network thread (SQLite); a write
    (CreateUser) still goes to the worker pool; on PostgreSQL every handler does."""
    client = server.client()
    before = network_thread_count(server)
    uid = new_user(client, server.store_id, "inline-" + uuid.uuid4().hex[:8])
    for _ in range(3):
        assert client.describe_user(IdentityStoreId=server.store_id, UserId=uid)["UserId"] == uid
    assert any(u["UserId"] == uid for u in client.list_users(IdentityStoreId=server.store_id)["Users"])
    expected = 0 if server.store_kind == "postgresql" else 4
    assert network_thread_count(server) - before == expected


def test_inline_reads_can_be_turned_off(tmp_path):
    s = make_server(tmp_path, settings=["server.inline_reads=false"])
    try:
        client = s.client()
        uid = new_user(client, s.store_id, "pooled-" + uuid.uuid4().hex[:8])
        assert client.describe_user(IdentityStoreId=s.store_id, UserId=uid)["UserId"] == uid
        assert network_thread_count(s) == 0
    finally:
        assert s.stop() == 0


def test_keep_alive_serves_several_requests_on_one_connection(server):
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=TLS, timeout=10)
    for _ in range(3):
        status, _, headers = get(server, "/healthz", conn)
        assert status == 200
    assert "x-amzn-RequestId" in headers or "x-amzn-requestid" in {k.lower() for k in headers}


def raw_exchange(server, head, body=b""):
    """Sends bytes over TLS and returns what the server answers before it closes."""
    sock = TLS.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10))
    try:
        sock.sendall(head + body)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ssl.SSLError, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
        return data
    finally:
        sock.close()


def test_body_limit(server):
    head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
            b"Content-Length: 2097152\r\n\r\n")
    reply = raw_exchange(server, head, b"{" * 1024)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_header_limit(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    reply = raw_exchange(server, head)
    assert reply.startswith(b"HTTP/1.1 431"), reply[:200]


def test_malformed_request_gets_400(server):
    reply = raw_exchange(server, b"NOT HTTP AT ALL\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]


def test_read_timeout_closes_a_slow_client():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp, settings=["limits.read_timeout_seconds=1"])
        try:
            sock = TLS.wrap_socket(socket.create_connection(("127.0.0.1", s.port), timeout=10))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finishes the header
            start = time.time()
            try:
                data = sock.recv(100)
            except (ssl.SSLError, ConnectionResetError):
                data = b""
            assert data == b"" and time.time() - start < 5, "closed after the read timeout"
            sock.close()
        finally:
            assert s.stop() == 0


def test_request_ids_in_json_logs_and_no_secrets(server):
    c = server.client()
    new_user(c, server.store_id, "log-" + uuid.uuid4().hex[:8])
    lines = [l for l in server.log().splitlines() if l.startswith("{")]
    parsed = [json.loads(l) for l in lines]
    reqs = [p for p in parsed if p.get("operation") == "identitystore.CreateUser"]
    assert reqs and all(p.get("request_id") for p in reqs)
    assert server.key["SecretAccessKey"] not in server.log()


def test_graceful_shutdown_finishes_in_flight_requests_then_exits_0():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp)
        c = s.client()
        errors, done = [], []

        def burst():
            for i in range(200):
                try:
                    new_user(c, s.store_id, f"shutdown-{i}")
                    done.append(i)
                except Exception as e:  # connection refused after shutdown is expected
                    errors.append(type(e).__name__)
                    return

        t = threading.Thread(target=burst)
        t.start()
        time.sleep(0.5)
        code = s.stop(signal.SIGTERM)
        t.join()
        assert code == 0
        # Every acknowledged create is there after a restart.
        s.start()
        try:
            names = {u["UserName"] for p in s.client().get_paginator("list_users").paginate(
                IdentityStoreId=s.store_id) for u in p["Users"]}
            assert {f"shutdown-{i}" for i in done} <= names
        finally:
            assert s.stop() == 0


def test_configuration_file_environment_and_flags(tmp_path):
    cfg = tmp_path / "atrium.json"
    cfg.write_text(json.dumps({"server": {"tls": False}, "region": "eu-west-1"}))
    s = Server(tmp_path / "data")
    s.data_dir.mkdir()
    s.key = s.create_key()
    port_file = s.data_dir / "port"
    env = {"ATRIUM_LOG_LEVEL": "warn", "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen([ATRIUM, "serve", "--config", str(cfg), "--data-dir", str(s.data_dir),
                             "--set", "server.port=0", "--set", f"port_file={port_file}"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        while not port_file.exists() and time.time() < deadline:
            time.sleep(0.05)
        port = int(port_file.read_text())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)  # tls=false from the file
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert b'"level":"info"' not in err, "ATRIUM_LOG_LEVEL=warn from the environment applies"
    bad = subprocess.run([ATRIUM, "serve", "--data-dir", str(s.data_dir), "--set", "server.port=99999"],
                         capture_output=True, text=True, timeout=20)
    assert bad.returncode != 0 and "server.port" in bad.stderr


def test_make_run_bootstrap_prints_admin_key_once(tmp_path):
    s = Server(tmp_path)
    s.start()
    try:
        out = (tmp_path / "server.out").read_text()
        assert "AWS_ACCESS_KEY_ID=AKIA" in out and "AWS_SECRET_ACCESS_KEY=" in out
        assert "identity store id: d-" in out
    finally:
        assert s.stop() == 0
    s.start()
    try:
        out = (tmp_path / "server.out").read_text()
        assert out.count("AWS_SECRET_ACCESS_KEY=") == 1, "the bootstrap key is printed only once"
    finally:
        assert s.stop() == 0
