"""The local hub's details: configuration a service edits, never code."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

from api.core.locales import SOURCE_LOCALE
from api.resources.store import PAGE_CHOICES, PoliceProtectionOrders

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_AND_MINUTES = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def in_locale(words: dict[str, str], locale: str) -> str:
    """A configured phrase in the reader's language, or in English when it has none."""
    return words.get(locale) or words[SOURCE_LOCALE]


class OpeningTimes(BaseModel):
    """Some days of the week and the hours the hub answers on them, in the hub's zone."""

    days: list[Weekday]
    opens: time
    closes: time

    @field_validator("opens", "closes", mode="before")
    @classmethod
    def _written_as_hours_and_minutes(cls, value: object) -> object:
        # Unquoted, YAML reads 9:00 as the number 540, which would become 00:09.
        if not (isinstance(value, str) and HOURS_AND_MINUTES.fullmatch(value)):
            raise ValueError('write times as quoted "HH:MM" in the hub\'s own zone, e.g. "09:00"')
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self) -> OpeningTimes:
        if self.opens >= self.closes:
            raise ValueError("opening time must be before closing time")
        return self


class HubContact(BaseModel):
    """How a survivor reaches the hub's own people: shown first when the hub is open."""

    phone: str
    # The hours in words, per language (English required): "Monday to Friday, 9am to 5pm".
    hours_text: dict[str, str]
    opening_times: list[OpeningTimes]
    # Bank holidays and any other day the hub is closed.
    closed_on: list[date] = Field(default_factory=list)
    web_chat_url: str | None = None

    @field_validator("hours_text")
    @classmethod
    def _has_english(cls, value: dict[str, str]) -> dict[str, str]:
        if not value.get(SOURCE_LOCALE):
            raise ValueError("hours_text needs an English ('en') entry")
        return value

    def closed_days_run_out(self, today: date, ahead_days: int = 180) -> bool:
        """True when no closed day is listed for the coming months: next year's bank
        holidays have not been added, and the hub would be shown open on them."""
        return not any(today <= day <= today + timedelta(days=ahead_days) for day in self.closed_on)

    def is_open(self, local: datetime) -> bool:
        """Whether the hub answers at this moment, given as a time in the hub's zone."""
        if local.date() in self.closed_on:
            return False
        day = WEEKDAYS[local.weekday()]
        now = local.time()
        return any(
            day in hours.days and hours.opens <= now < hours.closes for hours in self.opening_times
        )


class BehaviourProgramme(BaseModel):
    """The local programme for people worried about their own behaviour. It takes its own
    referrals: they never go into the hub's queue for survivors."""

    name: str
    phone: str
    # Its own online referral form, if it has one.
    referral_url: str | None = None


class LiveChat(BaseModel):
    """Chat with a support worker now (docs/live-chat.md). Off unless a hub turns it on;
    "open" is the hub's own opening times and closed days (`contact`)."""

    enabled: bool = False
    # How long someone waits in the queue before they are told nobody is free, and given
    # the 24-hour helpline and the offer of a referral instead.
    max_wait_minutes: int = Field(default=10, ge=1, le=120)
    # How many chats one worker may hold at once.
    max_chats_per_worker: int = Field(default=2, ge=1, le=10)


class HubConfig(BaseModel):
    name: str
    short_name: str
    # The hub's name in other languages, where it has one; English `name` otherwise.
    names: dict[str, str] = Field(default_factory=dict)
    provider: str | None = None
    area_postcodes: list[str] = Field(default_factory=list)
    area_names: list[str] = Field(default_factory=list)
    minimum_age: int = 16
    first_contact_working_days: int = 5
    services: list[str] = Field(default_factory=list)
    # Staff read and type times in the hub's own zone (a UK summer evening is an hour off
    # UTC); everything is stored in UTC.
    time_zone: str = "Europe/London"
    contact: HubContact | None = None
    behaviour_programme: BehaviourProgramme | None = None
    police_protection_orders: PoliceProtectionOrders = "dvpo"
    live_chat: LiveChat = Field(default_factory=LiveChat)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    def name_in(self, locale: str) -> str:
        return in_locale({SOURCE_LOCALE: self.name, **self.names}, locale)

    def is_open(self, at: datetime) -> bool:
        """Whether someone at the hub can answer now (never, when no contact is configured)."""
        if at.tzinfo is None:
            raise ValueError("is_open needs an aware moment (UTC), not the server's local time")
        if self.contact is None:
            return False
        return self.contact.is_open(at.astimezone(ZoneInfo(self.time_zone)))

    def live_chat_open(self, at: datetime) -> bool:
        """Whether "chat with a support worker now" may be offered: turned on, and the hub
        open (its opening times, less its closed days)."""
        return self.live_chat.enabled and self.is_open(at)

    def message_params(self, locale: str = SOURCE_LOCALE) -> dict[str, str]:
        """What every chat message may mention about the hub, in the reader's language."""
        params = {
            "hub_name": self.name_in(locale),
            "hub_short_name": self.short_name,
            "minimum_age": str(self.minimum_age),
        }
        if self.contact is not None:
            params["hub_phone"] = self.contact.phone
            params["hub_hours"] = in_locale(self.contact.hours_text, locale)
            params["hub_chat_url"] = self.contact.web_chat_url or ""
        if self.behaviour_programme is not None:
            params["programme_name"] = self.behaviour_programme.name
            params["programme_phone"] = self.behaviour_programme.phone
            params["programme_url"] = self.behaviour_programme.referral_url or ""
        return params

    def page_choices(self) -> dict[str, str]:
        """This hub's value of every setting a topic page may vary by."""
        return {name: str(getattr(self, name)) for name in PAGE_CHOICES}


def load_hub_config(path: Path) -> HubConfig:
    with path.open(encoding="utf-8") as handle:
        return HubConfig.model_validate(yaml.safe_load(handle))


@lru_cache
def hub_config(path: Path) -> HubConfig:
    """The hub's configuration as this process read it once. The renderer's words and the
    actions' choices come from the same reading: a file edited while running must not
    make an action choose a message whose details the renderer does not have."""
    return load_hub_config(path)
