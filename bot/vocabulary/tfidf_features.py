"""The TF-IDF features of one short text, computed from a fitted scikit-learn union's own parts.

scikit-learn's ``transform`` on one short text builds sparse matrices and checks them at every
step: milliseconds a call, where the arithmetic takes a tenth of one (profiled under load,
issue 16). The same numbers from the same fitted parts: each vectorizer's own analyzer (its
lowercasing, preprocessor and n-grams), vocabulary and IDF weights, raw or sublinear term
frequency, L2 norm per vectorizer, columns laid side by side as the union lays them.
The intent classifier (bot/nlu/linear_intents.py) and the answers' statistical reader
(bot/vocabulary/likeness.py) score with them; their tests hold the scores equal to
scikit-learn's own, to 1e-12.
"""
from __future__ import annotations

import math

import numpy as np


class Features:
    def __init__(self, union) -> None:
        self.parts, offset = [], 0
        for _, vectorizer in union.transformer_list:
            if not (vectorizer.norm == "l2" and vectorizer.use_idf and not vectorizer.binary):
                raise ValueError("a vectorizer of another kind")
            self.parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset,
                               bool(vectorizer.sublinear_tf)))
            offset += len(vectorizer.vocabulary_)
        self.width = offset

    def of(self, text: str) -> tuple[list[int], np.ndarray]:
        """(columns, values) of the text's non-zero features."""
        columns: list[int] = []
        values: list[float] = []
        for analyze, vocabulary, idf, offset, sublinear in self.parts:
            counts: dict[int, int] = {}
            for term in analyze(text):
                j = vocabulary.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            tfidf = [((1.0 + math.log(n)) if sublinear else n) * idf[j] for j, n in counts.items()]
            norm = math.sqrt(sum(w * w for w in tfidf))
            columns.extend(offset + j for j in counts)
            values.extend(w / norm for w in tfidf)
        return columns, np.asarray(values)

    def scores(self, text: str, weights: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        """Linear scores: weights is (features, outputs), laid out as the union's columns."""
        columns, values = self.of(text)
        return intercept + (values @ weights[columns] if columns else 0.0)


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
