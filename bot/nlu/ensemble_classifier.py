"""An intent classifier that asks two different models and averages their answers.

Rasa's logistic regression reads every feature at once (word counts and the sentence
vector) and draws straight lines between intents. A support vector machine with an RBF
kernel reads the sentence vector alone and draws curved ones, so it separates phrasings
that share words but not meaning. Their mistakes differ, and the average of their
probabilities is right more often than either, in English: see docs/nlu.md for the
held-out figures. For messages in other scripts the vector model does not vote.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from sklearn.svm import SVC


def mostly_latin(text: str) -> bool:
    """Whether most of the letters are Latin ones (English, Polish, romanised Urdu)."""
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum("LATIN" in unicodedata.name(ch, "") for ch in letters)
    return bool(letters) and latin * 2 >= len(letters)


def sentence_vector(message: Message) -> np.ndarray | None:
    """The message's dense sentence features (the encoder's vector), if it has any."""
    dense = message.get_dense_features(attribute=TEXT)[1]
    return None if dense is None else np.asarray(dense.features, dtype=np.float64).reshape(-1)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MeaningAndWordsClassifier(LogisticRegressionClassifier):
    """Logistic regression over all features, averaged with an RBF support vector
    machine over the sentence vector."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "svm_c": 10.0}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Rasa reuses a cached trained component while this stays the same: a change to
        # this file must train it again.
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.svm: SVC | None = None

    def _new_svm(self) -> SVC:
        return SVC(
            C=self.config["svm_c"],
            kernel="rbf",
            gamma="scale",
            probability=True,
            class_weight="balanced",
            random_state=self.config["random_state"],
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        y = [e.get(INTENT) for e in examples]
        self.clf.fit(self._create_X(examples), y)
        pairs = [
            (v, label)
            for e, label in zip(examples, y, strict=True)
            if (v := sentence_vector(e)) is not None
        ]
        if pairs:
            self.svm = self._new_svm()
            self.svm.fit(np.stack([v for v, _ in pairs]), [label for _, label in pairs])
            # Both models must rank the same intents in the same order to be averaged.
            if list(self.svm.classes_) != list(self.clf.classes_):
                raise ValueError("every intent's examples need sentence vectors")
        self.persist()
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if not messages:
            return messages
        words = self.clf.predict_proba(self._create_X(messages))
        for message, by_words in zip(messages, words, strict=True):
            # The encoder is an English model: in Urdu or Arabic script its vectors mean
            # little, and its vote made those languages worse, so there it does not vote.
            latin = mostly_latin(str(message.get(TEXT) or ""))
            vector = sentence_vector(message) if self.svm is not None and latin else None
            probabilities = by_words
            if self.svm is not None and vector is not None:
                by_meaning = self.svm.predict_proba(vector.reshape(1, -1))[0]
                probabilities = (by_words + by_meaning) / 2
            order = np.argsort(-probabilities, kind="stable")
            ranking = [
                {"name": str(self.clf.classes_[k]), "confidence": float(probabilities[k])}
                for k in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as model_dir:
            sio.dump(self.clf, model_dir / f"{self._resource.name}.skops")
            if self.svm is not None:
                sio.dump(self.svm, model_dir / f"{self._resource.name}.svm.skops")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MeaningAndWordsClassifier:
        import skops.io as sio

        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        assert isinstance(component, MeaningAndWordsClassifier)
        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / f"{resource.name}.svm.skops"
                untrusted = sio.get_untrusted_types(file=path) if path.exists() else []
                svm = sio.load(path, trusted=[]) if path.exists() and not untrusted else None
        except ValueError:
            return component  # nothing stored: untrained, as Rasa's own load gives it
        if untrusted:
            # Only plain scikit-learn and NumPy types are loaded.
            raise ValueError(f"untrusted types in the sentence-vector model: {untrusted}")
        component.svm = svm
        return component
