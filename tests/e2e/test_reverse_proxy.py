"""End to end through the shipped reverse proxy: Debian's nginx with deploy/nginx/thb-assistant.conf
(ports, certificate and log paths rewritten for a temporary directory) in front of the real Rasa
and action servers. A conversation over HTTPS works; broken framing, big and slow bodies, routes
the product does not need and bursts are refused at the proxy while both servers keep answering;
the access log holds no message, sender, query string or client address."""
from __future__ import annotations

import contextlib
import datetime
import http.client
import http.server
import ipaddress
import json
import os
import pwd
import re
import secrets
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable

import pytest

from bot import launcher
from bot.config import ROOT
from tests.e2e import rest_chat
from tests.e2e.conftest import ONE_CLIENT_MANY_PEOPLE, free_port, prepared

pytestmark = pytest.mark.e2e

NGINX = "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "thb-assistant.conf"
TEST_BODY_TIMEOUT = 1  # seconds between two reads of a body; the shipped file says 10s
CANARIES: list[str] = []  # every message text, sender and query string sent: none may be logged


def new_canary() -> str:
    canary = f"CANARY{secrets.token_hex(6)}"
    CANARIES.append(canary)
    return canary


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made here (RSA, so that TLS 1.2 RSA key exchange can be tried)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def render(site: str, directory: Path, https_port: int, http_port: int, rasa_port: int,
           cert: Path, key: Path) -> str:
    """The shipped site file with test values. Each rewrite must match exactly where expected, so a
    change to the shipped file that this test would no longer cover fails here."""
    rewrites = [
        (r"listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;", 1),
        (r"listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;", 1),
        (r"\n *listen \[::\]:\d+[^;]*;", "", 2),  # no IPv6 in every test machine
        (r"server 127\.0\.0\.1:5005;", f"server 127.0.0.1:{rasa_port};", 1),
        (r"/etc/letsencrypt/live/chat\.example\.org/fullchain\.pem", str(cert), 1),
        (r"/etc/letsencrypt/live/chat\.example\.org/privkey\.pem", str(key), 1),
        (r"/var/log/nginx/thb-assistant\.access\.log", str(directory / "access.log"), 2),
        # The shipped level, and a second log at "warn" that names a body or a reply buffered to
        # a temporary file (on disk).
        (r"/var/log/nginx/thb-assistant\.error\.log crit;",
         f"{directory / 'error.log'} crit;\n    error_log {directory / 'warnings.log'} warn;", 2),
        (r"client_body_timeout 10s;", f"client_body_timeout {TEST_BODY_TIMEOUT}s;", 1),
    ]
    for pattern, value, count in rewrites:
        site, found = re.subn(pattern, value, site)
        assert found == count, f"{pattern!r} found {found} times in {SITE}, expected {count}"
    return site


def main_conf(directory: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf sets around a site (its access log for every server,
    gzip, old TLS versions), with this test's paths; the site must override what matters."""
    temp = "\n".join(f"    {kind}_temp_path {directory / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""
daemon off;
user {pwd.getpwuid(os.getuid()).pw_name};
worker_processes 1;
pid {directory / 'nginx.pid'};
error_log {directory / 'main-error.log'} warn;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {directory / 'debian-default-access.log'};
    gzip on;
{temp}
    include {site};
}}
"""


class Proxy:
    def __init__(self, directory: Path, https_port: int, http_port: int, cert: Path, servers):
        self.directory, self.https_port, self.http_port = directory, https_port, http_port
        self.cert, self.servers = cert, servers
        self.url = f"https://127.0.0.1:{https_port}"

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def connect(self, timeout: float = 5.0, context: ssl.SSLContext | None = None) -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=timeout)
        return (context or self.context()).wrap_socket(raw, server_hostname="127.0.0.1")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30):
        connection = http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=timeout,
                                                 context=self.context())
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def log(self, name: str) -> str:
        path = self.directory / name
        return path.read_text(errors="replace") if path.exists() else ""


def exchange(proxy: Proxy, data: bytes, wait: float = 5.0) -> tuple[bytes, float]:
    """Send raw bytes over TLS; what comes back until the proxy closes (or ``wait`` passes), and
    how long that took."""
    started, answer = time.monotonic(), b""
    with proxy.connect(timeout=wait) as s:
        try:
            s.sendall(data)
        except OSError:
            pass  # refused while sending: what came back is read below
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except (socket.timeout, OSError):
            pass
    return answer, time.monotonic() - started


def both_answer(proxy: Proxy) -> None:
    """A normal request is answered through the proxy, and by the Rasa server directly."""
    status, _, body = proxy.request("GET", "/webhooks/rest/", timeout=10)
    assert status == 200 and json.loads(body) == {"status": "ok"}
    with urllib.request.urlopen(f"{proxy.servers.url}/webhooks/rest/", timeout=10) as r:
        assert r.status == 200


@contextlib.contextmanager
def nginx_in_front(directory: Path, upstream_port: int, ready: Callable[[Proxy], None], servers=None):
    """Debian's nginx, in the foreground, with the shipped site rendered for ``directory``."""
    if not os.access(NGINX, os.X_OK):
        pytest.fail("Debian's nginx is needed (scripts/ensure_test_tools.sh installs it)")
    directory.mkdir()
    cert, key = self_signed(directory)
    https_port, http_port = free_port(), free_port()
    site = directory / "thb-assistant.conf"
    site.write_text(render(SITE.read_text(), directory, https_port, http_port, upstream_port, cert, key))
    conf = directory / "nginx.conf"
    conf.write_text(main_conf(directory, site))
    checked = subprocess.run([NGINX, "-t", "-p", str(directory), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with open(directory / "stderr.log", "wb") as stderr:
        process = subprocess.Popen([NGINX, "-p", str(directory), "-c", str(conf)],
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    proxy = Proxy(directory, https_port, http_port, cert, servers)
    try:
        deadline = time.time() + 20
        while True:
            try:
                ready(proxy)
                break
            except (OSError, AssertionError, http.client.HTTPException) as error:
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"nginx did not start: {proxy.log('main-error.log')}"
                                       f"{proxy.log('stderr.log')}") from error
                time.sleep(0.2)
        yield proxy
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """nginx in front of the real Rasa and action servers."""
    root = tmp_path_factory.mktemp("proxy")
    data_dir, tmp_dir = root / "var", root / "tmp"
    tmp_dir.mkdir()
    prepared(data_dir)
    # The same servers as tests/e2e/test_conversation.py starts, told (as deploy/nginx/README.md
    # says) to read the client's address from the proxy's X-Forwarded-For.
    env = {"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1", **ONE_CLIENT_MANY_PEOPLE, "TMPDIR": str(tmp_dir),
           "SANIC_PROXIES_COUNT": "1"}
    with launcher.running(free_port(), free_port(), log_dir=data_dir / "log", extra_env=env) as servers:
        with nginx_in_front(root / "nginx", servers.rasa_port, both_answer, servers) as proxy:
            yield proxy


class Spy(http.server.ThreadingHTTPServer):
    """Stands in for the Rasa server to record exactly what nginx passes on."""
    daemon_threads = True

    def __init__(self):
        self.seen: list[tuple[str, str, dict, bytes]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(inner):
                length = int(inner.headers.get("Content-Length") or 0)
                body = inner.rfile.read(length) if length else b""
                self.seen.append((inner.command, inner.path, {k.lower(): v for k, v in inner.headers.items()}, body))
                inner.send_response(200)
                inner.send_header("Content-Type", "application/json")
                inner.send_header("Content-Length", "16")
                inner.end_headers()
                inner.wfile.write(b'{"status": "ok"}')

            do_GET = do_POST = answer

            def log_message(inner, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def spied(tmp_path_factory):
    """The same nginx site in front of a spy instead of the Rasa server."""
    spy = Spy()
    threading.Thread(target=spy.serve_forever, daemon=True).start()

    def ready(proxy):
        status, _, _ = proxy.request("GET", "/webhooks/rest/", timeout=5)
        assert status == 200

    try:
        with nginx_in_front(tmp_path_factory.mktemp("spied") / "nginx", spy.server_address[1], ready) as proxy:
            spy.seen.clear()
            yield proxy, spy
    finally:
        spy.shutdown()


@pytest.fixture
def trusting_opener(proxy):
    """rest_chat.Chat calls urllib's urlopen: make it trust the test certificate (and only that)."""
    previous = urllib.request._opener
    urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPSHandler(context=proxy.context())))
    yield
    urllib.request._opener = previous


def test_a_conversation_through_the_proxy_over_https(proxy, trusting_opener):
    chat = rest_chat.Chat(proxy.url)
    CANARIES.append(chat.sender)
    assert chat.text(chat.say("hello"))
    canary = new_canary()
    replies = chat.say(f"I want to ask something {canary}")
    assert chat.text(replies)

    status, headers, page = proxy.request("GET", "/webhooks/rest/chat")
    assert status == 200 and b'src="chat/app.js"' in page
    assert headers["Strict-Transport-Security"] == "max-age=63072000"
    assert "default-src 'none'" in headers["Content-Security-Policy"]  # the app's, passed on
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]  # once, not twice
    assert headers["Server"] == "nginx"  # no version, and not the Rasa server's
    for asset, kind in [("app.js", "application/javascript"), ("app.css", "text/css"), ("icon.svg", "image/svg+xml")]:
        status, headers, _ = proxy.request("GET", f"/webhooks/rest/chat/{asset}")
        assert status == 200 and headers["Content-Type"].startswith(kind), asset
    status, headers, _ = proxy.request("GET", "/webhooks/rest/")
    assert status == 200 and headers["Strict-Transport-Security"]


def test_plain_http_only_redirects_to_https(proxy):
    connection = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    connection.request("GET", "/webhooks/rest/chat")
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == "https://chat.example.org/webhooks/rest/chat"
    connection.close()


def test_tls_without_forward_secrecy_is_refused(proxy):
    weak = proxy.context()
    weak.maximum_version = ssl.TLSVersion.TLSv1_2
    weak.set_ciphers("AES128-GCM-SHA256")  # RSA key exchange: allowed by nginx's default ciphers
    with pytest.raises(ssl.SSLError):
        proxy.connect(context=weak).close()
    good = proxy.context()
    good.maximum_version = ssl.TLSVersion.TLSv1_2
    good.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
    with proxy.connect(context=good) as s:
        assert s.version() == "TLSv1.2"


WEBHOOK = b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
BROKEN = {
    "negative length": b"Content-Length: -1\r\n",
    "two lengths": b"Content-Length: 2\r\nContent-Length: 3\r\n",
    "length and chunked": b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
    "another coding": b"Transfer-Encoding: gzip, chunked\r\n",
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_framing_is_refused_at_once_and_both_servers_keep_answering(proxy, name):
    answer, took = exchange(proxy, WEBHOOK + BROKEN[name] + b"\r\n{}")
    assert re.match(rb"HTTP/1\.1 (400|501) ", answer), (name, answer[:200])
    assert took < 4, (name, took)  # answered and closed, not left hanging
    both_answer(proxy)


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_1mb_body_gets_413_quickly(proxy, chunked):
    megabyte = b"x" * (1024 * 1024)
    if chunked:
        data = WEBHOOK + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(megabyte) + megabyte + b"\r\n0\r\n\r\n"
    else:
        data = WEBHOOK + b"Content-Length: %d\r\n\r\n" % len(megabyte) + megabyte
    answer, took = exchange(proxy, data)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b'"message too large"' in answer  # JSON the web chat can show as "unreachable"
    assert took < 4, took
    both_answer(proxy)


def test_a_trickled_body_is_dropped_while_both_servers_keep_answering(proxy):
    """A client sending one byte every 2 s holds an nginx connection until client_body_timeout
    (between two reads); meanwhile everyone else is served. That the Rasa server sees nothing
    of it: test_an_unfinished_or_refused_body_never_reaches_the_rasa_server."""
    body = json.dumps({"sender": secrets.token_hex(8), "message": "slow"}).encode()
    started, answer, closed = time.monotonic(), b"", False
    with proxy.connect(timeout=10) as s:
        s.sendall(WEBHOOK + b"Content-Length: %d\r\n\r\n" % len(body))
        for byte in body[:10]:  # 20 s at most: an nginx that waits that long fails below
            try:
                s.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            both_answer(proxy)  # meanwhile, everyone else is served
            time.sleep(2)
            s.settimeout(0.05)
            try:
                answer, closed = s.recv(4096), True  # an answer, or b"" when closed
                break
            except socket.timeout:
                s.settimeout(10)
            except OSError:
                closed = True
                break
    took = time.monotonic() - started
    assert closed, "the proxy still waited for the body"
    assert took < TEST_BODY_TIMEOUT + 4, took
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    both_answer(proxy)


def test_only_the_product_routes_are_passed_on(proxy):
    # The Rasa server itself answers "/" (with its version): the proxy does not pass it on.
    with urllib.request.urlopen(f"{proxy.servers.url}/", timeout=10) as r:
        assert b"Rasa" in r.read()
    for path in ["/", "/version", "/status", "/model/parse", "/conversations/x/tracker",
                 "/webhooks/rest/chat/", "/webhooks/rest/chat/index.html", "/webhooks/rest/webhook/",
                 "/webhooks/rest/chat/../../../version", "/webhooks/rest/%2e%2e/%2e%2e/version",
                 "/webhooks/telegram/set_webhook", "/webhooks/callback/webhook", "/.env"]:
        for method in ["GET", "POST"]:
            status, headers, body = proxy.request(method, path, body=b"{}" if method == "POST" else None,
                                                  headers={"Content-Type": "application/json"})
            assert status == 404, (method, path, status)
            assert json.loads(body) == {"error": "not found"}
    for method, path in [("GET", "/webhooks/rest/webhook"), ("PUT", "/webhooks/rest/webhook"),
                         ("GET", "/webhooks/rest/conversation"),
                         ("GET", "/webhooks/telegram/webhook"), ("POST", "/webhooks/rest/chat"),
                         ("DELETE", "/webhooks/rest/"), ("POST", "/webhooks/rest/chat/app.js")]:
        status, _, _ = proxy.request(method, path, body=b"{}" if method != "GET" else None)
        assert status == 405, (method, path, status)
    # Telegram's route is passed on; the Telegram channel is not configured here, so it says 404.
    status, _, body = proxy.request("POST", "/webhooks/telegram/webhook", body=b"{}",
                                    headers={"Content-Type": "application/json"})
    assert status == 404 and b"not configured" in body


def test_a_burst_of_messages_gets_429(proxy):
    """limit_req on the webhook: 10 a second from one address, 20 more at once, then 429."""
    statuses: list[int] = []

    def send():
        connection = http.client.HTTPSConnection("127.0.0.1", proxy.https_port, timeout=30,
                                                 context=proxy.context())
        for _ in range(15):
            # text/plain: the channel answers 415 at once, so no conversation turn is run
            connection.request("POST", "/webhooks/rest/webhook", body=b"hi", headers={"Content-Type": "text/plain"})
            response = connection.getresponse()
            body = response.read()
            statuses.append(response.status)
            if response.status == 429:
                assert json.loads(body)["error"].startswith("too many messages")
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(415) >= 20 and statuses.count(429) >= 1, statuses
    time.sleep(3)  # the bucket drains at 10 a second
    status, _, _ = proxy.request("POST", "/webhooks/rest/webhook", body=b"hi", headers={"Content-Type": "text/plain"})
    assert status == 415


def test_connections_at_once_from_one_address_are_capped(proxy):
    """limit_conn: 20 requests in progress from one address; the 21st gets 429."""
    held = [proxy.connect() for _ in range(21)]  # TLS handshakes first: they are not counted
    try:
        for s in held[:20]:
            # a GET whose body never comes: in progress until client_body_timeout
            s.sendall(b"GET /webhooks/rest/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        time.sleep(0.1)
        last = held[20]
        last.sendall(b"GET /webhooks/rest/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = last.recv(4096)
        assert answer.startswith(b"HTTP/1.1 429 "), answer[:200]
    finally:
        for s in held:
            s.close()
    time.sleep(TEST_BODY_TIMEOUT + 0.5)
    both_answer(proxy)


def test_the_access_log_names_no_message_sender_query_or_address(proxy):
    canary = new_canary()
    proxy.request("GET", f"/webhooks/rest/chat?ref={canary}")
    proxy.request("GET", f"/{canary}")
    proxy.request("POST", f"/webhooks/rest/webhook?s={canary}", body=b"{}", headers={"Content-Type": "application/json"})
    # 60 KB: under the cap, over nginx's default body buffer (16 KB), which would go to a file.
    status, _, _ = proxy.request("POST", "/webhooks/rest/webhook", body=canary.encode() * 3000,
                                 headers={"Content-Type": "text/plain"})
    assert status == 415  # passed on whole; the channel wants JSON
    time.sleep(0.5)
    log = proxy.log("access.log")
    assert re.search(r" POST webhook 200 ", log) and " GET chat 200 " in log and " GET other 404 " in log
    assert " POST webhook 429 " in log and " GET chat 429 " in log
    for secret in CANARIES:
        assert secret not in log, secret
    assert "127.0.0.1" not in log and "?" not in log and "/" not in log
    assert not proxy.log("debian-default-access.log")  # the site's own log replaces Debian's
    # The error log at the shipped level: nginx names the client in every line it writes there,
    # and it wrote lines at "error" in this module (the 429s above).
    assert "limiting requests" in proxy.log("warnings.log")
    assert "127.0.0.1" not in proxy.log("error.log")
    # Nothing the people wrote was buffered to a file on disk.
    warnings = proxy.log("warnings.log") + proxy.log("main-error.log")
    assert "temporary file" not in warnings, warnings


def test_what_the_rasa_server_is_given(spied):
    """Only the normalised path, no query string, the client's address as nginx saw it (never
    one the client sent), and a body with a Content-Length nginx has checked, whatever framing
    the client used."""
    proxy, spy = spied
    canary = new_canary()
    body = json.dumps({"sender": "s", "message": canary}).encode()
    chunked = b"%x\r\n" % 5 + body[:5] + b"\r\n" + b"%x\r\n" % (len(body) - 5) + body[5:] + b"\r\n0\r\n\r\n"
    answer, _ = exchange(proxy, b"POST //webhooks/rest/./webhook?s=" + canary.encode() + b" HTTP/1.1\r\n"
                         b"Host: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                         b"X-Forwarded-For: 203.0.113.9\r\nX-Real-IP: 203.0.113.9\r\nForwarded: for=203.0.113.9\r\n"
                         b"Connection: close\r\n\r\n" + chunked)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    status, _, _ = proxy.request("GET", f"/webhooks/rest/chat/x/../app.js?ref={canary}")
    assert status == 200
    (method, path, headers, received), (_, asset_path, _, _) = spy.seen
    assert (method, path, received) == ("POST", "/webhooks/rest/webhook", body)
    assert asset_path == "/webhooks/rest/chat/app.js"
    assert headers["content-length"] == str(len(body)) and "transfer-encoding" not in headers
    assert headers["x-forwarded-for"] == headers["x-real-ip"] == "127.0.0.1" and "forwarded" not in headers
    assert "203.0.113.9" not in json.dumps(headers)
    assert headers["x-forwarded-proto"] == "https"


def test_an_unfinished_or_refused_body_never_reaches_the_rasa_server(spied):
    proxy, spy = spied
    spy.seen.clear()
    answer, took = exchange(proxy, WEBHOOK + b"Content-Length: 100\r\n\r\n" + b"{" * 10, wait=TEST_BODY_TIMEOUT + 5)
    assert took < TEST_BODY_TIMEOUT + 3 and (answer == b"" or answer.startswith(b"HTTP/1.1 408 ")), (took, answer)
    answer, _ = exchange(proxy, WEBHOOK + b"Content-Length: %d\r\n\r\n" % (65 * 1024) + b"x" * 65 * 1024)
    assert answer.startswith(b"HTTP/1.1 413 ")
    for framing in BROKEN.values():
        exchange(proxy, WEBHOOK + framing + b"\r\n{}")
    assert spy.seen == []
    assert proxy.request("GET", "/webhooks/rest/")[0] == 200 and len(spy.seen) == 1
