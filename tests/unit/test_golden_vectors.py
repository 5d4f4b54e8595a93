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


def test_values_a_spreadsheet_would_run_are_neutralised_for_csv():
    from bot.reports.htcds import spreadsheet_safe

    for hostile in ("=HYPERLINK(\"http://x\",\"click\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
                    "\t=1", " =1", "\uff1d1+1"):
        assert spreadsheet_safe(hostile).startswith("'"), hostile
    assert spreadsheet_safe("a man with a knife") == "a man with a knife"
    assert spreadsheet_safe(["=1", "b"]) == "'=1; b" and spreadsheet_safe(3) == 3 and spreadsheet_safe(None) is None
