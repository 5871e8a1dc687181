"""The danger net: danger happening now and self-harm, in wordings the word lists did not
foresee, are caught; calm messages that share their words are not."""

from __future__ import annotations

import pytest

from api.nlu.danger import DangerNet, NetSettings, get_danger_net


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


def test_a_message_as_close_to_calm_as_to_danger_is_not_an_alarm(net: DangerNet) -> None:
    """The margin: closeness to danger alone is not enough."""
    text = "he's kicking the front door in right now"
    close = net.closeness(net.encoder.queries([text])[0])
    strict = DangerNet(
        net.encoder, settings=NetSettings(margin=close["danger"] - close["calm"] + 0.01)
    )
    assert not strict.check(text).danger


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
