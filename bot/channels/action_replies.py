"""The Rasa server's check of what the action server answers: the same verdict, made faster.

Rasa validates every action server response against its response schema with
``jsonschema.validate``, which first checks the schema itself against the JSON Schema
meta-schema, on every call: a fifth of the Rasa server's time per message (profiled under load,
issue 16). Here the validator is made once. And each event, which the schema requires to be one
of 23 kinds (``oneOf``, each kind fixing ``event`` to its own name), is checked against its own
kind only: as every kind but the one named fails on the name, "exactly one kind matches" is the
same as "the kind it names matches". Anything the quick check refuses goes to the full validator,
which raises the same error as Rasa's own. tests/unit/test_action_replies.py compares the verdicts
on random responses.
"""
from __future__ import annotations

import functools

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=None)
def _validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate does every time
    return cls(schema)


@functools.lru_cache(maxsize=None)
def _by_kind():
    """The response schema without the per-event check, and each kind's own event schema."""
    schema = RemoteAction.action_response_format_spec()
    events = schema["properties"]["events"]
    item = events["items"]
    common = {k: v for k, v in item.items() if k != "oneOf"}
    kinds = {}
    for kind in item["oneOf"]:
        name = kind["properties"]["event"]["const"]
        if name in kinds:  # the equivalence needs one kind per name: otherwise, the full check only
            return None
        kinds[name] = {"allOf": [common, kind]}
    outer = {**schema, "properties": {**schema["properties"], "events": {k: v for k, v in events.items() if k != "items"}}}
    cls = validator_for(schema)
    return cls(outer), {name: cls(s) for name, s in kinds.items()}


def quick_verdict(result) -> bool:
    """True only when the full validator would find nothing wrong."""
    by_kind = _by_kind()
    if by_kind is None:
        return False
    outer, kinds = by_kind
    if not outer.is_valid(result):
        return False
    for event in (result.get("events") or []):
        kind = kinds.get(event.get("event")) if isinstance(event, dict) and isinstance(event.get("event"), str) else None
        if kind is None or not kind.is_valid(event):
            return False
    return True


def _validate_action_result(self, result) -> bool:
    if quick_verdict(result):
        return True
    try:
        _validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
        raise e


RemoteAction._validate_action_result = _validate_action_result
