"""The ``bot`` command: setup, reviewer keys, review, and a terminal chat."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from pathlib import Path

from bot.config import Settings
from bot.reports import reviewer_keys


def _passphrase(args, confirm: bool = False) -> str:
    """From --passphrase-file, BOT_REVIEWER_PASSPHRASE_FILE, BOT_REVIEWER_PASSPHRASE, or a prompt."""
    path = getattr(args, "passphrase_file", None) or os.environ.get("BOT_REVIEWER_PASSPHRASE_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    if os.environ.get("BOT_REVIEWER_PASSPHRASE"):
        return os.environ["BOT_REVIEWER_PASSPHRASE"]
    if not sys.stdin.isatty():
        sys.exit("No passphrase: set BOT_REVIEWER_PASSPHRASE_FILE (or BOT_REVIEWER_PASSPHRASE), "
                 "or run in a terminal to be asked.")
    first = getpass.getpass("Reviewer key passphrase: ")
    if confirm and getpass.getpass("Again: ") != first:
        sys.exit("The passphrases differ; nothing was written.")
    return first


def cmd_check(args, settings: Settings) -> None:
    """The launcher's refusals, for servers started another way (systemd, compose): the encrypted
    tracker store loads from the endpoints file, a reviewer key may seal, the directory is verified."""
    from bot import launcher

    try:
        launcher.check_before_start(dict(os.environ), Path(args.endpoints))
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print("ready to start: encrypted conversation state, reviewer keys and referral directory checked")


def cmd_setup(args, settings: Settings) -> None:
    from bot.reports.store import ReportStore
    from bot.state import server_keys

    ReportStore(settings.database_url)
    if not (os.environ.get("BOT_STATE_KEYS") and os.environ.get("BOT_ID_KEY")):
        path = server_keys.secrets_file()
        if server_keys.ensure_file(path):
            print(f"Made server secrets (conversation-state and id keys) in {path} (mode 600).\n"
                  "  In production, give BOT_STATE_KEYS and BOT_ID_KEY from your secret store instead.")
    print(f"Database ready: {settings.database_url.split('///')[-1] if settings.database_url.startswith('sqlite') else 'configured server'}")
    real = [k for k in reviewer_keys.public_keys_in(settings.reviewer_keys_dir) if not k.trial]
    if settings.trial_mode and not real and reviewer_keys.ensure_trial_pair(settings.trial_key_dir):
        print(f"No reviewer key configured: made a TRIAL reviewer key pair in {settings.trial_key_dir}.\n"
              "  Its passphrase lies beside it, so reports sealed to it are NOT protected.\n"
              "  For real use: `bot keys init` on a reviewer's machine (see README).")
    used = _used_keys(settings)  # the same decision the action server makes
    if used and not used[0].trial:
        print(f"Reports are sealed to {len(used)} reviewer key(s) in {settings.reviewer_keys_dir}.")
    elif used:
        print(f"Using the TRIAL reviewer key in {settings.trial_key_dir} (no real reviewer key configured).")
    elif not settings.trial_mode:
        print(f"No reviewer key in {settings.reviewer_keys_dir}: reports cannot be sent until one is added"
              " (bot keys init on a reviewer's machine, then bot keys add here; see README).\n"
              "  To try the assistant out with a trial key instead, set BOT_TRIAL_MODE=1 (./run does).")
    else:
        print(f"No reviewer key in {settings.reviewer_keys_dir}, and real keys were configured before:"
              " the trial key will not seal. Put the reviewer keys back (or fix BOT_REVIEWER_KEYS_DIR).")


def cmd_keys_init(args, settings: Settings) -> None:
    out = Path(args.out)
    passphrase = _passphrase(args, confirm=True)
    if len(passphrase) < 12:
        sys.exit("Choose a passphrase of at least 12 characters (several words are easiest).")
    key_path, pub_path = reviewer_keys.write_pair(out, args.name, passphrase, suite=args.suite)
    key = reviewer_keys.read_public(pub_path)
    print(f"Reviewer key pair made for {args.name!r} (key id {key.key_id}, {key.suite}).\n"
          f"  Private key (keep it on this machine, back it up): {key_path}\n"
          f"  Public key (copy it to the server's BOT_REVIEWER_KEYS_DIR): {pub_path}")


def _used_keys(settings: Settings) -> list:
    from bot.reports.sealing import SealError
    from bot.reports.store import ReportStore
    from bot.reports.submission import recipients_for

    try:
        return recipients_for(settings, ReportStore(settings.database_url))
    except SealError:
        return []


def _trail(settings: Settings):
    """The audit trail in the reports' database, with this machine's anchor beside the data."""
    from bot.reports.audit_trail import AuditTrail
    from bot.reports.store import ReportStore

    return AuditTrail(ReportStore(settings.database_url).engine, anchor=settings.data_dir / "audit-anchor")


def cmd_keys_list(args, settings: Settings) -> None:
    from bot.reports.review import shown

    real = reviewer_keys.public_keys_in(settings.reviewer_keys_dir)
    trial = reviewer_keys.public_keys_in(settings.trial_key_dir)
    used = _used_keys(settings)
    for k in real + trial:
        label = "TRIAL " if k.trial else ""
        state = "seals new reports" if k in used else "not used"
        print(f"{shown(k.key_id, 20)}  {label}{shown(k.name, 60)}  {shown(k.suite, 30)}  {state}")
    if not used:
        print("No reviewer key seals new reports: reports cannot be sent. Add one with `bot keys add`"
              " (see README), or set BOT_TRIAL_MODE=1 only to try the assistant out.")


def cmd_keys_add(args, settings: Settings) -> None:
    try:
        key = reviewer_keys.add_configured(settings.reviewer_keys_dir, settings.trial_key_dir, Path(args.public_key))
    except reviewer_keys.KeyFileError as exc:
        sys.exit(str(exc))
    _trail(settings).append("cli", "key_added", key.key_id, {"name": key.name})
    used = _used_keys(settings)
    print(f"Added reviewer key {key.key_id} ({key.name}). New reports are sealed to {len(used)} key(s);"
          " restart the action server to apply. Existing reports: `bot keys rewrap`.")


def cmd_keys_remove(args, settings: Settings) -> None:
    from bot.reports.store import ReportStore

    try:
        reviewer_keys.remove_configured(settings.reviewer_keys_dir, args.key_id)
    except reviewer_keys.KeyFileError as exc:
        sys.exit(str(exc))
    _trail(settings).append("cli", "key_removed", args.key_id[:16])
    print(f"Removed reviewer key {args.key_id}: new reports are no longer sealed to it"
          " (restart the action server to apply).")
    if args.revoke_existing:
        store = ReportStore(settings.database_url)
        kept, revoked = store.revoke(args.key_id)
        _trail(settings).append("cli", "key_access_revoked", args.key_id[:16], {"reports": revoked, "kept": kept})
        print(f"Revoked its access to {revoked} existing report(s); {kept} report(s) kept it because"
              " no other reviewer could open them (re-wrap them to another reviewer first).")
    else:
        print("It can still open reports sealed to it before; --revoke-existing destroys that access.")


def cmd_keys_rewrap(args, settings: Settings) -> None:
    from bot.reports.sealing import SealError, rewrap
    from bot.reports.store import ReportStore

    me = _reviewer_key(args, settings)
    new = reviewer_keys.read_public(Path(args.to))
    if new.trial:
        sys.exit("That is a TRIAL key: reports are never re-wrapped to it.")
    store = ReportStore(settings.database_url)
    added = skipped = failed = 0
    for row in store.all():
        sealed = row.sealed()
        if new.key_id in sealed.wrapped_keys or me.public_key().key_id not in sealed.wrapped_keys:
            skipped += 1
            continue
        try:
            suite, wrapped = rewrap(sealed, me, new)
        except SealError:
            failed += 1
            continue
        added += store.add_wrapped_key(row.id, new.key_id, suite, wrapped)
    _trail(settings).append("cli", "reports_rewrapped", new.key_id, {"reports": added, "by": me.public_key().key_id})
    print(f"Re-wrapped {added} report(s) for {new.name or new.key_id}; {skipped} skipped (already"
          f" theirs, or not openable with your key); {failed} could not be opened (damaged).")


def cmd_keys_rotate_state(args, settings: Settings) -> None:
    """Two steps, so that the running servers never meet a state sealed with a key they lack:
    first a new key (the servers, once restarted, seal with it and still open the old ones),
    then, after the restart, ``--reseal`` moves the remaining states to it."""
    from bot.state import server_keys
    from bot.state.conversation_state import ConversationStates

    if args.reseal:
        states = ConversationStates(settings.database_url, server_keys.load(), settings.pause_hours)
        count = states.reseal_all()
        print(f"{count} live conversation(s) re-sealed with the active key. Older keys can go once no"
              " state uses them.")
        return
    if os.environ.get("BOT_STATE_KEYS"):
        sys.exit("State keys come from BOT_STATE_KEYS: put a new 'id:key' first in that list (keep the old"
                 f" ones), restart the servers, then run `bot keys rotate-state --reseal`. A new key: {server_keys.new_key()}")
    path = server_keys.secrets_file()
    new_id = server_keys.rotate_file(path)
    # Nothing is re-sealed now: the running servers do not know the new key yet, and a live
    # conversation re-sealed with it would be locked out until they restart.
    print(f"New conversation-state key {new_id} in {path}. Restart the servers: they then seal with it and"
          " still open states sealed with older keys. After the restart, run"
          " `bot keys rotate-state --reseal` to re-seal the remaining states.")


def cmd_retention(args, settings: Settings) -> None:
    from bot.reports import retention
    from bot.reports.store import ReportStore

    days = settings.retention_days if args.days is None else args.days
    if days < retention.MIN_DAYS:
        sys.exit(f"Refused: a retention period under {retention.MIN_DAYS} days ({days}) would shred reports"
                 " reviewers may still need. Check BOT_RETENTION_DAYS or --days.")
    if days < settings.retention_days and not args.yes:
        # Shorter than the deployment's own period: a person confirms, cron never does this by accident.
        if not sys.stdin.isatty():
            sys.exit(f"--days {days} is shorter than BOT_RETENTION_DAYS ({settings.retention_days}): add --yes to confirm.")
        if input(f"Shred every report older than {days} days, shorter than the configured "
                 f"{settings.retention_days}? Type 'shred' to confirm: ").strip() != "shred":
            sys.exit("Nothing was shredded.")
    trail = _trail(settings)
    trail.append("cli", "retention_run", f"{days} days")
    shredded = retention.apply(ReportStore(settings.database_url), days, settings.data_dir / "audit.log", trail=trail)
    print(f"{len(shredded)} report(s) older than {days} days crypto-shredded"
          f"{': ' + ', '.join(shredded) if shredded else ''}. Audit: {settings.data_dir / 'audit.log'}")


def cmd_directory(args, settings: Settings) -> None:
    from bot.referrals import directory

    folder = Path(args.folder or settings.referrals_dir)
    loaded, problems = directory.load(folder, max_age_days=args.max_age_days)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(f"{len(problems)} problem(s) in {folder}; nothing was imported." if args.action == "import"
                 else f"{len(problems)} problem(s) in {folder}.")
    examples = sum(e.example for e in loaded.entries)
    print(f"{folder}: {len(loaded.entries)} entries in {len(loaded.emergency)} countries, all valid "
          f"({examples} marked as example or unverified).")
    if args.action == "import":
        count = directory.import_to_database(settings.database_url, loaded)
        print(f"Imported {count} entries into the database in one transaction; restart the action server to use them.")


def cmd_bench(args, settings: Settings) -> None:
    if args.what == "understanding":
        from bot import understanding_bench

        langs = [lang.strip() for lang in args.langs.split(",") if lang.strip()]
        print(f"Held-out answers through the real servers ({', '.join(langs)}), read back from the export:")
        understanding_bench.run(langs, limit=args.limit or None,
                                plot=Path(args.plot or "var/bench/understanding.png") if args.plot != "" else None,
                                out=Path(args.out) if args.out else None,
                                parts=tuple(p.strip() for p in args.sets.split(",") if p.strip()))
        return
    if args.what == "languages":
        from bot import language_bench

        print("First messages: which language they open in, on lingua's public test data (tests/langid):")
        language_bench.run(limit=args.limit or None, out=Path("var/bench/languages.json"),
                           plot=Path(args.plot or "var/bench/languages.png") if args.plot != "" else None)
        return
    if args.what == "console":
        from bot import console_bench

        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
        print(f"Review console with {', '.join(map(str, sizes))} sealed reports:")
        console_bench.run(sizes, out=Path("var/bench/console.json"),
                          plot=Path(args.plot or "var/bench/console.png") if args.plot != "" else None)
        return
    if args.what == "load":
        from bot import load_bench

        levels = tuple(int(s) for s in args.levels.split(",") if s.strip())
        print(f"Whole reports over REST, {', '.join(map(str, levels))} people at once, wirings {args.wirings}:")
        load_bench.run(levels, per_person=args.per_person, wirings=tuple(args.wirings.split(",")),
                       out=Path("var/bench/load.json"),
                       plot=Path(args.plot or "var/bench/load.png") if args.plot != "" else None)
        return
    if args.what == "soak":
        from bot import load_bench

        print(f"Soak: {args.conversations} whole reports through the real servers, memory read as it goes:")
        load_bench.soak(args.conversations, out=Path("var/bench/soak.json"),
                        plot=Path(args.plot or "var/bench/soak.png") if args.plot != "" else None)
        return
    if args.what == "nlu":
        from bot import nlu_bench

        print("Intents per language on the held-out examples (tests/nlu), with the trained model:")
        nlu_bench.run(out=Path("var/bench/nlu.json"),
                      plot=Path(args.plot or "var/bench/nlu.png") if args.plot != "" else None)
        return
    from bot import bench

    print("Referral matching benchmark (synthetic directories; same queries for every size):")
    bench.directory_benchmark(per_size=args.queries, plot=Path(args.plot or "var/bench/directory.png") if args.plot != "" else None)


def cmd_telegram(args, settings: Settings) -> None:
    from bot.channels import telegram_admin

    if args.action == "set-webhook":
        if not args.url:
            sys.exit("Give --url https://your.host/webhooks/telegram/webhook")
        telegram_admin.set_webhook(args.url)
        return
    port = os.environ.get("BOT_RASA_PORT", "5005")
    local = args.local_url or f"http://127.0.0.1:{port}/webhooks/telegram/webhook"
    print(f"Polling Telegram and handing updates to {local} (Ctrl-C to stop).", file=sys.stderr)
    try:
        count = telegram_admin.poll(local, once=args.once)
    except KeyboardInterrupt:
        return
    print(f"{count} update(s) handled.")


def _reviewer_key(args, settings: Settings):
    path = args.key or os.environ.get("BOT_REVIEWER_KEY")
    if not path:
        trial = settings.trial_key_dir / "trial-reviewer.key.json"
        if not trial.exists():
            sys.exit("Which key? Give --key FILE or set BOT_REVIEWER_KEY.")
        print("Opening with the TRIAL reviewer key (not for real reports).", file=sys.stderr)
        return reviewer_keys.read_private(trial, (settings.trial_key_dir / "PASSPHRASE").read_text().strip())
    try:
        return reviewer_keys.read_private(Path(path), _passphrase(args))
    except reviewer_keys.KeyFileError as exc:
        sys.exit(str(exc))


def cmd_review(args, settings: Settings) -> None:
    from bot.reports import review
    from bot.reports.store import ReportStore

    key = _reviewer_key(args, settings)
    store = ReportStore(settings.database_url)
    items = list(review.opened(store, key))
    _trail(settings).append(f"cli:{key.public_key().key_id}", "reports_opened", args.action,
                            {"reports": sum(1 for i in items if not isinstance(i, tuple))})
    if args.action == "list":
        for item in items:
            print(review.listing_line(item))
        print(f"{sum(1 for i in items if not isinstance(i, tuple))} report(s) opened.", file=sys.stderr)
        return
    opened_items = [i for i in items if not isinstance(i, tuple)]
    if args.format == "flat":
        rows = []
        for item in opened_items:
            try:
                row = item.htcds()
            except Exception:  # one report of an unexpected shape is named and skipped, never the end
                print(f"{review.shown_reference(item.reference)}: skipped, its fields cannot be exported.", file=sys.stderr)
                continue
            if not args.with_contact:
                row["x_ContactDetails"] = None  # contact details leave only when asked for
            rows.append(row)
        _emit(args, json.dumps(rows, ensure_ascii=False, indent=2) + "\n", len(rows))
        return
    from bot.reports import casework, htcds
    from bot.reports.exports import ExportRefused, write

    ids = {row.reference: row.id for row in store.all()}
    cases = casework.CaseBook(store).read_all(key)
    many = []
    for item in opened_items:
        try:
            many.append(htcds.records(item.report, item.reference, item.received_on,
                                      cases.get(ids.get(item.reference, "")), with_contact=args.with_contact))
        except Exception:
            print(f"{review.shown_reference(item.reference)}: skipped, its fields cannot be exported.", file=sys.stderr)
    tables = htcds.merged(many)
    if args.format == "csv":
        if not args.output:
            sys.exit("A CSV export is a folder of tables: give --output FOLDER.")
        try:
            target = write(Path(args.output), tables, "csv", {})
        except ExportRefused as exc:
            sys.exit(str(exc))
        print(f"{len(many)} report(s) written to {target}.", file=sys.stderr)
        return
    _emit(args, json.dumps({"standard": htcds.STANDARD, **tables}, ensure_ascii=False, indent=2) + "\n", len(many))


def _emit(args, text: str, count: int) -> None:
    if args.output:
        write_private(Path(args.output), text)
        print(f"{count} report(s) written to {args.output}.", file=sys.stderr)
    else:
        print(text, end="")


def cmd_review_audit(args, settings: Settings) -> None:
    from bot.reports.review import shown

    trail = _trail(settings)
    if args.audit_action == "show":
        for e in reversed(trail.entries(limit=args.limit)):
            print(f"{e.seq:>6}  {e.at}  {shown(e.actor, 64)}  {e.event}  {shown(e.subject, 80)}  {shown(e.detail, 200)}")
        return
    verdict = trail.verify()
    if not verdict.intact:
        for problem in verdict.problems:
            print(problem, file=sys.stderr)
        sys.exit(f"The audit trail was tampered with: {len(verdict.problems)} problem(s) in {verdict.entries} entries.")
    print(f"The audit trail is intact: {verdict.entries} entries, each chained to the one before"
          f" (anchor: {settings.data_dir / 'audit-anchor'}).")


def cmd_review_serve(args, settings: Settings) -> None:
    from bot.console.app import serve

    serve(settings, settings.console_dir, args.port)


def cmd_review_user(args, settings: Settings) -> None:
    from bot.console.accounts import AccountError, Accounts

    book = Accounts.load(settings.console_dir / "users.json")
    if args.user_action == "list":
        for a in sorted(book.accounts.values(), key=lambda a: a.name):
            print(f"{a.name}  {a.role}  {'disabled' if a.disabled else 'active'}  last visit: {a.last_visit or 'never'}")
        return
    if not args.name or (args.user_action != "add" and args.name not in book.accounts):
        sys.exit("Name an existing account." if args.name else "Name the account.")
    if args.user_action in ("disable", "enable"):
        book.set_disabled(args.name, args.user_action == "disable")
        print(f"{args.name} {args.user_action}d.")
        return
    if args.user_action == "second-factor":
        account = book.new_second_factor(args.name)
    else:
        if args.password_file:
            password = Path(args.password_file).read_text(encoding="utf-8").strip()
        else:
            password = getpass.getpass("First password (at least 12 characters): ")
            if password != getpass.getpass("Again: "):
                sys.exit("The two passwords differ.")
        key = str(Path(args.key).resolve()) if args.key else ""
        try:
            account = book.add(args.name, args.role, password, key)
        except AccountError as exc:
            sys.exit(str(exc))
    print(f"{account.name} ({account.role}). Add this second factor to an authenticator app; it is shown once:\n"
          f"  secret: {account.totp_secret}\n  link:   {account.totp_uri()}")


def write_private(target: Path, text: str) -> None:
    from bot.reports.exports import ExportRefused, write_private as write

    try:
        write(target, text)
    except ExportRefused as exc:
        sys.exit(str(exc))


def cmd_chat(args, settings: Settings) -> None:
    from bot.channels import terminal as terminal_chat

    if args.bidi:  # for a terminal that does not lay out right-to-left text itself
        os.environ["BOT_TERMINAL_BIDI"] = args.bidi
    terminal_chat.main(args.url)


def cmd_db(args, settings: Settings) -> None:
    from bot import database

    if args.action == "upgrade":
        database.upgrade(settings.database_url, args.revision or "head")
    else:
        # A downgrade names where it goes; "base" drops every table (every report) and is confirmed.
        if not args.revision:
            sys.exit("Name the revision to downgrade to (bot db downgrade 0003). 'base' drops every table.")
        if args.revision == "base" and not args.yes:
            sys.exit("Downgrading to 'base' drops every table and every report in it: add --yes to confirm.")
        database.downgrade(settings.database_url, args.revision)
    print(f"Database {args.action}d to {args.revision or ('head' if args.action == 'upgrade' else 'base')}.")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bot", description="The trafficking reporting assistant.")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("setup", help="create the database and, if no reviewer key exists, a trial key").set_defaults(func=cmd_setup)

    keys = sub.add_parser("keys", help="reviewer keys").add_subparsers(dest="keys_command", required=True)
    init = keys.add_parser("init", help="make a reviewer key pair (on the reviewer's machine)")
    init.add_argument("--name", required=True, help="the reviewer's name or role, e.g. focal-point-1")
    init.add_argument("--out", default="reviewer-keys", help="folder for the two key files")
    init.add_argument("--suite", default="mlkem768-x25519", choices=["mlkem768-x25519", "x25519"])
    init.add_argument("--passphrase-file")
    init.set_defaults(func=cmd_keys_init)
    keys.add_parser("list", help="the public keys new reports are sealed to").set_defaults(func=cmd_keys_list)
    add = keys.add_parser("add", help="seal new reports to one more reviewer")
    add.add_argument("public_key", help="the reviewer's NAME.pub.json")
    add.set_defaults(func=cmd_keys_add)
    remove = keys.add_parser("remove", help="stop sealing new reports to a reviewer")
    remove.add_argument("key_id")
    remove.add_argument("--revoke-existing", action="store_true",
                        help="also destroy this key's access to existing reports")
    remove.set_defaults(func=cmd_keys_remove)
    rw = keys.add_parser("rewrap", help="give a new reviewer access to the reports your key opens")
    rw.add_argument("--to", required=True, help="the new reviewer's NAME.pub.json")
    rw.add_argument("--key", help="your private key file (or BOT_REVIEWER_KEY)")
    rw.add_argument("--passphrase-file")
    rw.set_defaults(func=cmd_keys_rewrap)
    rot = keys.add_parser("rotate-state", help="new conversation-state key (then restart, then --reseal)")
    rot.add_argument("--reseal", action="store_true", help="after the restart: re-seal live states with the active key")
    rot.set_defaults(func=cmd_keys_rotate_state)

    ret = sub.add_parser("retention", help="crypto-shred reports older than the retention period")
    ret.add_argument("action", choices=["apply"])
    ret.add_argument("--days", type=int, help="default: BOT_RETENTION_DAYS (365); at least 30")
    ret.add_argument("--yes", action="store_true", help="confirm a period shorter than BOT_RETENTION_DAYS")
    ret.set_defaults(func=cmd_retention)

    rev = sub.add_parser("review", help="open sealed reports: the console, listing, export, console accounts")
    rsub = rev.add_subparsers(dest="action", required=True)
    for action, text in (("list", "list the reports your key opens"), ("export", "export them in HTCDS")):
        one = rsub.add_parser(action, help=text)
        one.add_argument("--key", help="private key file (or BOT_REVIEWER_KEY)")
        one.add_argument("--passphrase-file", help="or BOT_REVIEWER_PASSPHRASE_FILE / BOT_REVIEWER_PASSPHRASE")
        if action == "export":
            one.add_argument("--format", default="htcds", choices=["htcds", "csv", "flat"],
                             help="htcds: linked records in JSON (default); csv: a folder of CSV tables; "
                                  "flat: one row per report, for scripts")
            one.add_argument("--output", help="write the export here (mode 600) instead of stdout; a folder for csv")
            one.add_argument("--with-contact", action="store_true", help="include reporters' contact details")
        one.set_defaults(func=cmd_review)
    audit = rsub.add_parser("audit", help="the audit trail: verify its chain, or show its latest entries")
    audit.add_argument("audit_action", choices=["verify", "show"])
    audit.add_argument("--limit", type=int, default=50, help="show: how many entries, newest first")
    audit.set_defaults(func=cmd_review_audit)
    serve = rsub.add_parser("serve", help="the review console in your browser, on loopback")
    serve.add_argument("--port", type=int, default=int(os.environ.get("BOT_CONSOLE_PORT") or 8765))
    serve.set_defaults(func=cmd_review_serve)
    user = rsub.add_parser("user", help="console accounts (the first administrator or reviewer)")
    user.add_argument("user_action", choices=["add", "list", "disable", "enable", "second-factor"])
    user.add_argument("name", nargs="?")
    user.add_argument("--role", choices=["reviewer", "administrator"], default="reviewer")
    user.add_argument("--key", help="a reviewer's private key file on this machine")
    user.add_argument("--password-file", help="read the first password from this file (else asked)")
    user.set_defaults(func=cmd_review_user)

    directory = sub.add_parser("directory", help="the referral directory: validate, import")
    directory.add_argument("action", choices=["validate", "import"])
    directory.add_argument("folder", nargs="?", help="default: BOT_REFERRALS_DIR (data/referrals)")
    directory.add_argument("--max-age-days", type=int, default=365, help="entries verified longer ago are errors")
    directory.set_defaults(func=cmd_directory)

    bench = sub.add_parser("bench", help="benchmarks that print figures")
    bench.add_argument("what", choices=["directory", "understanding", "languages", "nlu", "console", "load", "soak"])
    bench.add_argument("--conversations", type=int, default=1000, help="soak: how many whole reports, in a row")
    bench.add_argument("--levels", default="1,10,50", help="load: how many conversations at once, step by step")
    bench.add_argument("--per-person", type=int, default=2, help="load: whole reports each simulated person sends")
    bench.add_argument("--wirings", default="stock,project,two-rasa",
                       help="load: stock Rasa, this project, this project with two Rasa servers and Redis")
    bench.add_argument("--sizes", default="100,500,2000", help="console: how many reports, step by step")
    bench.add_argument("--queries", type=int, default=300, help="directory: queries per directory size")
    bench.add_argument("--langs", default="en,fr,uk,ru,ar,pl,ro,es", help="understanding: the held-out sets to walk")
    bench.add_argument("--limit", type=int, default=0, help="understanding: at most this many conversations a language; languages: lines per language and kind")
    bench.add_argument("--sets", default="tried,second,third,fourth,fifth,sixth,seventh,eighth,unseen",
                       help="understanding: which held-out sets (tried, second, third, fourth, fifth, sixth, seventh, eighth, unseen; see tests/heldout/README.md)")
    bench.add_argument("--out", default="var/bench/understanding.json", help="understanding: figures and misses")
    bench.add_argument("--plot", default=None, help="where to draw the figures (default under var/bench; '' for none)")
    bench.set_defaults(func=cmd_bench)

    tg = sub.add_parser("telegram", help="Telegram: set the webhook, or poll without a public address")
    tg.add_argument("action", choices=["set-webhook", "poll"])
    tg.add_argument("--url", help="set-webhook: the public https:// address of /webhooks/telegram/webhook")
    tg.add_argument("--local-url", help="poll: the assistant's webhook (default: loopback, BOT_RASA_PORT)")
    tg.add_argument("--once", action="store_true", help="poll: handle what is waiting, then stop")
    tg.set_defaults(func=cmd_telegram)

    chat = sub.add_parser("chat", help="talk to a running assistant in this terminal")
    chat.add_argument("--url", default="http://127.0.0.1:5005")
    chat.add_argument("--bidi", choices=["visual", "logical"], default=None,
                      help="right-to-left text: 'visual' reorders it for a terminal without bidirectional layout")
    chat.set_defaults(func=cmd_chat)

    check = sub.add_parser("check", help="what must hold before a server starts (a service's ExecStartPre)")
    check.add_argument("--endpoints", default="endpoints.yml", help="the endpoints file the Rasa server will use")
    check.set_defaults(func=cmd_check)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    db.add_argument("--yes", action="store_true", help="confirm a downgrade to base (drops every table)")
    db.set_defaults(func=cmd_db)
    return p


def main(argv: list[str] | None = None) -> None:
    os.umask(0o077)  # keys, the database, exports and logs this command writes: the owner's only
    args = parser().parse_args(argv)
    args.func(args, Settings.from_env())


if __name__ == "__main__":
    main()
