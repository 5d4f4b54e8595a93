import asyncio

import pytest

from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

import actions  # noqa: F401  (installs the safe runner)


class Explodes(Action):
    def name(self):
        return "action_test_explodes"

    async def run(self, dispatcher, tracker, domain):
        raise ValueError("SECRET-CANARY inside the exception")


def test_a_failing_action_answers_calmly_and_returns_no_conversation():
    executor = ActionExecutor()
    executor.register_action(Explodes())
    call = {"next_action": "action_test_explodes", "tracker": {
        "sender_id": "x", "slots": {"narrative": "SECRET-CANARY narrative"}, "latest_message": {"text": "SECRET-CANARY"},
        "events": [{"event": "user", "text": "SECRET-CANARY"}], "paused": False, "followup_action": None,
        "active_loop": {}, "latest_action_name": "action_listen"}, "domain": {}}
    response = asyncio.run(executor.run(call))
    assert response["events"] == []
    assert "send your last message again" in response["responses"][0]["text"]
    assert "SECRET-CANARY" not in str(response)


@pytest.mark.parametrize("slots", [
    {"consent": "no", "narrative": "x"},
    {"consent": None, "narrative": "x"},
    {"consent": "yes", "narrative": 12345},
    {"consent": "yes", "narrative": "x", "victims_gender": ["Feminine"]},
    {"consent": "yes", "narrative": "x", "victims_count_number": True},
    {"consent": "yes", "narrative": "x", "exploitation_type": [1, 2]},
    {"consent": "yes", "narrative": "x", "path": "admin"},
])
def test_a_report_without_consent_or_with_answers_of_the_wrong_type_is_never_sealed(slots, tmp_path):
    from bot.config import Settings
    from bot.reports import report, reviewer_keys
    from bot.reports.store import ReportStore
    from bot.reports.submission import submit_report

    settings = Settings.from_env({"BOT_DATA_DIR": str(tmp_path / "var"), "BOT_TRIAL_MODE": "1"})
    reviewer_keys.ensure_trial_pair(settings.trial_key_dir)
    with pytest.raises(report.Refused):
        submit_report(settings, {"path": "report", "draft_id": "d", **slots}, "en", [])
    assert ReportStore(settings.database_url).count() == 0
