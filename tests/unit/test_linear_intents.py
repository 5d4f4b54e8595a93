"""The intent classifier's fast scorer gives scikit-learn's own probabilities, on every example."""
import math
import random

import pytest

from bot.nlu import linear_intents
from bot.vocabulary.yaml_files import read as read_yaml
from tests.rasa.test_rasa import ROOT


def _examples(folder):
    for path in sorted((ROOT / folder).glob("*.yml")):
        for block in read_yaml(path)["nlu"]:
            if "intent" in block:
                yield from ((line[2:].strip(), block["intent"]) for line in block["examples"].splitlines() if line.strip())


@pytest.fixture(scope="module")
def pipeline():
    examples = list(_examples("data/nlu"))
    model = linear_intents.build({**linear_intents.LinearIntentClassifier.get_default_config(), "epochs": 5})
    model.fit([t for t, _ in examples], [i for _, i in examples])
    return model


def test_the_fast_scorer_equals_predict_proba_on_every_example_and_on_noise(pipeline):
    scorer = linear_intents.Scorer(pipeline)
    rng = random.Random(16)
    alphabet = "abcxyz абвгдеєїщ ąęł éèç ăîș ابت 0123 ,.!?\n\t"
    noise = ["", " ", "?", "zzzzzz qqqq", "😀", "a" * 5000] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(300)]
    texts = [t for t, _ in _examples("data/nlu")] + [t for t, _ in _examples("tests/nlu")] + noise
    assert len(texts) > 2000
    worst = 0.0
    for text in texts:
        fast, slow = scorer.probabilities(text), pipeline.predict_proba([text])[0]
        worst = max(worst, max(abs(a - b) for a, b in zip(fast, slow)))
        assert math.isclose(sum(fast), 1.0, abs_tol=1e-9)
    assert worst < 1e-12, worst


def test_a_pipeline_of_another_shape_is_scored_by_its_own_predict_proba():
    class Other:
        steps = [("x", object())]

        @staticmethod
        def predict_proba(texts):
            return [[0.25, 0.75]]

    assert linear_intents.scorer(Other())("anything") == [0.25, 0.75]


def test_the_answers_reader_scores_as_scikit_learn_does_in_every_language_on_every_example():
    """bot/vocabulary/likeness.py scores from the fitted parts (bot/vocabulary/tfidf_features.py)."""
    from bot.dialogue import language
    from bot.vocabulary import likeness

    compared = 0
    for lang in language.SUPPORTED:
        for question in likeness.QUESTIONS:
            model = likeness._model(question, lang)
            if model is None:
                continue
            texts = [str(e["say"]) for e in likeness._examples(lang).get(question) or [] if e.get("say")]
            for text in texts[::3] + ["", "zzzz", "a" * 2000, "Київ 😀 ?"]:
                fast, slow = model.probabilities(text), model.sklearn_probabilities(text)
                assert fast.keys() == slow.keys()
                assert max((abs(fast[k] - slow[k]) for k in fast), default=0.0) < 1e-12, (lang, question, text)
                compared += 1
    assert compared > 500, compared
