"""A guard at the HTTP protocol layer of both servers (Rasa's and the action server), which run on
the Sanic 21.12 that Rasa 3.6 pins.

Security decision: Sanic 21.12 trusts the request's framing. ``Content-Length: -1`` makes its body
reader loop for ever at full CPU, and from then on the server answers no one (one request takes the
service down); ``5_0`` or ``+5`` are read as numbers by ``int()``; a request with both
``Content-Length`` and ``Transfer-Encoding``, or a transfer coding other than ``chunked``, is how
requests are smuggled past a proxy. Every such request is refused with 400 and its connection
closed before a byte of its body is read. Installed by importing this module, which the channels
and the actions package do before either server serves.
"""
from __future__ import annotations

import re
import time

from sanic.exceptions import InvalidUsage, RequestTimeout
from sanic.http import Http, Stage

_LENGTH = re.compile(r"^[0-9]{1,15}$")
_CHUNK_SIZE = re.compile(rb"^[0-9A-Fa-f]{1,15}$")
_installed = False


def framing_problem(headers) -> str | None:
    """Why a request's framing headers are refused, or None when they are sound."""
    lengths = headers.getall("content-length", [])
    codings = headers.getall("transfer-encoding", [])
    if lengths and codings:
        return "both Content-Length and Transfer-Encoding"
    if lengths and (len(set(lengths)) != 1 or not _LENGTH.match(lengths[0].strip())):
        return "malformed Content-Length"
    if codings and [c.strip().lower() for c in codings] != ["chunked"]:
        return "unsupported Transfer-Encoding"
    return None


def chunk_problem(line: bytes) -> str | None:
    """Why a chunk's size line (between its two CRLF, extensions included) is refused, or None."""
    size, semicolon, _ = line.partition(b";")
    if semicolon:
        size = size.rstrip(b" \t")  # RFC 9112 allows whitespace before an extension
    return None if _CHUNK_SIZE.match(size) else "malformed chunk size"


def _bot_guard_refuse(http: Http, reason: str) -> None:
    # Nothing of the body is read, and the connection is not reused.
    http.request_body = None
    http.request_bytes_left = 0
    http.keep_alive = False
    raise InvalidUsage(f"Bad Request: {reason}")


# The replacements below are compiled again by Sanic at start ("touchup" re-reads a method's
# source in sanic.http's namespace to drop unused signal dispatches): they use only names found
# there, which install() puts there, and carry no annotations, which that compile would evaluate.
# Sanic's own methods are kept under new names that touchup compiles the same way.
_bot_guard_problem = framing_problem
_bot_guard_chunk_problem = chunk_problem
_bot_guard_clock = time.monotonic
# Seconds a request's body may take to arrive, from the end of its headers.
_bot_guard_body_seconds = 10.0
# Seconds a request's line and headers may take to arrive, from its first byte (Sanic's
# REQUEST_TIMEOUT restarts with every byte: one header line every 14 s held a connection for hours).
_bot_guard_header_seconds = 10.0


def _bot_guard_header_expired(http: Http) -> None:
    # Sanic's own way out of a slow request (HttpProtocol.check_timeouts): 408, then close.
    if http.stage is Stage.REQUEST and http.protocol._task:
        http.exception = RequestTimeout("Request Timeout")
        http.protocol._task.cancel()


async def http1_request_header(self):
    timer = self.protocol.loop.call_later(_bot_guard_header_seconds, _bot_guard_header_expired, self)
    try:
        await self._bot_guard_original_header()
    except (KeyError, ValueError):  # Sanic's own parse of the framing failed
        _bot_guard_refuse(self, "malformed framing")
    finally:
        timer.cancel()
    problem = _bot_guard_problem(self.request.headers)
    if problem:
        _bot_guard_refuse(self, problem)
    self.request.ctx.bot_guard_deadline = _bot_guard_clock() + _bot_guard_body_seconds


async def read(self):
    if self.request_bytes_left is not None and self.request_bytes_left < 0:
        _bot_guard_refuse(self, "negative length")
    # Sanic's timeouts restart with every byte received: a body sent one byte every few seconds
    # held a connection for minutes. The whole body has a deadline instead.
    if self.request is not None and _bot_guard_clock() > getattr(self.request.ctx, "bot_guard_deadline", float("inf")):
        _bot_guard_refuse(self, "body too slow")
    if self.request_body == "chunked" and self.request_bytes_left == 0:
        # Sanic reads a chunk's size with int(size, 16), which takes "+5", "5_0", "-0" and "0x5",
        # and drops the two bytes after a chunk's data without looking at them: a proxy that reads
        # the framing otherwise would disagree on where the request ends. The whole size line is
        # checked before Sanic reads it.
        buf = self.recv_buffer
        while buf.find(b"\r\n", 2) == -1 and len(buf) <= 64:
            if self.request is not None and _bot_guard_clock() > getattr(self.request.ctx, "bot_guard_deadline", float("inf")):
                _bot_guard_refuse(self, "body too slow")
            await self._receive_more()
        end = buf.find(b"\r\n", 2)
        if end != -1 and (buf[:2] != b"\r\n" or _bot_guard_chunk_problem(bytes(buf[2:end]))):
            _bot_guard_refuse(self, "malformed chunk")
    return await self._bot_guard_original_read()


def install() -> None:
    global _installed
    if _installed:
        return
    import sanic.http
    from sanic.touchup import TouchUp

    for name in ("_bot_guard_refuse", "_bot_guard_problem", "_bot_guard_clock", "_bot_guard_body_seconds",
                 "_bot_guard_chunk_problem", "_bot_guard_header_seconds", "_bot_guard_header_expired"):
        setattr(sanic.http, name, globals()[name])
    Http._bot_guard_original_header, Http._bot_guard_original_read = Http.http1_request_header, Http.read
    TouchUp.register(Http, "_bot_guard_original_header")
    TouchUp.register(Http, "_bot_guard_original_read")
    Http.http1_request_header, Http.read = http1_request_header, read
    _installed = True


install()
