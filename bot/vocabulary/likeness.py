"""Which option an answer in free words most likely means, learnt from teaching examples.

Word lists (``lexicon``, the locale's words) name an option when the person uses its words. People
often describe instead: "they were gathering them in a flat before taking them to Istanbul" is a
group being moved, "the guy at the door has a gun and nobody goes out" is movement restricted. This
module reads such answers statistically: a character n-gram model per question and language,
learnt from the examples in ``examples/<lang>.yml`` (written per option by native writers who never
saw the held-out answers in ``tests/heldout``; those must never be copied here).

The models are small (a few hundred examples each), learnt on first use in well under a second,
and deterministic. They never decide alone where the words are clear: ``dialogue.answers`` and
``people.roles_in`` ask them where the words name nothing, several things, or where the model is
very sure (the thresholds there were chosen on the tried held-out sets, never on the unseen one).
"""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import numpy as np

from bot.vocabulary import yaml_files
from bot.vocabulary.text import fold
from bot.vocabulary.tfidf_features import Features, expit

EXAMPLES = Path(__file__).with_name("examples")
# The questions a model is learnt for; "roles" reads the people in control (per_RoleInProcess).
QUESTIONS = ("knowledge_source", "stage", "exploitation_type", "control_signs", "roles")
_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _examples(lang: str) -> dict[str, list[dict[str, Any]]]:
    path = EXAMPLES / f"{lang}.yml"
    if not path.is_file():
        return {}
    return (yaml_files.read(path) or {}).get("examples") or {}


class _Model:
    """One yes/no logistic regression per option over word and character n-grams."""

    def __init__(self, texts: list[str], labels: list[list[str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_union

        self.features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True))
        x = self.features.fit_transform(texts)
        self.options: dict[str, Any] = {}
        for option in sorted({o for ls in labels for o in ls}):
            y = [option in ls for ls in labels]
            if 0 < sum(y) < len(y):
                self.options[option] = LogisticRegression(C=10, class_weight="balanced", max_iter=2000).fit(x, y)
        # Scored from the fitted parts (bot/vocabulary/tfidf_features.py): scikit-learn's own
        # transform and predict_proba took 3 ms an answer, most of a report's build (issue 16).
        self._features = Features(self.features)
        names = list(self.options)
        self._names = names
        self._weights = np.ascontiguousarray(np.vstack([self.options[o].coef_[0] for o in names]).T) if names else None
        self._intercept = np.array([self.options[o].intercept_[0] for o in names])

    def probabilities(self, text: str) -> dict[str, float]:
        if not self._names:
            return {}
        p = expit(self._features.scores(text, self._weights, self._intercept))
        return {option: float(v) for option, v in zip(self._names, p)}

    def sklearn_probabilities(self, text: str) -> dict[str, float]:
        """scikit-learn's own, which probabilities() equals (its test compares them)."""
        x = self.features.transform([text])
        return {option: float(model.predict_proba(x)[0, 1]) for option, model in self.options.items()}


@functools.lru_cache(maxsize=None)
def _model(question: str, lang: str) -> _Model | None:
    examples = _examples(lang).get(question) or []
    texts = [fold(str(e["say"])) for e in examples if e.get("say") and e.get("labels")]
    labels = [[str(v) for v in e["labels"]] for e in examples if e.get("say") and e.get("labels")]
    if len(texts) < 20:
        return None
    with _lock:  # sklearn's fitting is not to be shared half-done between threads
        return _Model(texts, labels)


def probabilities(question: str, text: str | None, lang: str | None) -> dict[str, float]:
    """Option -> how likely the answer means it (each 0 to 1, independently); {} when no model."""
    if not text or not text.strip() or not lang or question not in QUESTIONS:
        return {}
    model = _model(question, lang)
    return model.probabilities(fold(text)) if model else {}


def warm(langs: list[str]) -> None:
    """Learn every model now (at start-up), not at a person's first answer."""
    for lang in langs:
        for question in QUESTIONS:
            _model(question, lang)
