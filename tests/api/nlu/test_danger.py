"""The danger net: danger happening now and self-harm, in wordings the word lists did not
foresee, are caught; calm messages that share their words are not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from api.nlu.classifier import ClassifierSettings, MeaningClassifier
from api.nlu.danger import CACHE_DIR, DangerNet, ExemplarError, NetSettings, get_danger_net


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


@pytest.mark.parametrize(
    "text",
    [
        "two, aged 4 and 7",
        "just the one",
        "no kids",
        "after 6",
        "YO1 4AB",
        "my cat",
        "pear tree",
        "Quince orchard",
        "FD-ZZZZ-2222",
        "dwoje dzieci",
        "do dzieci hain",
        "بعد الساعة 6",
    ],
)
def test_answers_to_the_referrals_questions_are_not_alarms(net: DangerNet, text: str) -> None:
    """Short answers (a count of children, a time, a postcode, a word chosen to come back
    with) are ordinary messages: an alarm on them would put 999 before every answer."""
    assert not net.check(text).any


def test_the_thresholds_decide(net: DangerNet) -> None:
    text = "he's kicking the front door in right now"
    assert net.probability(net.encoder.queries([text])[0])["danger"] > net.settings.alarm
    never = DangerNet(net.encoder, settings=NetSettings(alarm=1.01, near=1.01), cache_dir=CACHE_DIR)
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
            yaml.safe_dump({"danger": danger, "calm": calm, "self_harm": ["i want to die"]}),
            encoding="utf-8",
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


def test_danger_and_self_harm_count_together(net: DangerNet) -> None:
    """Neither likely enough alone, both together: an alarm."""
    half = net.settings.alarm / 2 + 0.01
    found = net.decide({"danger": half, "self_harm": half, "calm": 1 - 2 * half}, {})
    assert found.danger
    assert not net.decide({"danger": half, "calm": 1 - half}, {}).any


def test_self_harm_below_danger_still_brings_samaritans(net: DangerNet) -> None:
    """Thoughts of suicide the classifier finds more like danger still get Samaritans."""
    found = net.decide({"danger": 0.8, "self_harm": net.settings.self_harm, "calm": 0.1}, {})
    assert found.danger and found.self_harm
    assert not net.decide({"danger": 0.9, "self_harm": 0.0, "calm": 0.1}, {}).self_harm


def test_nearness_to_a_danger_exemplar_alarms_whatever_the_classifier_says(
    net: DangerNet,
) -> None:
    calm = {"calm": 1.0}
    near = net.settings.near + 0.01
    assert net.decide(calm, {"danger": near, "calm": near - 0.2}).danger
    assert not net.decide(calm, {"danger": near, "calm": near}).any  # as close to calm


def test_an_exemplar_file_with_an_unknown_kind_is_refused(net: DangerNet, tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text(
        yaml.safe_dump({"danger": ["a"], "self-harm": ["b"], "calm": ["c"]}), encoding="utf-8"
    )
    with pytest.raises(ExemplarError, match="self-harm"):
        DangerNet(net.encoder, tmp_path, questions_dir=None)


def _small(tmp_path: Path) -> Path:
    folder = tmp_path / "exemplars"
    folder.mkdir()
    (folder / "en.yml").write_text(
        yaml.safe_dump(
            {
                "danger": ["he is hitting me now", "the house is on fire"],
                "self_harm": ["i want to end my life"],
                "calm": ["lovely sunny day", "thanks for the help"],
            }
        ),
        encoding="utf-8",
    )
    return folder


QUICK = NetSettings(classifier=ClassifierSettings(members=1, steps=100))


@pytest.mark.parametrize("damage", ["cut off", "other classes", "not a file"])
def test_a_damaged_cache_is_trained_again_not_trusted(
    net: DangerNet, tmp_path: Path, damage: str
) -> None:
    folder, cache = _small(tmp_path), tmp_path / "cache"
    first = DangerNet(net.encoder, folder, QUICK, cache_dir=cache, questions_dir=None)
    (saved,) = cache.glob("danger-net-*.npz")
    if damage == "cut off":
        saved.write_bytes(saved.read_bytes()[:200])
    elif damage == "other classes":
        other = MeaningClassifier(
            ["a", "b"], first.classifier.mean, first.classifier.scale, first.classifier.layers
        )
        with saved.open("wb") as handle:
            other.save(handle)
    else:
        saved.write_bytes(b"not numbers")
    again = DangerNet(net.encoder, folder, QUICK, cache_dir=cache, questions_dir=None)
    vector = net.encoder.queries(["he is hitting me now"])[0]
    assert again.probability(vector) == first.probability(vector)


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(
    net: DangerNet, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    built = DangerNet(
        net.encoder, _small(tmp_path), QUICK, cache_dir=blocked / "cache", questions_dir=None
    )
    assert built.check("he is hitting me now").danger
