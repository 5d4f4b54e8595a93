"""The channels an urgent alert goes out on, configured from the environment (``.env.example``):
a Telegram chat of the reviewers, e-mail over SMTP, or a webhook. Each says only which report is
urgent: the reference and the word "urgent". Nothing else of the report leaves the server.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage


def text_of(reference: str) -> str:
    return f"URGENT report {reference}: open it in the review console."


@dataclass(frozen=True)
class TelegramChat:
    token: str
    chat_id: str
    api_url: str = "https://api.telegram.org/bot"
    name: str = "telegram"

    def send(self, reference: str) -> None:
        from telegram import Bot

        async def go():
            async with Bot(self.token, base_url=self.api_url) as bot:
                await bot.send_message(chat_id=self.chat_id, text=text_of(reference))

        asyncio.run(go())


@dataclass(frozen=True)
class Mail:
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    user: str = ""
    password: str = ""
    starttls: bool = True
    name: str = "smtp"

    def send(self, reference: str) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self.sender, ", ".join(self.to)
        message["Subject"] = f"URGENT report {reference}"
        message.set_content(text_of(reference))
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str
    name: str = "webhook"

    def send(self, reference: str) -> None:
        body = json.dumps({"reference": reference, "urgent": True}).encode()
        # The receiver can check that the alert came from this service: HMAC-SHA-256 of the body.
        signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Signature-SHA256": signature})
        with urllib.request.urlopen(request, timeout=20) as answer:
            if not 200 <= answer.status < 300:
                raise OSError(f"webhook answered {answer.status}")


def configured(env) -> list:
    """The alert channels this deployment configured; none when nothing is set."""
    channels: list = []
    if env.get("BOT_ALERT_TELEGRAM_CHAT_ID") and env.get("TELEGRAM_BOT_TOKEN"):
        channels.append(TelegramChat(env["TELEGRAM_BOT_TOKEN"], env["BOT_ALERT_TELEGRAM_CHAT_ID"],
                                     env.get("TELEGRAM_BOT_API_URL") or "https://api.telegram.org/bot"))
    if env.get("BOT_ALERT_SMTP_HOST") and env.get("BOT_ALERT_SMTP_TO"):
        channels.append(Mail(env["BOT_ALERT_SMTP_HOST"], int(env.get("BOT_ALERT_SMTP_PORT") or 587),
                             env.get("BOT_ALERT_SMTP_FROM") or "alerts@localhost",
                             tuple(a.strip() for a in env["BOT_ALERT_SMTP_TO"].split(",") if a.strip()),
                             env.get("BOT_ALERT_SMTP_USER") or "", env.get("BOT_ALERT_SMTP_PASSWORD") or "",
                             (env.get("BOT_ALERT_SMTP_STARTTLS") or "1") not in ("0", "false", "no")))
    if env.get("BOT_ALERT_WEBHOOK_URL"):
        url = env["BOT_ALERT_WEBHOOK_URL"].strip()
        # Security decision: https://, or plain http:// to this machine only; no file: or other scheme.
        if not (url.startswith("https://") or url.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:"))):
            raise ValueError("BOT_ALERT_WEBHOOK_URL must be https://, or http:// to loopback")
        channels.append(Webhook(url, env.get("BOT_ALERT_WEBHOOK_SECRET") or ""))
    return channels
