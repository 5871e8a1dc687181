"""The local hub's details: configuration a service edits, never code."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field


class HubConfig(BaseModel):
    name: str
    short_name: str
    provider: str | None = None
    area_postcodes: list[str] = Field(default_factory=list)
    area_names: list[str] = Field(default_factory=list)
    minimum_age: int = 16
    first_contact_working_days: int = 5
    services: list[str] = Field(default_factory=list)

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
