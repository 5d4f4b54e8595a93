"""Settings, from environment variables only (documented in ``.env.example``); no secret here."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    reviewer_keys_dir: Path
    trial_key_dir: Path
    referrals_dir: Path
    pause_hours: int
    retention_days: int
    # Who runs this deployment and what its reviewers must pass on: people ask before they trust
    # ("will the police know?"), and the answer must be this organisation's own, not a guess.
    organisation: str = ""
    reporting_duties: tuple[tuple[str, str], ...] = ()  # (language, sentence)
    # Trial mode lets the trial key (passphrase on disk) seal reports while no real reviewer key
    # exists: for trying the assistant out only. Off unless asked for; `./run` asks for it.
    trial_mode: bool = False
    console_dir: Path = ROOT / "var" / "console"  # the review console's accounts and exports

    def duties_in(self, lang: str) -> str | None:
        return dict(self.reporting_duties).get(lang)

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        data_dir = Path(env.get("BOT_DATA_DIR") or ROOT / "var").resolve()
        return cls(
            data_dir=data_dir,
            database_url=env.get("BOT_DATABASE_URL") or f"sqlite:///{data_dir / 'assistant.db'}",
            reviewer_keys_dir=Path(env.get("BOT_REVIEWER_KEYS_DIR") or data_dir / "keys" / "reviewers"),
            trial_key_dir=data_dir / "keys" / "trial",
            referrals_dir=Path(env.get("BOT_REFERRALS_DIR") or ROOT / "data" / "referrals"),
            pause_hours=int(env.get("BOT_PAUSE_HOURS") or 24),
            retention_days=int(env.get("BOT_RETENTION_DAYS") or 365),
            organisation=(env.get("BOT_ORGANISATION") or "").strip(),
            console_dir=Path(env.get("BOT_CONSOLE_DIR") or data_dir / "console"),
            trial_mode=(env.get("BOT_TRIAL_MODE") or "").strip().lower() in ("1", "true", "yes"),
            reporting_duties=tuple(sorted(
                (key.rsplit("_", 1)[1].lower(), value.strip()) for key, value in env.items()
                if key.startswith("BOT_REPORTING_DUTIES_") and value.strip())),
        )
