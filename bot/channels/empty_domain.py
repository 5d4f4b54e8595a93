"""Whether the domain is empty, worked out once per domain instead of at every message.

Rasa checks every message's intent against the domain, first asking whether the domain is empty
by building an empty domain and comparing the two as dictionaries: about 2 % of the Rasa server's
time per message (profiled under load, issue 16). A loaded domain does not change while the
server runs (a new model brings a new Domain object), so the answer is kept on the instance.
"""
from __future__ import annotations

from rasa.shared.core.domain import Domain

_is_empty = Domain.is_empty


def _is_empty_kept(self) -> bool:
    kept = self.__dict__.get("_thb_is_empty")
    if kept is None:
        kept = self.__dict__["_thb_is_empty"] = _is_empty(self)
    return kept


Domain.is_empty = _is_empty_kept
