"""The guard at Sanic's protocol layer: requests with broken framing get 400 at once and the
server keeps answering. Before the guard, ``Content-Length: -1`` hung Sanic 21.12 for good."""
import socket
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import free_port

APP = """
import sys
from sanic import Sanic, response
import bot.http_guard  # what the channels and the actions package import
app = Sanic("guarded")

@app.post("/echo")
async def echo(request):
    return response.json({"length": len(request.body)})

app.run(host="127.0.0.1", port=int(sys.argv[1]), access_log=False, workers=1)
"""

BROKEN = {
    "negative length": b"Content-Length: -1\r\n",
    "plus sign": b"Content-Length: +5\r\n",
    "underscore": b"Content-Length: 5_0\r\n",
    "two lengths": b"Content-Length: 2\r\nContent-Length: 3\r\n",
    "both framings": b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
    "another coding": b"Transfer-Encoding: gzip, chunked\r\n",
    "gzip only": b"Transfer-Encoding: gzip\r\n",
}


def exchange(port: int, head: bytes, body: bytes = b"{}", timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + head + b"\r\n" + body)
        try:
            return s.recv(4096)
        except socket.timeout:
            return b"(no answer)"


def started(app: str, *args: str):
    """A small Sanic app (source ``app``, run with its port and ``args``) on loopback: its port."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", app, str(port), *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def server():
    yield from started(APP)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_framing_gets_400_and_the_server_keeps_answering(server, name):
    answer = exchange(server, BROKEN[name])
    assert answer.startswith(b"HTTP/1.1 400"), (name, answer[:200])
    good = exchange(server, b"Content-Length: 2\r\n")
    assert good.startswith(b"HTTP/1.1 200") and b'"length":2' in good
