"""The two nets agree: every emergency and self-harm example the model is trained on is
also caught by the safety screen, but for a few phrasings left to the model on purpose.

The screen answers at once and never depends on a trained model, so a danger phrasing that
only the model knows is one a retrain could lose. When this fails, add the phrasing to
the lexicon (with a test in test_screen.py or test_screen_languages.py), or, if it is too
ambiguous for a fixed rule, to LEFT_TO_THE_MODEL with the reason.
"""

from __future__ import annotations

from safety import screen
from scripts.intents import INTENTS, examples_in

# Too ambiguous for a rule that fires whatever the context: each could be about the
# relationship ("I want it to be over", "I'm planning to end it") or a bad day. The
# model's self_harm and emergency intents still answer them with the helplines.
# ("He threatens me" on its own is abuse to explain, as in English: an understand_abuse
# example, and danger for the screen only with "now".)
LEFT_TO_THE_MODEL = {
    "en": {
        "there's no point anymore",
        "i feel like ending it",
        "i want it to be over",
        "i'm planning to end it",
        "i'm ready to give up on everything",
    },
    "ur": {"وہ بہت غصے میں ہے"},  # "he is very angry": a description, not always danger
}


# The danger net's exemplars, copied into Rasa's examples by scripts/topic_intents.py,
# are wordings the lists did not foresee: the net catches those by meaning
# (tests/api/nlu/test_danger.py checks it does).
NET_EXEMPLARS = "danger_examples.yml"


def safety_examples() -> list[tuple[str, str, str]]:
    return [
        (path.parent.name, intent, text)
        for path in sorted(INTENTS.glob("*/*.yml"))
        if path.name != NET_EXEMPLARS
        for intent, text in examples_in(path)
        if intent in {"emergency", "self_harm"}
    ]


def test_the_screen_catches_the_models_danger_examples() -> None:
    examples = safety_examples()
    assert len(examples) > 200
    missed = [
        f"{locale} {intent}: {text}"
        for locale, intent, text in examples
        if screen(text, locale).clear and text not in LEFT_TO_THE_MODEL.get(locale, set())
    ]
    assert not missed, "\n".join(missed)


def test_what_is_left_to_the_model_is_still_an_example() -> None:
    # A stale entry would hide nothing; keep the list true.
    texts = {(locale, text) for locale, _intent, text in safety_examples()}
    for locale, left in LEFT_TO_THE_MODEL.items():
        for text in left:
            assert (locale, text) in texts
            assert screen(text, locale).clear, f"{text!r} is caught now: take it off the list"
