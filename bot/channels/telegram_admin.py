"""`bot telegram ...`: set the webhook (with its secret), or long-poll for deployments without a
public HTTPS address. Polling hands every update to the running assistant's own webhook, so both
ways go through exactly the same code, and an update is only acknowledged once it was handled."""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import urllib.error
import urllib.request

from bot.channels.telegram import ALLOWED_UPDATES, SECRET_HEADER, make_bot


def _config() -> tuple[str, str]:
    token, secret = os.environ.get("TELEGRAM_BOT_TOKEN"), os.environ.get("TELEGRAM_WEBHOOK_SECRET")
    if not (token and secret):
        sys.exit("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET (any long random string) first.")
    return token, secret


def set_webhook(url: str) -> None:
    token, secret = _config()
    if not url.startswith("https://") and not os.environ.get("TELEGRAM_BOT_API_URL"):
        sys.exit("Telegram only delivers to https:// addresses.")

    async def run():
        async with make_bot(token) as bot:
            await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    asyncio.run(run())
    print(f"Webhook set to {url} (with the secret; updates: {', '.join(ALLOWED_UPDATES)}).")


def forward(local_url: str, secret: str, update: dict) -> int:
    request = urllib.request.Request(local_url, data=json.dumps(update).encode(),
                                     headers={"Content-Type": "application/json", SECRET_HEADER: secret})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def poll(local_url: str, once: bool = False) -> int:
    token, secret = _config()
    handled = 0

    async def run():
        nonlocal handled
        offset = None
        async with make_bot(token) as bot:
            await bot.delete_webhook()  # polling and a webhook cannot both be on
            while True:
                updates = await bot.get_updates(offset=offset, timeout=0 if once else 25,
                                                allowed_updates=ALLOWED_UPDATES)
                for update in updates:
                    status = forward(local_url, secret, update.to_dict())
                    if not 200 <= status < 300:
                        print(f"update not handled (status {status}); trying again shortly", file=sys.stderr)
                        time.sleep(2)
                        break  # offset not advanced: Telegram keeps it and gives it again
                    offset = update.update_id + 1
                    handled += 1
                if once:
                    return

    asyncio.run(run())
    return handled
