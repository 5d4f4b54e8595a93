"""Reports sealed by the first version must open in every later version."""
import json
from pathlib import Path

import pytest

from bot.reports import reviewer_keys
from bot.reports.sealing import Sealed, open_sealed, unb64

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
DATA = json.loads((VECTORS / "sealed_reports.json").read_text())


@pytest.mark.parametrize("vector", DATA["vectors"], ids=lambda v: v["suite"])
def test_golden_vector_still_opens(vector):
    key = reviewer_keys.read_private(VECTORS / vector["key_file"], vector["passphrase"])
    sealed = Sealed(vector["report_id"], vector["schema_version"], unb64(vector["nonce"]), unb64(vector["ciphertext"]),
                    {k: (w["suite"], unb64(w["wrapped"])) for k, w in vector["wrapped_keys"].items()})
    assert open_sealed(sealed, key).decode() == vector["plaintext"]


def test_both_suites_have_a_vector():
    assert {v["suite"] for v in DATA["vectors"]} == {"mlkem768-x25519", "x25519"}
