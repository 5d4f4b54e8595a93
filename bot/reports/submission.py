"""Submitting a report: build it from the conversation, seal it to the reviewers, store it once."""
from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any, Iterable

from sqlalchemy.exc import InterfaceError, OperationalError

from bot.config import Settings
from bot.reports import follow_up, report, reviewer_keys, sealing
from bot.reports.store import Receipt, ReportStore
from bot.vocabulary.text import clean_text

logger = logging.getLogger(__name__)
_stores: dict[str, ReportStore] = {}


def store_for(settings: Settings) -> ReportStore:
    if settings.database_url not in _stores:
        _stores[settings.database_url] = ReportStore(settings.database_url)
    return _stores[settings.database_url]


WITHDRAWN = "(withdrawn by the person before sending)"
_COMMAND = re.compile(r"^/([a-z_]{1,40})(?:\{.{0,200}\})?$")


def transcript(events: Iterable[dict], withdrawn: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The conversation as the person and the assistant wrote it, for the reviewer, without the
    answers the person took back: only what the person approved is sealed."""
    gone = sorted({clean_text(w) for w in withdrawn if isinstance(w, str) and w.strip()}, key=len, reverse=True)
    lines = []
    pressed: dict[str, str] = {}  # payload -> label of every button the assistant offered so far
    for e in events:
        if e.get("event") == "bot":
            buttons = (e.get("data") or {}).get("buttons") if isinstance(e.get("data"), dict) else None
            for b in buttons or ():
                if isinstance(b, dict) and isinstance(b.get("payload"), str) and isinstance(b.get("title"), str):
                    pressed[b["payload"]] = b["title"]
        text = e.get("text") if isinstance(e.get("text"), str) else ""
        if e.get("event") == "user" and (text in pressed or _COMMAND.match(text)):
            # A button press is kept as the label the person pressed, not the command it sent; a
            # command no button offered (a client's own) by its name.
            label = pressed.get(text) or _COMMAND.match(text).group(1).replace("_", " ")
            lines.append({"from": "person", "text": clean_text(label), "pressed": True, "at": e.get("timestamp")})
            continue
        if e.get("event") in ("user", "bot") and isinstance(e.get("text"), str) and e["text"]:
            # Cleaned and bounded as every answer is: no zero-width or direction characters that
            # could hide or reorder words on the reviewer's screen, and no more than the person
            # was told is kept.
            text = clean_text(e["text"])
            if e["event"] == "user" and text in gone:
                lines.append({"from": "person", "text": WITHDRAWN, "withdrawn": True, "at": e.get("timestamp")})
                continue
            for words in gone:  # an earlier summary that repeated a withdrawn answer
                text = text.replace(words, WITHDRAWN)
            lines.append({"from": "person" if e["event"] == "user" else "assistant", "text": text,
                          "at": e.get("timestamp")})
    return lines


def submit_report(settings: Settings, slots: dict[str, Any], lang: str, events: Iterable[dict],
                  directory=None, alert_channels: tuple[str, ...] = (), outbox=None) -> Receipt:
    """Build, seal and store the report once. An urgent one (danger now, minors, exploitation going
    on) is stored with an alert queued on each of ``alert_channels``, in the same transaction.

    With an ``outbox`` (``report_outbox.ReportOutbox``), a database that cannot be written does
    not lose the report: it is sealed, given its reference and held until the database is back."""
    report.check(slots)  # consent and every answer's type, whoever called
    if outbox is not None:
        held = outbox.pending(slots["draft_id"])
        if held:  # confirmed again before the outbox was flushed: the same report, the same reference
            return held
    store = store_for(settings) if outbox is None else _store_or_none(settings)
    recipients = recipients_for(settings, store) if store is not None else recipients_offline(settings)
    trial = all(k.trial for k in recipients)
    built = report.build(slots, lang, transcript(events, slots.get("withdrawn") or ()), directory)
    if trial:
        built["sealed_to_trial_key"] = True  # marked inside the report, for every reviewer to see

    # The follow-up code goes to the person and, inside the seal, to the reviewers (who write what
    # the person may read later under a key only the code gives); the server keeps a hash of it.
    code = follow_up.new_code()

    def seal(report_id: str, reference: str, received_on: str) -> sealing.Sealed:
        # The plaintext exists only in this process's memory, between build and seal.
        return sealing.seal(report_id, report.to_bytes({**built, "reference": reference, "follow_up_code": code}),
                            recipients, reference, received_on)

    urgent = bool(built["urgent"] or built["minor"] or built["answers"].get("stage") == "Exploitation")
    channels = tuple(alert_channels) if urgent else ()
    try:
        if store is None:
            raise OperationalError("connect", {}, ConnectionError("the database is unavailable"))
        receipt = store.submit(slots["draft_id"], seal, channels, follow_up_code=code)
    except (OperationalError, InterfaceError):
        if outbox is None:
            raise
        # The database is down (not a refused report): hold it sealed, store it once it is back.
        logger.warning("the database is unavailable: a sealed report is held in the outbox")
        receipt = outbox.hold(slots["draft_id"], seal, channels, follow_up_code=code)
    if trial and receipt.created:
        # Loud, and without content: a deployment that forgot its reviewer keys must hear of it.
        logger.warning("REPORT SEALED TO THE TRIAL KEY: its passphrase is on this server, so the report is NOT "
                       "protected. Trial mode is for trying the assistant out; configure reviewer keys "
                       "(bot keys init / bot keys add) before real use.")
    return dataclasses.replace(receipt, trial=trial)


def _store_or_none(settings: Settings) -> ReportStore | None:
    try:
        return store_for(settings)
    except (OperationalError, InterfaceError):
        return None


def recipients_offline(settings: Settings) -> list[sealing.PublicKey]:
    """The recipients when the database cannot be read. Outside trial mode they never depend on
    it; in trial mode, whether a real key was ever used is read from the database, so without it
    nothing is sealed to the trial key (fails closed)."""
    if settings.trial_mode and not reviewer_keys.real_keys_noted(settings.trial_key_dir):
        raise OperationalError("recipients", {}, ConnectionError("trial mode needs the database to choose keys"))
    return reviewer_keys.recipients(settings.reviewer_keys_dir, settings.trial_key_dir, settings.trial_mode,
                                    real_keys_seen=False)


def recipients_for(settings: Settings, store: ReportStore) -> list[sealing.PublicKey]:
    """Who new reports are sealed to; refuses the trial key once any report went to a real key."""
    seen = False
    if settings.trial_mode and not reviewer_keys.real_keys_noted(settings.trial_key_dir):
        trial_ids = {k.key_id for k in reviewer_keys.public_keys_in(settings.trial_key_dir)}
        seen = bool(store.key_ids() - trial_ids)
    return reviewer_keys.recipients(settings.reviewer_keys_dir, settings.trial_key_dir,
                                    settings.trial_mode, real_keys_seen=seen)
