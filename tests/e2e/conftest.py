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
