"""The Rasa server's check of what the action server answers, compiled once.

Rasa validates every action server response against its response schema with
``jsonschema.validate``, which first checks the schema itself against the JSON Schema
meta-schema, on every call: a fifth of the Rasa server's time per message (profiled under load,
issue 16). The same schema, the same check and the same error, with the validator made once.
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


def _validate_action_result(self, result) -> bool:
    try:
        _validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
        raise e


RemoteAction._validate_action_result = _validate_action_result
