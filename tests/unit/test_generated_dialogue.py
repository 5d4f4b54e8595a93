"""domain.yml and data/rules.yml are generated from bot/vocabulary/fields.py and must be current."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("generate_dialogue", ROOT / "scripts" / "generate_dialogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_domain_and_rules_are_up_to_date():
    g = _generator()
    assert (ROOT / "domain.yml").read_text() == g.render(g.domain()), "run scripts/generate_dialogue.py"
    assert (ROOT / "data" / "rules.yml").read_text() == g.render(g.rules()), "run scripts/generate_dialogue.py"


def test_architecture_intents_are_all_there():
    from bot.dialogue.intents import INTENTS

    contract = {"greet", "affirm", "deny", "report_incident", "request_help", "emergency", "skip", "stop",
                "pause", "privacy_question", "bot_challenge", "thanks", "goodbye", "change_language"}
    assert contract <= set(INTENTS)
