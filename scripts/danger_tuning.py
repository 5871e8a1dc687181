"""Choose the danger net's thresholds on the development set (tests/nlu/dev), for recall:
every danger and self-harm message the word lists miss should be caught, at the fewest
false alarms on calm messages and on questions about topics.

python -m scripts.danger_tuning
"""

from __future__ import annotations

import itertools

import safety
from api.nlu.danger import DangerNet, NetSettings
from api.nlu.encoder import get_encoder
from scripts.nlu_sets import LOCALES, load


def main() -> None:
    encoder = get_encoder()
    net = DangerNet(encoder)
    rows = []
    for locale in LOCALES:
        for item in load("dev", locale):
            screened = safety.screen(item.text, locale)
            vector = encoder.queries([item.text])[0]
            rows.append((locale, item, screened, net.closeness(vector)))
    for kind in ("danger", "self_harm"):
        missed = [
            r
            for r in rows
            if r[1].kind == kind
            and not getattr(r[2], "emergency" if kind == "danger" else "self_harm")
        ]
        total = sum(r[1].kind == kind for r in rows)
        print(f"{kind}: {len(missed)} of {total} missed by the word lists")
    for danger, margin in itertools.product((0.86, 0.87, 0.88, 0.89, 0.9, 0.91), (0.0, 0.01, 0.02)):
        settings = NetSettings(danger=danger, self_harm=danger, margin=margin)
        per_locale = []
        for locale in LOCALES:
            mine = [r for r in rows if r[0] == locale]
            d = [r for r in mine if r[1].kind in ("danger", "self_harm")]
            hit = 0
            for _, _item, screened, close in d:
                flagged = screened.emergency or screened.self_harm or _flag(close, settings)
                hit += flagged
            calm = [r for r in mine if r[1].kind in ("calm", "topic")]
            false = sum(
                (not (s.emergency or s.self_harm)) and _flag(c, settings) for _, _, s, c in calm
            )
            alone = sum(_flag(close, settings) for _, _, _, close in d)
            calm_only = [r for r in mine if r[1].kind == "calm"]
            calm_alone = sum(_flag(c, settings) for _, _, _, c in calm_only)
            per_locale.append(
                f"{locale} recall {hit}/{len(d)} (net alone {alone}) added false {false}/"
                f"{len(calm)} (calm, net alone {calm_alone}/{len(calm_only)})"
            )
        print(f"t={danger} margin={margin}: " + " | ".join(per_locale))


def _flag(close: dict[str, float], settings: NetSettings) -> bool:
    calm = close.get("calm", -1.0) + settings.margin
    return any(
        close.get(k, -1.0) >= settings.danger and close.get(k, -1.0) > calm
        for k in ("danger", "self_harm")
    )


if __name__ == "__main__":
    main()
