"""Sanic 21.12's published advisories, and the framing fixes Sanic made after 21.12, tried over a
raw socket against a Sanic 21.12 app with the project's HTTP guard loaded (docs/security-audit.md,
"Sanic 21.12, tried against the guarded server").

- GHSA-8cw9-5hmv-77w6 / CVE-2022-35920 (encoded ``%2F`` out of ``app.static``) and PYSEC-2017-40 /
  CVE-2017-16762 (``..`` out of ``app.static``): fixed in the pinned 21.12.2, and the product
  registers no static route; kept here so that a downgrade would show.
- GHSA-94jw-hqvj-vw74 / CVE-2026-37737 (sanic-cors, unanchored origin patterns): Rasa's own CORS
  setup with no ``--cors`` allows no origin.
- Sanic 24.6 "Error on smuggle attempt" (duplicate Content-Length/Transfer-Encoding): refused by
  the guard.
- Sanic 24.6 "Error on bad body length" (#2979): ``+``, ``_`` and ``-`` in a length. The guard
  refuses them in Content-Length, but Sanic 21.12 still reads a chunk's size with
  ``int(size, 16)`` and skips the two bytes after a chunk's data without looking: the server and a
  proxy that forwards chunked bodies as they are would disagree on where a request ends.
"""
import socket

import pytest

from tests.unit.test_http_guard import started

APP = """
import sys
from pathlib import Path
from sanic import Sanic, response
from sanic_cors import CORS
import bot.http_guard  # what the channels and the actions package import

root = Path(sys.argv[2])
app = Sanic("guarded")
# Rasa's own CORS set-up (rasa.server.configure_cors) as `rasa run` makes it without --cors.
app.config.CORS_AUTOMATIC_OPTIONS = True
app.config.CORS_SUPPORTS_CREDENTIALS = True
app.config.CORS_EXPOSE_HEADERS = "filename"
CORS(app, resources={r"/*": {"origins": ""}}, automatic_options=True)
# The product serves no static folder; this one is here to try the static-file advisories.
app.static("/static", str(root / "static"))

@app.post("/echo")
async def echo(request):
    return response.json({"length": len(request.body)})

@app.get("/ping")
async def ping(request):
    return response.text("pong")

app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, workers=1)
"""

CHUNKED = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


def exchange(port: int, raw: bytes, timeout: float = 5.0) -> bytes:
    """Everything the server sends back for ``raw`` until it closes or stays quiet for 0.5 s."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
                s.settimeout(0.5)
        except socket.timeout:
            pass
        except ConnectionResetError:
            pass
        return answer or b"(no answer)"


def still_answers(port: int) -> bool:
    return exchange(port, b"GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 200")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "static" / "sub").mkdir(parents=True)
    (root / "static" / "sub" / "ok.txt").write_text("OK\n")
    (root / "other").mkdir()
    (root / "other" / "secret.txt").write_text("SECRET\n")
    yield from started(APP, str(root))


def test_the_static_route_serves_its_own_files(server):
    answer = exchange(server, b"GET /static/sub/ok.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"OK\n")


@pytest.mark.parametrize("path", [
    b"/static/..%2Fother/secret.txt",  # GHSA-8cw9-5hmv-77w6
    b"/static/..%2fother/secret.txt",
    b"/static/sub%2F..%2F..%2Fother/secret.txt",
    b"/static/../other/secret.txt",  # PYSEC-2017-40
    b"/static/%2e%2e/other/secret.txt",
])
def test_no_file_outside_a_static_folder(server, path):
    answer = exchange(server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 404") and b"SECRET" not in answer, answer[:200]


@pytest.mark.parametrize("request_head", [
    pytest.param(b"GET /ping HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n\r\n", id="simple"),
    pytest.param(b"OPTIONS /echo HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n"
                 b"Access-Control-Request-Method: POST\r\n\r\n", id="preflight"),
])
def test_rasa_cors_allows_no_other_origin(server, request_head):
    # GHSA-94jw-hqvj-vw74: with no --cors, Rasa's CORS set-up allows no origin at all.
    answer = exchange(server, request_head)
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"access-control-allow-origin" not in answer.lower(), answer[:300]


def test_duplicate_framing_headers_are_refused_and_not_smuggled(server):
    # Sanic 24.6's own test for "Error on smuggle attempt", with its smuggled GET behind.
    answer = exchange(server, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                              b"Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and answer.count(b"HTTP/1.1 ") == 1, answer[:300]
    assert still_answers(server)


SOUND_CHUNKS = {
    "one chunk": b"2\r\n{}\r\n0\r\n\r\n",
    "an extension": b"2;name=value\r\n{}\r\n0\r\n\r\n",
    "two chunks": b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n",
    "upper-case hex": b"A\r\n{\"a\": \"b\"}\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("body", [pytest.param(b, id=n) for n, b in SOUND_CHUNKS.items()])
def test_sound_chunked_bodies_are_read(server, body):
    answer = exchange(server, CHUNKED + body)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]


MALFORMED_CHUNKS = {
    "plus sign": b"+2\r\n{}\r\n0\r\n\r\n",
    "underscore": b"0_2\r\n{}\r\n0\r\n\r\n",
    "minus zero": b"-0\r\n{}\r\n0\r\n\r\n",  # ends the body at once: "{}..." becomes a second request
    "0x prefix": b"0x2\r\n{}\r\n0\r\n\r\n",
    "no CRLF after the data": b"2\r\n{}XX0\r\n\r\n",
}


@pytest.mark.parametrize("name,body", [pytest.param(n, b, id=n) for n, b in MALFORMED_CHUNKS.items()])
def test_malformed_chunk_framing_gets_400_and_nothing_more(server, name, body):
    # Sanic 21.12 reads these as 2, 2, 0 and 2 (and skips "XX"), where a proxy would refuse them or
    # read them otherwise; Sanic 24.6 refuses the signs and the underscore (#2979).
    answer = exchange(server, CHUNKED + body)
    assert answer.startswith(b"HTTP/1.1 400") and answer.count(b"HTTP/1.1 ") == 1, (name, answer[:300])
    assert still_answers(server)
