"""The review console's web pages, served on loopback by ``bot review serve``.

Security decisions, each beside the code that makes it:
- loopback only, and only requests whose Host names this console (no DNS rebinding from a page
  the reviewer visits);
- every change is a POST carrying the session's CSRF token, from this console's own origin;
- strict headers: a CSP with nothing third-party and no script, no framing, no referrer, no cache;
- a reviewer's private key is unlocked per session, in memory only;
- an administrator opens no report (403), a reviewer manages no account (403);
- a reference that is not one of the reports this key opened is answered as "not found", whether
  or not it exists: the console is no oracle for report references.
"""
from __future__ import annotations

import functools
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound, SanicException

from bot import http_guard  # noqa: F401  (Sanic's request framing checked before any body is read)
from bot.config import Settings
from bot.console import report_view
from bot.console.accounts import ADMINISTRATOR, REVIEWER, Accounts, AccountError, Throttle
from bot.console.caseload import Caseload
from bot.console.sessions import Session, Sessions
from bot.reports import casework, insights, retention, reviewer_keys
from bot.reports.casework import CaseWorkError
from bot.reports.exports import ExportRefused, stamp as exports_stamp, write_private
from bot.reports.review import REFERENCE
from bot.reports.triage import Filters, queue

HERE = Path(__file__).resolve().parent
logger = logging.getLogger(__name__)
COOKIE = "console_session"
LOGIN_COOKIE = "console_login"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with every form,
    # and the origin check below could no longer tell the console's own forms from a stranger's.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), clipboard-read=()",
}
KINDS = {"incident_report": "Incident report", "third_party_concern": "Concern about someone",
         "help_request": "Request for help"}
STATUS_LABELS = {"New": "New", "Active": "Active", "FollowUp": "Follow-up", "Closed": "Closed",
                 "ClosedReferred": "Closed, referred"}


@dataclass
class Console:
    settings: Settings
    accounts: Accounts
    console_dir: Path
    sessions: Sessions = field(default_factory=Sessions)
    throttle: Throttle = field(default_factory=Throttle)
    caseload: Caseload | None = None
    k: int = insights.K  # insights hide every group smaller than this

    def __post_init__(self):
        if self.caseload is None:
            self.caseload = Caseload.for_settings(self.settings)

    @property
    def exports_dir(self) -> Path:
        return self.console_dir / "exports"


def make_app(console: Console, port: int, name: str = "review_console") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 256 * 1024  # forms only: a comment is a few kilobytes
    app.config.KEEP_ALIVE_TIMEOUT = 5
    app.ctx.console = console
    allowed_hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    templates = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                            autoescape=select_autoescape(default=True, default_for_string=True))
    templates.globals.update(kinds=KINDS, status_labels=STATUS_LABELS, statuses=casework.STATUSES,
                             referral_reasons=casework.REFERRAL_REASONS)

    def page(request, template: str, status: int = 200, **values: Any):
        session = request.ctx.session
        body = templates.get_template(template).render(session=session, csrf=session.csrf if session else "",
                                                       **values)
        return response.html(body, status=status)

    def session_cookie(resp, token: str, max_age: int | None = None):
        resp.cookies[COOKIE] = token
        cookie = resp.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        if max_age is not None:
            cookie["max-age"] = max_age
        return resp

    @app.middleware("request")
    async def guard(request):
        request.ctx.session = None
        # Security decision: only requests addressed to this console by name are served, so a
        # web page that rebinds its own domain to 127.0.0.1 cannot read the console.
        if request.headers.get("host", "") not in allowed_hosts:
            return response.text("Unknown host.", status=421)
        request.ctx.session = console.sessions.get(request.cookies.get(COOKIE))
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > app.config.REQUEST_MAX_SIZE:
            # Sanic runs this middleware even for a body it refused as too large: say so plainly.
            return response.text("This request is too large for the console.", status=413)
        if request.method == "POST":
            # Security decision: changes come from this console's own pages only: same origin (when
            # the browser says), and the session's (or the login form's) CSRF token.
            origin = request.headers.get("origin")
            if origin is not None and origin.removeprefix("http://") not in allowed_hosts:
                return response.text("Cross-origin request refused.", status=403)
            site = request.headers.get("sec-fetch-site")
            if site is not None and site not in ("same-origin", "none"):
                return response.text("Cross-site request refused.", status=403)
            sent = (request.form.get("csrf") if request.form else None) or ""
            if request.path == "/login":
                expected = request.cookies.get(LOGIN_COOKIE) or ""
            else:
                expected = request.ctx.session.csrf if request.ctx.session else ""
            if not expected or not secrets.compare_digest(sent, expected):
                return response.text("This form has expired. Go back, reload the page and try again.", status=403)

    @app.middleware("response")
    async def headers(request, resp):
        for key, value in HEADERS.items():
            resp.headers[key] = value

    def need(request, role: str):
        """The session when it may see this page; otherwise the answer to send instead."""
        session = request.ctx.session
        if session is None:
            return None, response.redirect("/login")
        if session.role != role:
            # Security decision: the roles do not overlap. An administrator never opens a report.
            return None, page(request, "error.html", status=403, title="Not for this account",
                              message="This page is not open to your role.")
        return session, None

    def only(role: str, key: bool = False):
        """The handler runs for a signed-in account of ``role`` only (with the key unlocked in this
        session when ``key``), and gets its session."""
        def wrap(handler):
            @functools.wraps(handler)
            async def guarded(request, *args, **kwargs):
                session, refused = need(request, role)
                if refused:
                    return refused
                if key and session.key is None:
                    return response.redirect("/unlock")
                return await handler(request, session, *args, **kwargs)
            return guarded
        return wrap

    unlocked = only(REVIEWER, key=True)

    # ------------------------------------------------------------------ login, unlock, logout

    @app.get("/")
    async def home(request):
        session = request.ctx.session
        if session is None:
            return response.redirect("/login")
        return response.redirect("/admin" if session.role == ADMINISTRATOR else "/queue")

    @app.get("/login")
    async def login_form(request):
        token = secrets.token_urlsafe(32)
        resp = page(request, "login.html", login_csrf=token, problem="")
        resp.cookies[LOGIN_COOKIE] = token
        for k, v in (("httponly", True), ("samesite", "Strict"), ("path", "/login")):
            resp.cookies[LOGIN_COOKIE][k] = v
        return resp

    @app.post("/login")
    async def login(request):
        name = (request.form.get("name") or "").strip()[:64]
        wait = console.throttle.wait(name)
        if wait:
            return page(request, "login.html", status=429, login_csrf=request.cookies.get(LOGIN_COOKIE),
                        problem=f"Too many attempts. Try again in {max(1, wait // 60)} minute(s).")
        account = console.accounts.check(name, request.form.get("password") or "", request.form.get("code") or "")
        if account is None:
            console.throttle.failed(name)
            # Only an account's own name is recorded: a password typed into the name field is not.
            known = name in console.accounts.accounts
            console.caseload.trail.append(name if known else "(unknown name)", "sign_in_refused")
            return page(request, "login.html", status=401, login_csrf=request.cookies.get(LOGIN_COOKIE),
                        problem="The name, password or code is not right. A code works once: wait for the next one.")
        session = console.sessions.start(account.name, account.role, account.last_visit)
        console.caseload.trail.append(account.name, "sign_in", account.role)
        target = "/admin" if account.role == ADMINISTRATOR else "/unlock"
        resp = session_cookie(response.redirect(target, status=303), session.token)
        resp.cookies[LOGIN_COOKIE] = ""
        resp.cookies[LOGIN_COOKIE]["max-age"] = 0
        resp.cookies[LOGIN_COOKIE]["path"] = "/login"
        return resp

    @app.post("/logout")
    async def logout(request):
        if request.ctx.session:
            console.sessions.end(request.ctx.session.token)
            console.caseload.trail.append(request.ctx.session.name, "sign_out")
        resp = response.redirect("/login", status=303)
        return session_cookie(resp, "", max_age=0)

    @app.get("/unlock")
    @only(REVIEWER)
    async def unlock_form(request, session):
        return page(request, "unlock.html", problem="")

    @app.post("/unlock")
    @only(REVIEWER)
    async def unlock(request, session):
        wait = console.throttle.wait(session.name)
        if wait:
            return page(request, "unlock.html", status=429, problem=f"Too many attempts. Try again in {max(1, wait // 60)} minute(s).")
        account = console.accounts.accounts.get(session.name)
        try:
            key = reviewer_keys.read_private(Path(account.key_file), request.form.get("passphrase") or "")
        except (reviewer_keys.KeyFileError, OSError):
            console.throttle.failed(session.name)
            return page(request, "unlock.html", status=401,
                        problem="The key could not be unlocked: the passphrase is not right, or the key file is missing.")
        session.key = key
        console.caseload.trail.append(session.name, "key_unlocked", key.public_key().key_id)
        session.opened, session.failed = console.caseload.open_all(key, session.previous_visit)
        console.accounts.visited(session.name, datetime.now(timezone.utc).isoformat(timespec="seconds"))
        return response.redirect("/queue", status=303)

    # ------------------------------------------------------------------ the queue

    def filters_from(args) -> Filters:
        def flag(name):
            return args.get(name) in ("1", "on", "yes")
        return Filters(status=(args.get("status") or "open")[:20], kind=(args.get("kind") or "")[:40],
                       language=(args.get("language") or "")[:5], country=(args.get("country") or "")[:2].upper(),
                       urgent_only=flag("urgent"), minors_only=flag("minors"), new_only=flag("new"),
                       owner=(args.get("owner") or "")[:64], search=(args.get("q") or "")[:200])

    @app.get("/queue")
    @unlocked
    async def queue_page(request, session):
        filters = filters_from(request.args)
        items = queue(session.opened.values(), filters)
        everything = list(session.opened.values())
        return page(request, "queue.html", items=items, filters=filters, total=len(everything),
                    new_count=sum(1 for i in everything if i.new),
                    languages=sorted({str(i.report.get("language")) for i in everything if i.report.get("language")}),
                    countries=sorted({str(i.derived.get("country")) for i in everything if i.derived.get("country")}),
                    failed=session.failed)

    # ------------------------------------------------------------------ one report

    def item_of(session: Session, reference: str):
        # Security decision: only the reports this key opened are found, so a guessed reference
        # that exists but is not for this reviewer gets the same "not found" as one that does not.
        if not REFERENCE.match(reference or ""):
            return None
        return session.opened.get(reference)

    def not_found(request):
        return page(request, "error.html", status=404, title="Report not found",
                    message="No report with this reference is open to you.")

    @app.get("/reports/<reference>")
    @unlocked
    async def report_page(request, session, reference: str):
        item = item_of(session, reference)
        if item is None:
            return not_found(request)
        console.caseload.trail.append(session.name, "report_opened", item.reference)
        return page(request, "report.html", item=item, rows=report_view.rows(item.report),
                    lines=report_view.transcript(item.report), problem=request.args.get("problem", ""),
                    done=request.args.get("done", ""), today=datetime.now(timezone.utc).date().isoformat())

    @app.post("/reports/<reference>/<what>")
    @unlocked
    async def case_work(request, session, reference: str, what: str):
        item = item_of(session, reference)
        if item is None:
            return not_found(request)
        form = request.form
        try:
            if what == "status":
                console.caseload.write(item, session.key, "status", session.name, status=form.get("status"),
                                       reason=form.get("reason") or "")
            elif what == "owner":
                console.caseload.write(item, session.key, "owner", session.name, owner=form.get("owner") or "")
            elif what == "comment":
                console.caseload.write(item, session.key, "comment", session.name, text=form.get("text"))
            elif what == "referral":
                console.caseload.write(item, session.key, "referral", session.name,
                                       organisation=form.get("organisation"), date=form.get("date"),
                                       reason=form.get("reason"), details=form.get("details") or "")
            elif what in ("link", "unlink"):
                other = item_of(session, (form.get("reference") or "").strip().upper())
                if other is None or other is item:
                    raise CaseWorkError("link to another report open to you, by its reference")
                console.caseload.write(item, session.key, what, session.name, reference=other.reference)
                console.caseload.write(other, session.key, what, session.name, reference=item.reference)
            elif what == "reply":
                console.caseload.write(item, session.key, "reply", session.name, text=form.get("text"))
            elif what == "export":
                return await export_items(request, session, [item])
            else:
                return not_found(request)
        except CaseWorkError as exc:
            return page(request, "report.html", status=400, item=item, rows=report_view.rows(item.report),
                        lines=report_view.transcript(item.report), problem=str(exc), done="",
                        today=datetime.now(timezone.utc).date().isoformat())
        return response.redirect(f"/reports/{item.reference}?done={what}#case", status=303)

    # ------------------------------------------------------------------ insights

    @app.get("/insights")
    @unlocked
    async def insights_page(request, session):
        console.caseload.trail.append(session.name, "insights_viewed")
        found = insights.tables(((i.report, i.received_on) for i in session.opened.values()), k=console.k)
        return page(request, "insights.html", tables=found, k=console.k, done=request.args.get("done", ""))

    @app.post("/insights/export")
    @unlocked
    async def insights_export(request, session):
        import csv
        import io
        import json as json_mod

        found = insights.tables(((i.report, i.received_on) for i in session.opened.values()), k=console.k)
        rows = insights.rows(found)
        fmt = "csv" if request.form.get("format") == "csv" else "json"
        console.caseload.trail.append(session.name, "insights_exported", f"{len(rows)} rows", {"format": fmt, "k": console.k})
        console.exports_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = console.exports_dir / f"insights-{exports_stamp()}.{fmt}"
        if fmt == "json":
            text = json_mod.dumps({"k": console.k, "rows": rows}, ensure_ascii=False, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(["table", "value", "reports"])
            writer.writerows([[r["table"], r["value"], "" if r["reports"] is None else r["reports"]] for r in rows])
            text = buffer.getvalue()
        write_private(target, text)
        return page(request, "exported.html", target=str(target), count=len(rows), fmt=fmt, with_contact=False,
                    insights=True)

    # ------------------------------------------------------------------ exports

    async def export_items(request, session: Session, items: list):
        fmt = request.form.get("format") if request.form.get("format") in ("json", "csv") else "json"
        with_contact = request.form.get("with_contact") == "on"
        if not items:
            return page(request, "error.html", status=400, title="Nothing to export",
                        message="No report was chosen for the export.")
        try:
            target = console.caseload.export(items, session.key, session.name, fmt, with_contact, console.exports_dir)
        except (ExportRefused, OSError) as exc:
            return page(request, "error.html", status=500, title="The export was not written", message=str(exc))
        return page(request, "exported.html", target=str(target), count=len(items), fmt=fmt,
                    with_contact=with_contact)

    @app.post("/export")
    @unlocked
    async def export_selection(request, session):
        if request.form.get("scope") == "filter":
            items = queue(session.opened.values(), filters_from(request.form))
        else:
            items = [i for i in (item_of(session, r) for r in request.form.getlist("reference") or []) if i]
        return await export_items(request, session, items)

    # ------------------------------------------------------------------ administration

    def admin_page(request, status: int = 200, **extra):
        directory_summary = None
        try:
            from bot.referrals import directory as directory_mod
            loaded, problems = directory_mod.load(console.settings.referrals_dir)
            entries = list(loaded.entries) if hasattr(loaded, "entries") else []
            directory_summary = {"entries": len(entries), "countries": len({e.country for e in entries}),
                                 "problems": len(problems), "folder": str(console.settings.referrals_dir)}
        except Exception:  # the page still shows accounts and keys when the directory is broken
            directory_summary = {"entries": 0, "countries": 0, "problems": -1, "folder": str(console.settings.referrals_dir)}
        try:
            keys = reviewer_keys.public_keys_in(console.settings.reviewer_keys_dir)
        except (reviewer_keys.KeyFileError, OSError):
            keys = []
        trail = console.caseload.trail
        return page(request, "admin.html", status=status, trail=trail.entries(limit=200), verdict=trail.verify(),
                    accounts=sorted(console.accounts.accounts.values(),
                                                                          key=lambda a: a.name),
                    keys=keys, directory=directory_summary, retention_days=console.settings.retention_days,
                    min_days=retention.MIN_DAYS, **{"created": None, "problem": "", "done": "", **extra})

    @app.get("/admin")
    @only(ADMINISTRATOR)
    async def admin(request, session):
        return admin_page(request)

    @app.post("/admin/accounts")
    @only(ADMINISTRATOR)
    async def add_account(request, session):
        form = request.form
        try:
            account = console.accounts.add((form.get("name") or "").strip(), form.get("role") or "",
                                           form.get("password") or "", (form.get("key_file") or "").strip())
        except AccountError as exc:
            return admin_page(request, status=400, problem=str(exc))
        console.caseload.trail.append(session.name, "account_added", account.name, {"role": account.role})
        return admin_page(request, created=account)

    @app.post("/admin/accounts/<name>/<what>")
    @only(ADMINISTRATOR)
    async def change_account(request, session, name: str, what: str):
        if name not in console.accounts.accounts or what not in ("disable", "enable", "second-factor"):
            return admin_page(request, status=404, problem="No such account or change.")
        if name == session.name and what == "disable":
            return admin_page(request, status=400, problem="You cannot disable your own account.")
        if what == "second-factor":
            console.caseload.trail.append(session.name, "second_factor_reset", name)
            account = console.accounts.new_second_factor(name)
            console.sessions.end_all_of(name)
            return admin_page(request, created=account)
        console.caseload.trail.append(session.name, "account_disabled" if what == "disable" else "account_enabled", name)
        console.accounts.set_disabled(name, what == "disable")
        if what == "disable":
            console.sessions.end_all_of(name)
        return admin_page(request, done=f"{name} {'disabled' if what == 'disable' else 'enabled'}.")

    @app.post("/admin/retention")
    @only(ADMINISTRATOR)
    async def run_retention(request, session):
        try:
            days = int(request.form.get("days") or console.settings.retention_days)
            if days < console.settings.retention_days and request.form.get("confirm") != "on":
                raise ValueError(f"a period shorter than the configured {console.settings.retention_days} days needs confirming")
            console.caseload.trail.append(session.name, "retention_run", f"{days} days")
            shredded = retention.apply(console.caseload.store, days, console.settings.data_dir / "audit.log",
                                       trail=console.caseload.trail)
        except ValueError as exc:
            return admin_page(request, status=400, problem=str(exc))
        return admin_page(request, done=f"Retention applied: {len(shredded)} report(s) older than {days} days shredded.")

    @app.post("/admin/keys")
    @only(ADMINISTRATOR)
    async def add_key(request, session):
        import tempfile

        text = (request.form.get("public_key") or "").strip()
        if not text or len(text) > 20_000:
            return admin_page(request, status=400, problem="Paste the whole NAME.pub.json file.")
        with tempfile.TemporaryDirectory() as folder:  # a public key only: nothing secret touches the disk
            source = Path(folder) / "key.pub.json"
            source.write_text(text, encoding="utf-8")
            try:
                key = reviewer_keys.add_configured(console.settings.reviewer_keys_dir,
                                                   console.settings.trial_key_dir, source)
            except reviewer_keys.KeyFileError as exc:
                return admin_page(request, status=400, problem=str(exc).replace(str(source), "the pasted key"))
        console.caseload.trail.append(session.name, "key_added", key.key_id, {"name": key.name})
        return admin_page(request, done=f"Reviewer key {key.key_id} ({key.name}) added: new reports are sealed to it "
                                        "once the action server restarts. Existing reports: bot keys rewrap.")

    @app.post("/admin/keys/<key_id>/remove")
    @only(ADMINISTRATOR)
    async def remove_key(request, session, key_id: str):
        try:
            reviewer_keys.remove_configured(console.settings.reviewer_keys_dir, key_id[:16])
        except reviewer_keys.KeyFileError as exc:
            return admin_page(request, status=400, problem=str(exc))
        console.caseload.trail.append(session.name, "key_removed", key_id[:16])
        note = ""
        if request.form.get("revoke") == "on":
            kept, revoked = console.caseload.store.revoke(key_id[:16])
            console.caseload.trail.append(session.name, "key_access_revoked", key_id[:16], {"reports": revoked, "kept": kept})
            note = f" Its access to {revoked} existing report(s) was destroyed; {kept} kept it (no other key opens them)."
        return admin_page(request, done=f"Reviewer key {key_id[:16]} removed: new reports are no longer sealed to it.{note}")

    @app.post("/admin/directory")
    @only(ADMINISTRATOR)
    async def import_directory(request, session):
        from bot.referrals import directory as directory_mod

        loaded, problems = directory_mod.load(console.settings.referrals_dir)
        if problems:  # every problem stops the import, as `bot directory import` does
            return admin_page(request, status=400, problem=f"The directory has {len(problems)} problem(s); nothing was "
                                                           "imported (bot directory validate lists them).")
        console.caseload.trail.append(session.name, "directory_imported", f"{len(loaded.entries)} entries")
        count = directory_mod.import_to_database(console.settings.database_url, loaded)
        return admin_page(request, done=f"Imported {count} directory entries in one transaction; the action server "
                                        "uses them after a restart.")

    @app.get("/console.css")
    async def css(request):
        return await response.file(str(HERE / "static" / "console.css"), mime_type="text/css")

    @app.exception(Exception)
    async def failed(request, exc):
        if not hasattr(request.ctx, "session"):
            request.ctx.session = None
        if isinstance(exc, SanicException):  # a request refused by the server (too large, wrong method)
            status = getattr(exc, "status_code", 400) or 400
            return page(request, "error.html", status=status, title="Request refused",
                        message="The console cannot take this request.")
        # Security decision: an error is logged by its type only; its message could quote a report.
        logger.error("console page failed: %s", type(exc).__name__)
        return page(request, "error.html", status=500, title="Something went wrong",
                    message="This page could not be shown. Nothing was changed by it; go back and try again.")

    @app.exception(NotFound)
    async def missing(request, exc):
        if not hasattr(request.ctx, "session"):
            request.ctx.session = None
        return page(request, "error.html", status=404, title="Not found", message="There is no such page.")

    return app


def serve(settings: Settings, console_dir: Path, port: int) -> None:
    accounts = Accounts.load(console_dir / "users.json")
    if not accounts.accounts:
        raise SystemExit("No console account yet: make one first with `bot review user add NAME --role administrator` "
                         "or `bot review user add NAME --role reviewer --key FILE`.")
    import os

    # k below 11 only on purpose (a test, a very small deployment that knows what it shows)
    k = max(2, int(os.environ.get("BOT_INSIGHTS_K") or insights.K))
    console = Console(settings, accounts, console_dir, k=k)
    app = make_app(console, port)
    print(f"Review console on http://127.0.0.1:{port}/ (loopback only; Ctrl-C to stop).", flush=True)
    # Security decision: loopback only, and no access log (the paths name report references).
    app.run(host="127.0.0.1", port=port, access_log=False, workers=1, debug=False, motd=False)


