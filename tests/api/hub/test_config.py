"""The hub's configuration: its name in each language, and when its own line is open."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from api.core.config import PROJECT_ROOT
from api.hub.config import HubConfig, hub_config, load_hub_config

SAMPLE = PROJECT_ROOT / "content" / "hub" / "north-yorkshire-york.yml"


def config(**contact: Any) -> HubConfig:
    return HubConfig.model_validate(
        {
            "name": "the Test Hub",
            "short_name": "Front Door",
            "names": {"pl": "Hubu Testowego"},
            "contact": {
                "phone": "01234 567890",
                "hours_text": {"en": "weekdays, 9 to 5", "pl": "w dni robocze, 9-17"},
                "opening_times": [
                    {
                        "days": ["mon", "tue", "wed", "thu", "fri"],
                        "opens": "09:00",
                        "closes": "17:00",
                    }
                ],
                "closed_on": ["2026-12-25"],
                **contact,
            },
        }
    )


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), True),  # Monday, opening minute (GMT)
        (datetime(2026, 11, 30, 16, 59, tzinfo=UTC), True),
        (datetime(2026, 11, 30, 17, 0, tzinfo=UTC), False),  # closing time is closed
        (datetime(2026, 11, 30, 8, 59, tzinfo=UTC), False),
        (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), False),  # Sunday
        (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), False),  # a closed day (a Friday)
        # British Summer Time: 16:30 UTC in July is 17:30 in the hub, after closing; 08:30 UTC
        # is 09:30 in the hub, open. A hub that read UTC would get both wrong.
        (datetime(2026, 7, 1, 16, 30, tzinfo=UTC), False),
        (datetime(2026, 7, 1, 8, 30, tzinfo=UTC), True),
    ],
)
def test_the_hub_is_open_only_in_its_own_hours_and_zone(moment: datetime, open_: bool) -> None:
    assert config().is_open(moment) is open_


def test_without_a_contact_block_the_hub_is_never_offered_as_open() -> None:
    hub = HubConfig(name="the Test Hub", short_name="Front Door")
    assert hub.is_open(datetime(2026, 11, 30, 12, tzinfo=UTC)) is False
    assert "hub_phone" not in hub.message_params("en")


def test_messages_get_the_hubs_name_and_hours_in_the_readers_language() -> None:
    hub = config()
    assert hub.message_params("pl")["hub_name"] == "Hubu Testowego"
    assert hub.message_params("pl")["hub_hours"] == "w dni robocze, 9-17"
    # A language the configuration has no words for falls back to English, never to nothing.
    assert hub.message_params("ur")["hub_name"] == "the Test Hub"
    assert hub.message_params("ur")["hub_hours"] == "weekdays, 9 to 5"
    assert hub.message_params("en")["hub_phone"] == "01234 567890"


def test_hours_need_english_words_and_must_open_before_they_close() -> None:
    with pytest.raises(ValidationError, match="English"):
        config(hours_text={"pl": "zawsze"})
    with pytest.raises(ValidationError, match="before closing"):
        config(opening_times=[{"days": ["mon"], "opens": "17:00", "closes": "09:00"}])


def test_the_sample_hub_names_its_line_hours_and_bank_holidays() -> None:
    hub = load_hub_config(SAMPLE)
    assert hub.contact is not None
    assert set(hub.contact.hours_text) == {"en", "pl", "ur", "ar"}
    assert set(hub.names) == {"pl", "ur", "ar"}
    # Christmas Day 2026 is a Friday: a bank holiday, closed even at noon.
    assert hub.is_open(datetime(2026, 12, 25, 12, tzinfo=UTC)) is False
    assert hub.is_open(datetime(2026, 12, 1, 12, tzinfo=UTC)) is True


@pytest.mark.parametrize("written", [540, "9", "9am", "25:00", "09:00+01:00"])
def test_hours_must_be_written_as_quoted_hours_and_minutes(written: object) -> None:
    """Unquoted in YAML, 9:00 is the number 540: it must be refused, never read as 00:09."""
    with pytest.raises(ValidationError, match="HH:MM"):
        config(opening_times=[{"days": ["mon"], "opens": written, "closes": "17:00"}])


def test_an_unquoted_time_in_a_hub_file_is_refused(tmp_path: Path) -> None:
    broken = SAMPLE.read_text(encoding="utf-8").replace('opens: "09:00"', "opens: 9:00")
    assert "opens: 9:00" in broken
    (tmp_path / "hub.yml").write_text(broken, encoding="utf-8")
    with pytest.raises(ValidationError, match="HH:MM"):
        load_hub_config(tmp_path / "hub.yml")


def test_a_moment_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        config().is_open(datetime(2026, 11, 30, 12, 0))


def test_a_hub_whose_bank_holidays_run_out_is_noticed() -> None:
    """Without next year's bank holidays the hub would be shown open on them."""
    contact = config().contact
    assert contact is not None
    assert not contact.closed_days_run_out(date(2026, 11, 1))  # Christmas is listed
    assert contact.closed_days_run_out(date(2027, 1, 1))  # nothing after 25 December 2026
    sample = load_hub_config(SAMPLE).contact
    assert sample is not None and not sample.closed_days_run_out(date(2026, 11, 29))


def test_the_renderer_and_the_actions_share_one_reading_of_the_hub_file(tmp_path: Path) -> None:
    """An edit while running must not let an action choose the hub's line while the
    renderer, which read the file at start, has no number for it."""
    path = tmp_path / "hub.yml"
    path.write_text("name: the Test Hub\nshort_name: Front Door\n", encoding="utf-8")
    first = hub_config(path)
    path.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert hub_config(path) is first and first.contact is None
