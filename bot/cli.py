"""The ``bot`` command: setup, reviewer keys, review, and a terminal chat."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from bot import reviewer_keys
from bot.config import Settings


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


def cmd_setup(args, settings: Settings) -> None:
    from bot import server_keys
    from bot.store import ReportStore

    ReportStore(settings.database_url)
    if not (os.environ.get("BOT_STATE_KEYS") and os.environ.get("BOT_ID_KEY")):
        path = server_keys.secrets_file()
        if server_keys.ensure_file(path):
            print(f"Made server secrets (conversation-state and id keys) in {path} (mode 600).\n"
                  "  In production, give BOT_STATE_KEYS and BOT_ID_KEY from your secret store instead.")
    print(f"Database ready: {settings.database_url.split('///')[-1] if settings.database_url.startswith('sqlite') else 'configured server'}")
    real = [k for k in reviewer_keys.public_keys_in(settings.reviewer_keys_dir) if not k.trial]
    if real:
        print(f"Reports are sealed to {len(real)} reviewer key(s) in {settings.reviewer_keys_dir}.")
    elif reviewer_keys.ensure_trial_pair(settings.trial_key_dir):
        print(f"No reviewer key configured: made a TRIAL reviewer key pair in {settings.trial_key_dir}.\n"
              "  Its passphrase lies beside it, so reports sealed to it are NOT protected.\n"
              "  For real use: `bot keys init` on a reviewer's machine (see README).")
    else:
        print(f"Using the TRIAL reviewer key in {settings.trial_key_dir} (no real reviewer key configured).")


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


def cmd_keys_list(args, settings: Settings) -> None:
    real = reviewer_keys.public_keys_in(settings.reviewer_keys_dir)
    trial = reviewer_keys.public_keys_in(settings.trial_key_dir)
    used = reviewer_keys.recipients(settings.reviewer_keys_dir, settings.trial_key_dir) if (real or trial) else []
    for k in real + trial:
        label = "TRIAL " if k.trial else ""
        state = "seals new reports" if k in used else "not used"
        print(f"{k.key_id}  {label}{k.name}  {k.suite}  {state}")
    if not used:
        print("No reviewer key is configured: run `bot setup` or `bot keys init`.")


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
    from bot import review
    from bot.store import ReportStore

    key = _reviewer_key(args, settings)
    store = ReportStore(settings.database_url)
    items = list(review.opened(store, key))
    if args.action == "list":
        for item in items:
            if isinstance(item, tuple):
                print(f"{item[0]}  (cannot open: {item[1]})")
                continue
            r = item.report
            urgent = "URGENT " if r.get("urgent") else ""
            text = (r["answers"].get("narrative") or "").replace("\n", " ")
            print(f"{item.reference}  {item.received_on}  {urgent}{r['kind']}  [{r['language']}]  {text[:60]}")
        print(f"{sum(1 for i in items if not isinstance(i, tuple))} report(s) opened.", file=sys.stderr)
        return
    exported = [i.htcds() for i in items if not isinstance(i, tuple)]
    text = json.dumps(exported, ensure_ascii=False, indent=2)
    if args.output:
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        print(f"{len(exported)} report(s) written to {args.output}.", file=sys.stderr)
    else:
        print(text)


def cmd_chat(args, settings: Settings) -> None:
    from bot import terminal_chat

    terminal_chat.main(args.url)


def cmd_db(args, settings: Settings) -> None:
    from bot import database

    if args.action == "upgrade":
        database.upgrade(settings.database_url, args.revision or "head")
    else:
        database.downgrade(settings.database_url, args.revision or "base")
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

    rev = sub.add_parser("review", help="open sealed reports with a reviewer key")
    rev.add_argument("action", choices=["list", "export"])
    rev.add_argument("--key", help="private key file (or BOT_REVIEWER_KEY)")
    rev.add_argument("--passphrase-file", help="or BOT_REVIEWER_PASSPHRASE_FILE / BOT_REVIEWER_PASSPHRASE")
    rev.add_argument("--format", default="json", choices=["json"])
    rev.add_argument("--output", help="write the export to this file (mode 600) instead of stdout")
    rev.set_defaults(func=cmd_review)

    chat = sub.add_parser("chat", help="talk to a running assistant in this terminal")
    chat.add_argument("--url", default="http://127.0.0.1:5005")
    chat.set_defaults(func=cmd_chat)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    db.set_defaults(func=cmd_db)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(args, Settings.from_env())


if __name__ == "__main__":
    main()
