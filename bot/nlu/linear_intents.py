"""The intent classifier: word and character n-grams of the folded text, TF-IDF weighted, and a
linear model trained by stochastic gradient descent on the log loss (scikit-learn, installed with
Rasa).

Chosen by measurement (``bot bench nlu``, the README's "Languages" section): on the held-out
examples of eight languages it is as good as or better than DIET and Rasa's
LogisticRegressionClassifier, and it learns in about a second where DIET took 14 minutes on two
cores, so that adding a language never makes training slow. It reads the text itself: no
featurizer runs before it.
"""
from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.vocabulary.text import fold
from bot.vocabulary.tfidf_features import Features, expit

MODEL_FILE = "linear_intents.pkl"
WORD = r"(?u)\b\w+\b"  # every word, one letter too ("a", "y", "w" are words in the eight languages)


def build(config: dict[str, Any]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, preprocessor=fold),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, preprocessor=fold,
                        token_pattern=WORD),
    )
    model = SGDClassifier(loss="log_loss", alpha=config["alpha"], max_iter=config["epochs"], tol=None,
                          class_weight="balanced", random_state=config["random_seed"])
    return make_pipeline(features, model)


class Scorer:
    """The trained pipeline's probabilities for one message, computed from its own parts.

    scikit-learn's ``predict_proba`` on one short text took 3.5 ms a message, about a sixth of
    the Rasa server's time per message (profiled under load, issue 16). The same numbers from the
    same fitted parts (bot/vocabulary/tfidf_features.py), then the linear model's one-versus-rest
    log-loss probabilities, take 0.12 ms. tests/unit/test_linear_intents.py holds the two equal,
    to 1e-12, on every example.
    """

    def __init__(self, pipeline) -> None:
        union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.features = Features(union)
        if getattr(model, "loss", None) != "log_loss" or model.coef_.shape[1] != self.features.width \
                or len(model.classes_) < 3:
            raise ValueError("not the model build() makes")
        self.weights = np.ascontiguousarray(model.coef_.T)
        self.intercept = model.intercept_

    def probabilities(self, text: str):
        p = expit(self.features.scores(text, self.weights, self.intercept))
        return p / p.sum()


def scorer(pipeline):
    """The fast scorer, or the pipeline's own predict_proba for a pipeline of another shape."""
    try:
        return Scorer(pipeline).probabilities
    except (AttributeError, IndexError, ValueError, TypeError):
        return lambda text: pipeline.predict_proba([text])[0]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"alpha": 1e-5, "epochs": 50, "random_seed": 42, "ranking_length": 10}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, model=None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.model = model
        self._probabilities = scorer(model) if model is not None else None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            return self._resource  # nothing to tell apart
        self.model = build(self.config)
        self.model.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples])
        self._probabilities = scorer(self.model)
        with self._storage.write_to(self._resource) as folder:
            (Path(folder) / MODEL_FILE).write_bytes(pickle.dumps(self.model))
        return self._resource

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        try:
            with model_storage.read_from(resource) as folder:
                # The pickle is read only from the model archive this project trained (as Rasa's
                # own sklearn components do); a model file is code and is trusted as such.
                model = pickle.loads((Path(folder) / MODEL_FILE).read_bytes())  # noqa: S301
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if self.model is None or not text.strip():
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            probabilities = self._probabilities(text)
            ranked = sorted(zip(self.model.classes_, probabilities), key=lambda x: -x[1])
            ranking = [{"name": str(name), "confidence": float(p)} for name, p in ranked[: self.config["ranking_length"]]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
