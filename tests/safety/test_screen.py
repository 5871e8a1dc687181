"""The safety screen, tested with the ways people really write when they are frightened.

Each list is a specification: add a phrasing here before changing the lexicon.
"""

from __future__ import annotations

import pytest

from safety import screen

IMMEDIATE_DANGER = [
    # Danger happening now in wordings added after the development set showed them missing.
    "he is pouring petrol on the stairs",
    "my ex is climbing in through the kitchen window",
    "bleeding from my face, he smashed me into the door a minute ago",
    "he says tonights the night",
    "my dad has his hands round my mums throat",
    "hes outside the pub waiting with a baseball bat",
    "he's got a knife",
    "hes got a nife",
    "HES GOT A KNIFE",
    "he has a knife",
    "he's gonna kill me",
    "hes gonna kill me",
    "he is going to kill me",
    "he says he will kill me tonight",
    "she's going to hurt me",
    "help me now he's here",
    "help me now",
    "help me please",
    "please help me",
    "pls help",
    "someone help",
    "help help",
    "help me",
    "cant talk he is outside",
    "can't talk he's outside",
    "i cant talk",
    "cnt talk rn",
    "he is outside",
    "hes outside the door",
    "he's at the door",
    "my ex is outside my house",
    "my ex is at my door",
    "he is trying to get in",
    "he's breaking in",
    "he's banging on the door",
    "he's coming back",
    "he's on his way",
    "my husband is coming home and he's going to kill me",
    "call the police",
    "call police please",
    "ring an ambulance",
    "i need an ambulance",
    "I need the police",
    "get the police",
    "he is hitting me",
    "he's beating me",
    "hes choking me",
    "he is strangling me",
    "he's killing me",
    "he is hurting the kids",
    "he is attacking us",
    "he's got a gun",
    "he has a weapon",
    "he's holding a knife",
    "he pulled a knife on me",
    "he grabbed a knife",
    "he's waving a knife at me",
    "she's got a blade",
    "he has a hammer",
    "hes gt a knif",
    "he's got a kn1fe",
    "hes threatening to kill me",
    "he is threatening to stab me",
    "he said he will kill me",
    "im going to die tonight",
    "he locked me in the bathroom",
    "locked in the bedroom",
    "he won't let me leave",
    "he wont let me out",
    "i can't breathe",
    "im bleeding",
    "i've been stabbed",
    "I'm in danger",
    "im not safe right now",
    "we are in danger",
    "i'm scared he will kill me",
    "im scared for my life",
    "i am hiding from him",
    "emergency",
    "SOS",
    "999",
    "he has a knife to my throat",
    "kill me now",
    "heeeelp meee nowwww",
    "hes gonna kil me",
    "plz help me he's here",
    "he is coming to hurt me",
    "my dad is outside",
    "my boyfriend is here",
    "they are here",
    "i am in immediate danger",
    "hes outsid",
    "call the polise",
    "i need help now",
    "need help right now",
    "he's drunk and smashing things",
    "she is throwing things at me",
    "please call 999 for me",
    "ring 999",
    "he's kicking the door in",
    "he's breaking the door down",
    "he's broken in",
    "he just punched me",
    "he has his hands round my neck",
    "he's got me trapped",
    "he's locked me in",
    "he's threatening me with a knife",
    "he's got something sharp",
    "i can hear him coming",
    "i can't get away from him",
    "hiding from him now",
    "he's threatening to burn the house down",
    "i'm scared he'll hurt me tonight",
    "he's going mad and i'm scared",
    "he's taken my phone and i'm using my tablet",
    "he just smashed my phone",
    "please send help",
    "quick help",
    "he's about to hit me",
    "i need someone to come now",
]

SELF_HARM = [
    "been cutting myself again",
    "i have my pills saved up",
    "whats the point in going on",
    "thinking of walking in front of a bus",
    "i want to kill myself",
    "i wanna kill myself",
    "i'm going to kill myself",
    "i want to die",
    "i just want to die",
    "i wanna die",
    "i dont want to live anymore",
    "i don't want to be here anymore",
    "i'm suicidal",
    "im feeling suicidal",
    "i feel suicidal",
    "thinking about suicide",
    "i want to end it all",
    "i want to end my life",
    "i might end my life",
    "better off dead",
    "everyone would be better off dead without me",
    "i wish i was dead",
    "i've taken an overdose",
    "i took an overdose",
    "i keep cutting myself",
    "i hurt myself",
    "i want to harm myself",
    "no reason to live",
    "there's no point in living",
    "i can't go on like this",
    "i cant cope anymore",
    "suicide",
    "suicidal",
    "thoughts of killing myself",
    "i'm thinking about ending it",
    "I never want to wake up",
    "i can't go on",
    "i wish i wasn't here",
    "i just want it all to stop forever",
    "everyone would be better off without me",
    "no one would miss me",
    "i'm going to take all my pills",
    "i've taken too many tablets",
    "i've got the pills ready",
    "i'm going to jump",
    "life isn't worth living",
    "what's the point of living",
    "i don't see the point in living",
    "i think about dying all the time",
    "i want to go to sleep and not wake up",
    "i can't carry on living like this",
    "i feel like there's no way out but dying",
    "i feel like giving up on life",
    "i want to stop existing",
    "i'm done with life",
]

EXIT_COMMANDS = [
    "exit",
    "EXIT",
    "Exit.",
    "exit!",
    "quick exit",
    "delete",
    "DELETE",
    "delete this chat",
    "delete everything",
    "erase",
    "leave",
    "close",
    "get out",
    "wipe",
    "clear chat",
    "  exit  ",
]

# Ordinary talk about the past or the topic: these go to information, not an alarm.
NOT_AN_ALARM = [
    # A "now" that says it is over, a figure of speech, a question about when to call.
    "he used to strangle me but that was years ago, im safe now",
    "this traffic is killing me",
    "when should i call 999 and when should i call 101",
    "he once threatened me last year, is that abuse?",
    "he threatened to kill me years ago, does that count?",
    "my ex used to hit me",
    "when i was 19 my boyfriend hit me",
    "is it abuse if he checks my phone",
    "what is coercive control",
    "what counts as domestic abuse",
    "he controls all our money",
    "he won't let me see my friends",
    "my partner reads my messages",
    "he calls me names all the time",
    "i think my relationship is unhealthy",
    "how do i make a safety plan",
    "i want to refer myself",
    "can you tell me about refuges",
    "i'd like to talk to someone",
    "what's the helpline number",
    "hello",
    "hi there",
    "thanks",
    "thank you so much",
    "menu",
    "help",
    "start again",
    "yes",
    "no",
    "maybe",
    "I'm worried about my friend",
    "how do I delete my browser history",
    "can i delete the messages on my phone",
    "how do i leave him safely",
    "i want to leave my husband",
    "i'm thinking of leaving",
    "how do I get a non-molestation order",
    "what is clare's law",
    "tell me about stalking",
    "my sister is in an abusive relationship",
    "he used to choke me during arguments",
    "is self harm common after abuse?",
    "what does suicide have to do with abuse",
    "my friend is thinking about suicide, what can I do",
    "he said he'd kill himself if i left",
    "he threatened to kill himself",
    "i'm a man, can men be abused",
    "can you help me understand what abuse is",
    "i feel safe now, thanks",
    "what if he finds out i used this",
    "i can't talk about it",
    "i cant talk to anyone about this",
    "he was outside my work last year",
    "is it normal for him to check my location",
    "i'm scared of the dark",
    "the knife drawer is broken lol",
    "we watched a film about a man with a knife",
    "i have a question about money",
    "my mum keeps shouting at me",
    "he kills me with his jokes",
    "the police came last year",
    "how do i report to the police",
    "do i have to go to the police",
    "i am 17",
    "my postcode is YO1 7HH",
    "call me sam",
    "text is best",
    "after 6pm",
    "housing and money",
    "is this a bot?",
    "are you a real person",
    "tell me about tech abuse",
    "I'm in Leeds",
    "he has a temper",
    "i can't go on holiday this year",
    "i need help with my housing",
    "he smashed my phone last year",
    "i want the shouting to stop",
    "9",
    "option 9 please",
    "i take my pills every morning",
    "i need to take my tablets",
    "he's got my phone number",
    "the door is broken",
    "he broke the door last year",
    "i used to think about leaving",
    "i'm going to jump in the shower",
    "he took my phone last year",
    "can you send someone a message for me",
    "i'm done with this form",
    "i'm planning to end the relationship",
    "he said he'd burn my clothes years ago",
    "what's the point of a safety plan",
]


@pytest.mark.parametrize("message", IMMEDIATE_DANGER)
def test_immediate_danger_is_caught(message: str) -> None:
    result = screen(message)
    assert result.emergency, f"missed danger: {message!r}"
    assert not result.exit


@pytest.mark.parametrize("message", SELF_HARM)
def test_self_harm_is_caught(message: str) -> None:
    assert screen(message).self_harm, f"missed self-harm: {message!r}"


@pytest.mark.parametrize("message", EXIT_COMMANDS)
def test_exit_commands_are_caught(message: str) -> None:
    result = screen(message)
    assert result.exit
    assert not result.emergency


@pytest.mark.parametrize("message", NOT_AN_ALARM)
def test_ordinary_talk_raises_no_alarm(message: str) -> None:
    result = screen(message)
    assert result.clear, f"false alarm on {message!r}: {result.reasons}"


def test_danger_now_outweighs_a_mention_of_the_past() -> None:
    result = screen("he threatened me last year but now he's outside with a knife")
    assert result.emergency


def test_danger_words_turn_an_exit_into_an_emergency() -> None:
    assert screen("exit").exit
    result = screen("he's got a knife, delete this")
    assert result.emergency and not result.exit


def test_self_harm_and_danger_can_both_be_true() -> None:
    result = screen("he's going to kill me and i want to die anyway")
    assert result.emergency and result.self_harm


def test_reasons_name_the_rule_that_fired() -> None:
    assert any(r.startswith("emergency:") for r in screen("hes got a knife").reasons)
    assert screen("hello").reasons == ()


@pytest.mark.parametrize(
    "message",
    ["", "   ", "\u200b\u200b", "🙂🙂🙂", "x" * 5000, "\u202ehelp\u202c", "a\x00b", "٣٣٣"],
)
def test_odd_input_never_raises(message: str) -> None:
    screen(message)


def test_invisible_characters_do_not_hide_danger() -> None:
    assert screen("he\u200bs got a kn\u200bife").emergency
    assert screen("ＨＥＳ ＧＯＴ Ａ ＫＮＩＦＥ").emergency  # full-width letters


def test_the_corpus_is_big_enough_to_mean_something() -> None:
    total = len(IMMEDIATE_DANGER) + len(SELF_HARM) + len(EXIT_COMMANDS) + len(NOT_AN_ALARM)
    assert total >= 150
