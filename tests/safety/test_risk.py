"""Triage flags: reasons for staff, and a priority that decides the queue order."""

from __future__ import annotations

from safety import triage


def test_no_answers_no_flags() -> None:
    result = triage({})
    assert result.flags == () and result.priority == "standard"


def test_threats_to_kill_and_strangulation_are_urgent_with_reasons() -> None:
    result = triage({"risk_threats": True, "risk_strangled": True, "risk_afraid": False})
    assert {f.code for f in result.flags} == {"threats_to_kill", "strangulation"}
    assert result.priority == "urgent"
    assert all(f.reason for f in result.flags)


def test_children_and_pregnancy_are_flagged() -> None:
    result = triage({"children_count": 2, "pregnant": True})
    assert {f.code for f in result.flags} == {"children_in_home", "pregnant"}
    assert result.priority == "high"


def test_skipped_answers_raise_nothing() -> None:
    result = triage({"risk_threats": "skipped", "children_count": "skipped", "pregnant": "skipped"})
    assert result.flags == ()


def test_unsure_area_is_flagged_for_staff_without_raising_priority() -> None:
    result = triage({"area_status": "unsure"})
    assert [f.code for f in result.flags] == ["area_unconfirmed"]
    assert result.priority == "standard"
