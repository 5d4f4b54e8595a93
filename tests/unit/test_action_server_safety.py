import asyncio

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
