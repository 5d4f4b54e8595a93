"""A local stand-in for Telegram's Bot API servers: the only mock in the tests, at the edge.

python-telegram-bot's real HTTP client talks to it (TELEGRAM_BOT_API_URL). It records every call,
answers like the Bot API, and can be told to fail the next calls of a method.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time

from aiohttp import web


class StandIn:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.fail: dict[str, int] = {}
        self.updates: list[dict] = []
        self._ids = itertools.count(1000)
        self._loop = asyncio.new_event_loop()
        self.port = None

    def calls_to(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = {}
            for key, value in (await request.post()).items():
                try:
                    params[key] = json.loads(value)
                except (TypeError, ValueError):
                    params[key] = value
        self.calls.append((method, params))
        if self.fail.get(method):
            self.fail[method] -= 1
            return web.json_response({"ok": False, "error_code": 500, "description": "stand-in failure"}, status=500)
        result: object = True
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "first_name": "Stand-in", "username": "standin_bot"}
        elif method == "sendMessage":
            result = {"message_id": next(self._ids), "date": int(time.time()),
                      "chat": {"id": int(params["chat_id"]), "type": "private"}, "text": params.get("text", "")}
        elif method == "getUpdates":
            result, self.updates = self.updates, []
        return web.json_response({"ok": True, "result": result})

    def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app)
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)
        return f"http://127.0.0.1:{self.port}/bot"

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)


def message_update(update_id: int, user_id: int, text: str | None = None, chat_type="private", **extra) -> dict:
    message = {"message_id": update_id * 10, "date": int(time.time()),
               "chat": {"id": user_id if chat_type == "private" else -100 - user_id, "type": chat_type},
               "from": {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "en"}, **extra}
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, "message": message}


def callback_update(update_id: int, user_id: int, data: str) -> dict:
    return {"update_id": update_id, "callback_query": {
        "id": f"cb{update_id}", "chat_instance": "ci", "data": data,
        "from": {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "en"},
        "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": user_id, "type": "private"}, "text": "q"}}}
