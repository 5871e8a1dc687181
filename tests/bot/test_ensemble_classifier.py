"""The intent classifier (bot/nlu/ensemble_classifier.py) averages its two models for
Latin-script messages, keeps to the word model for other scripts, and survives being
saved and loaded. It runs in the Rasa environment, like the encoder's tests."""

from __future__ import annotations

from tests.bot.test_sentence_encoder import run_in_bot_env

PROGRAM = """
import json, tempfile
from pathlib import Path
import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT, INTENT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.nlu.ensemble_classifier import MeaningAndWordsClassifier, mostly_latin

rng = np.random.default_rng(3)
centres = {"greet": rng.normal(size=8), "stop": rng.normal(size=8), "thanks": rng.normal(size=8)}

def message(text, intent=None, centre=None):
    m = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    words = scipy.sparse.coo_matrix(rng.integers(0, 2, size=(1, 5)).astype(float))
    vector = (centre + rng.normal(scale=0.3, size=8)).reshape(1, -1)
    m.add_features(Features(words, "sentence", TEXT, "words"))
    m.add_features(Features(vector, "sentence", TEXT, "meaning"))
    return m

examples = [message(f"{i} {n}", i, c) for i, c in centres.items() for n in range(20)]
with tempfile.TemporaryDirectory() as tmp:
    storage = LocalModelStorage(Path(tmp))
    resource = Resource("classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**MeaningAndWordsClassifier.get_default_config(), "random_state": 7}
    trained = MeaningAndWordsClassifier.create(config, storage, resource, context)
    trained.train(TrainingData(examples))
    loaded = MeaningAndWordsClassifier.load(config, storage, resource, context)
    untrained = MeaningAndWordsClassifier.load(config, storage, Resource("never_trained"), context)

    latin = message("hello there", centre=centres["greet"])
    arabic = message("\u0645\u0631\u062d\u0628\u0627", centre=centres["greet"])
    words_x = trained._create_X([latin, arabic])
    by_words = trained.clf.predict_proba(words_x)
    by_meaning = trained.svm.predict_proba(
        np.stack([latin.get_dense_features(TEXT)[1].features.reshape(-1),
                  arabic.get_dense_features(TEXT)[1].features.reshape(-1)]))
    classes = list(trained.clf.classes_)

    def confidences(component, m):
        component.process([m])
        return {e["name"]: e["confidence"] for e in m.get("intent_ranking")}, m.get(INTENT)["name"]

    got_latin, top_latin = confidences(trained, latin)
    got_arabic, _ = confidences(trained, arabic)
    again_latin, _ = confidences(loaded, latin)
    print(json.dumps({
        "latin_is_average": all(abs(got_latin[c] - (by_words[0][k] + by_meaning[0][k]) / 2) < 1e-9
                                for k, c in enumerate(classes)),
        "arabic_is_words_only": all(abs(got_arabic[c] - by_words[1][k]) < 1e-9
                                    for k, c in enumerate(classes)),
        "top_latin": top_latin,
        "loaded_same": all(abs(again_latin[c] - got_latin[c]) < 1e-12 for c in classes),
        "untrained_has_no_svm": untrained.svm is None,
        "svm_file": (Path(tmp) / "classifier" / "classifier.svm.skops").exists(),
        "scripts": [mostly_latin(t) for t in ["hello", "ja chcę", "mujhe madad chahiye",
                                               "\u0645\u062f\u062f", "\u0645\u062f\u062f ok", "", "999"]],
    }))
"""


def test_averages_for_latin_script_and_keeps_to_words_otherwise() -> None:
    found = run_in_bot_env(PROGRAM)
    assert found["latin_is_average"]
    assert found["arabic_is_words_only"]
    assert found["top_latin"] == "greet"
    assert found["loaded_same"]
    assert found["svm_file"]
    assert found["untrained_has_no_svm"]  # nothing stored: untrained, as Rasa's own load
    assert found["scripts"] == [True, True, True, False, False, False, False]
