"""The danger net: danger happening now and self-harm, in wordings the word lists did not
foresee, are caught; calm messages that share their words are not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from api.nlu.classifier import ClassifierSettings
from api.nlu.danger import CACHE_DIR, DangerNet, NetSettings, get_danger_net


@pytest.fixture(scope="module")
def net() -> DangerNet:
    return get_danger_net()


@pytest.mark.parametrize(
    "text",
    [
        "he's kicking the front door in right now",
        "on właśnie wyważa drzwi",
        "وہ ابھی دروازہ توڑ رہا ہے",
        "هو يكسر الباب الآن",
    ],
)
def test_danger_happening_now_is_caught(net: DangerNet, text: str) -> None:
    assert net.check(text).danger


def test_self_harm_is_caught(net: DangerNet) -> None:
    assert net.check("i dont want to wake up tomorrow").self_harm


@pytest.mark.parametrize(
    "text",
    [
        "i left him two years ago and i still cant sleep properly",
        "what does the law say about coercive control",
        "he used to hit me but that was years ago, im safe now",
    ],
)
def test_calm_messages_that_share_the_words_are_not_alarms(net: DangerNet, text: str) -> None:
    assert not net.check(text).any


def test_the_threshold_decides(net: DangerNet) -> None:
    text = "he's kicking the front door in right now"
    assert net.probability(net.encoder.queries([text])[0])["danger"] > net.settings.danger
    never = DangerNet(
        net.encoder,
        settings=NetSettings(danger=1.01, self_harm=1.01),
        cache_dir=CACHE_DIR,
    )
    assert not never.check(text).any


def test_it_learns_what_its_files_teach_and_keeps_what_it_learned(
    net: DangerNet, tmp_path: Path
) -> None:
    """The net is trained on the files it is given: moving a kind of message from danger
    to calm changes its answer. What it learned is kept on disk and read back unchanged,
    and different files are trained afresh."""
    fire = ["the house is on fire", "he set the kitchen alight", "flames everywhere help"]
    weather = ["lovely sunny day", "it is raining again", "cold and windy out"]
    quick = NetSettings(classifier=ClassifierSettings(members=1, steps=150))

    def build(danger: list[str], calm: list[str]) -> DangerNet:
        folder = tmp_path / "exemplars"
        folder.mkdir(exist_ok=True)
        (folder / "en.yml").write_text(
            yaml.safe_dump({"danger": danger, "calm": calm}), encoding="utf-8"
        )
        return DangerNet(
            net.encoder, folder, quick, cache_dir=tmp_path / "cache", questions_dir=None
        )

    text = "the flat is on fire"
    assert build(fire, weather).check(text).danger
    assert not build(weather, fire).check(text).danger
    saved = sorted((tmp_path / "cache").glob("danger-net-*.npz"))
    assert len(saved) == 2
    again = build(fire, weather)
    assert len(list((tmp_path / "cache").glob("danger-net-*.npz"))) == 2
    vector = net.encoder.queries([text])[0]
    assert again.probability(vector) == build(fire, weather).probability(vector)


def test_every_danger_example_rasa_learns_is_caught_before_rasa(net: DangerNet) -> None:
    """Rasa's emergency and self-harm examples that the word lists do not catch (those the
    net contributed) are caught by the net, so the gateway answers them before Rasa."""
    from safety import screen
    from scripts.intents import INTENTS, examples_in

    missed = [
        f"{path.parent.name} {intent}: {text}"
        for path in sorted(INTENTS.glob("*/danger_examples.yml"))
        for intent, text in examples_in(path)
        if screen(text, path.parent.name).clear and not net.check(text).any
    ]
    assert missed == []
