"""The short version of `bot bench languages` (issue 13): first messages of every length on
lingua's public test data open in the right language, and languages it does not speak are
recognised. The full run's figures are in the README and the closing note."""
from bot import language_bench


def test_first_messages_open_in_their_language_on_public_test_data(tmp_path):
    out, plot = tmp_path / "languages.json", tmp_path / "languages.png"
    results = language_bench.run(limit=40, out=out, plot=plot)
    supported = results["supported"]
    assert supported["sentences"]["assistant_all"] >= 98.0
    assert supported["word-pairs"]["assistant_all"] >= 95.0
    # ...and better than langdetect alone, measured in the same run, where it matters: short messages
    assert supported["word-pairs"]["assistant_all"] > supported["word-pairs"]["langdetect_all"] + 5
    assert supported["sentences"]["false_other"] <= 1  # a supported language is never sent away
    assert len(results["other_recognised_90"]) >= 30
    assert out.stat().st_size > 1000 and plot.stat().st_size > 10_000
