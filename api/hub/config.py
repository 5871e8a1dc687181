"""The local hub's details: configuration a service edits, never code."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, Field, field_validator

# The police's quick protection differs by area: the Domestic Violence Protection Notice and
# Order (Crime and Security Act 2010), or the Domestic Abuse Protection Notice and Order
# (Domestic Abuse Act 2021), piloted in some areas from November 2024 and being rolled out.
PoliceProtectionOrders = Literal["dvpo", "dapo"]

# What a topic page may vary by (`variants:` in content/resources), with the values each
# setting can take: every page that varies must say something for every value.
PAGE_CHOICES: dict[str, tuple[str, ...]] = {
    "police_protection_orders": get_args(PoliceProtectionOrders),
}


class HubConfig(BaseModel):
    name: str
    short_name: str
    provider: str | None = None
    area_postcodes: list[str] = Field(default_factory=list)
    area_names: list[str] = Field(default_factory=list)
    minimum_age: int = 16
    first_contact_working_days: int = 5
    services: list[str] = Field(default_factory=list)
    # Staff read and type times in the hub's own zone (a UK summer evening is an hour off
    # UTC); everything is stored in UTC.
    time_zone: str = "Europe/London"
    police_protection_orders: PoliceProtectionOrders = "dvpo"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    def page_choices(self) -> dict[str, str]:
        """This hub's value of every setting a topic page may vary by."""
        return {name: str(getattr(self, name)) for name in PAGE_CHOICES}

    def message_params(self) -> dict[str, str]:
        """What every chat message may mention about the hub."""
        return {
            "hub_name": self.name,
            "hub_short_name": self.short_name,
            "minimum_age": str(self.minimum_age),
        }


def load_hub_config(path: Path) -> HubConfig:
    with path.open(encoding="utf-8") as handle:
        return HubConfig.model_validate(yaml.safe_load(handle))
