"""The house's shape: import-linter's contracts (.importlinter) hold, and a broken one fails loudly.

The core (dialogue, reports, referrals, vocabulary) imports nothing from Rasa, Sanic or Telegram;
actions/ imports no SQLAlchemy or cryptography; the wings form layers with no import upward.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH first, so that the tree under test is what grimp reads, not the installed one.
    env = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_wings_keep_their_contracts():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "4 kept, 0 broken" in done.stdout


@pytest.fixture()
def copy_of_the_tree(tmp_path):
    for name in ("bot", "actions"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "webchat",
                                                                                   "locales", "versions"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


@pytest.mark.parametrize("planted, module, names", [
    ("bot/dialogue/planted.py", "import rasa_sdk\n", ["bot.dialogue.planted", "rasa_sdk", "Rasa, Sanic or Telegram"]),
    ("bot/reports/planted.py", "from bot.channels import telegram\n",
     ["bot.reports.planted", "bot.channels", "Telegram BROKEN"]),
    ("bot/reports/planted.py", "from bot.dialogue import messages\n",
     ["bot.reports is not allowed to import bot.dialogue", "bot.reports.planted -> bot.dialogue.messages",
      "The wings form layers"]),
    ("bot/vocabulary/planted.py", "from bot.reports import store\n",
     ["bot.vocabulary is not allowed to import bot.reports", "bot.vocabulary.planted -> bot.reports.store"]),
    ("actions/planted.py", "import sqlalchemy\n", ["actions.planted", "sqlalchemy", "actions/ is thin"]),
])
def test_a_broken_contract_fails_and_names_the_import(copy_of_the_tree, planted, module, names):
    (copy_of_the_tree / planted).write_text(module)
    done = lint_imports(copy_of_the_tree)
    assert done.returncode != 0, done.stdout[-3000:]
    for name in names:
        assert name in done.stdout, (name, done.stdout[-3000:])
