"""Shared by the end-to-end tests: free loopback ports and a prepared data folder."""
import socket

from bot.config import Settings
from bot.reports import reviewer_keys
from bot.reports.store import ReportStore
from bot.state import server_keys


# One test client plays hundreds of people from one address, faster than people type: the rate
# limits are raised for it (they are tested with their own settings).
ONE_CLIENT_MANY_PEOPLE = {"BOT_RATE_PER_CONVERSATION": "100000/100000", "BOT_RATE_PER_ADDRESS": "100000/100000",
                          "BOT_RATE_NEW_CONVERSATIONS": "100000/100000"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepared(data_dir) -> Settings:
    """What `bot setup` makes on a fresh machine: database, trial reviewer key, server secrets."""
    settings = Settings.from_env({"BOT_DATA_DIR": str(data_dir), "BOT_TRIAL_MODE": "1"})
    ReportStore(settings.database_url)
    reviewer_keys.ensure_trial_pair(settings.trial_key_dir)
    server_keys.ensure_file(data_dir / "secrets.json")
    return settings


def tiny_site(page):
    """A small web site on loopback that answers every GET with ``page(path)`` (HTML): a stand-in
    for a site elsewhere (the neutral site of the quick exit, an attacker's page). Returns the
    server; its port is ``server.server_address[1]``; ``server.shutdown()`` stops it."""
    import http.server
    import threading

    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = page(self.path).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
