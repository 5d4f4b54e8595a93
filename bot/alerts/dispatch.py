"""Delivering urgent alerts from the outbox: now, when a report is stored, and again every few
seconds for those that failed, in a background thread of the action server."""
from __future__ import annotations

import logging
import os
import threading

from bot.config import Settings
from bot.reports.alert_outbox import Outbox
from bot.reports.store import ReportStore

from bot.alerts.senders import configured

logger = logging.getLogger(__name__)
RETRY_EVERY = 5.0  # seconds between looks at the outbox


def deliver_due(outbox: Outbox, channels: list) -> int:
    """Send every alert due now that this process could claim; returns how many were delivered."""
    by_name = {c.name: c for c in channels}
    sent = 0
    for reference, name in outbox.claim_due():
        channel = by_name.get(name)
        if channel is None:  # the channel was configured when the alert was queued, and is gone now
            outbox.failed(reference, name, "ChannelNotConfigured")
            continue
        try:
            channel.send(reference)
        except Exception as exc:  # any failure: tried again later; logged by kind, never by content
            outbox.failed(reference, name, type(exc).__name__)
            logger.warning("urgent alert not delivered on %s (%s); it will be tried again", name, type(exc).__name__)
            continue
        outbox.delivered(reference, name)
        sent += 1
    return sent


class Dispatcher:
    """One per action-server process: queues alerts for urgent reports and delivers them."""

    def __init__(self, settings: Settings, env=None):
        self.channels = configured(os.environ if env is None else env)
        self.outbox = Outbox(ReportStore(settings.database_url).engine)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.channels)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """What a submission queues an urgent report's alerts on (in the report's transaction)."""
        return tuple(c.name for c in self.channels)

    def wake(self) -> None:
        """Deliver what was just queued, now, in the background: the person's turn never waits
        for a mail server."""
        if self.enabled:
            self.start()
            self._wake.set()

    def start(self) -> None:
        if self.enabled and (self._thread is None or not self._thread.is_alive()):
            self._thread = threading.Thread(target=self._run, name="urgent-alerts", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                deliver_due(self.outbox, self.channels)
            except Exception as exc:  # the database is down: look again later
                logger.warning("urgent alerts: the outbox could not be read (%s)", type(exc).__name__)
            self._wake.wait(RETRY_EVERY)
            self._wake.clear()
