"""The layering in docs/architecture.md, checked on the code: imports between the API's
domains run one way (down), `safety/` imports nothing of ours or of the web, and nothing
under `bot/` (Rasa's environment) imports the API."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A domain's services and models may import only from domains before it.
# Views, `deps.py`, `main.py` and the other wiring sit on top and may import any of them.
LAYERS = [
    {"core"},
    {"conversations", "languages"},
    {"resources"},
    {"nlu", "render"},
    {"rasa"},
    {"live"},
    {"chat"},
    {"channels"},
    {"erasure"},
    {"outbox"},
    {"referrals"},
    {"hub"},
    # Rasa's custom actions use every domain they need (referrals, hub, nlu, resources ...)
    # and nothing uses them but the wiring; neither they nor the console use the other.
    {"staff", "actions"},
]
WIRING_PACKAGES = {"health", "web", "migrations"}
WIRING_FILES = {
    "views.py",
    "admin_views.py",
    "casework_views.py",
    "live_views.py",
    "auth.py",
    "pages.py",
    "cli.py",
}
# Edges that still point up, each with why; remove one when it is fixed, never add one.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def layer_of(domain: str) -> int:
    for index, layer in enumerate(LAYERS):
        if domain in layer:
            return index
    raise AssertionError(f"api/{domain}/ is in no layer: add it to LAYERS and the docs")


def imports_of(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def domain_edges() -> set[tuple[str, str, str]]:
    edges = set()
    for path in (ROOT / "api").rglob("*.py"):
        parts = path.relative_to(ROOT / "api").parts
        if len(parts) == 1 or parts[0] in WIRING_PACKAGES or path.name in WIRING_FILES:
            continue  # a top-level module (main, deps, models) or wiring
        for module in imports_of(path):
            if module.startswith("api.") and module.split(".")[1] != parts[0]:
                edges.add((parts[0], module.split(".")[1], str(path.relative_to(ROOT))))
    return edges


def test_domains_import_only_downwards() -> None:
    upward = []
    for source, target, where in sorted(domain_edges()):
        if target in {"deps", "models", "main"}:
            upward.append(f"{where} imports api.{target}, which is wiring")
        elif layer_of(target) >= layer_of(source) and (source, target) not in KNOWN_UPWARD:
            upward.append(f"{where}: {source} -> {target}")
    assert not upward, "imports against the layering:\n" + "\n".join(upward)


def test_the_known_upward_imports_are_still_there() -> None:
    """An exception that is no longer needed is deleted, so it cannot hide a new one."""
    actual = {(source, target) for source, target, _ in domain_edges()}
    assert set(KNOWN_UPWARD) <= actual  # none today: keep it that way


def test_safety_is_a_plain_library() -> None:
    for path in (ROOT / "safety").rglob("*.py"):
        for module in imports_of(path):
            top = module.split(".")[0]
            assert top not in {"api", "bot", "fastapi", "starlette", "sqlmodel", "sqlalchemy"}, (
                f"{path.relative_to(ROOT)} imports {module}"
            )


def test_what_runs_in_rasa_imports_nothing_of_the_api() -> None:
    """Rasa's environment is Python 3.10 with Rasa's pins: the API is not installed there.
    Each top-level folder runs on one Python, so all of `bot/` is Rasa's side (the custom
    actions, which run in the API, are in `api/actions/`)."""
    rasa_side = list((ROOT / "bot").rglob("*.py"))
    assert ROOT / "bot" / "serve.py" in rasa_side
    for path in rasa_side:
        for module in imports_of(path):
            assert module.split(".")[0] not in {"api", "safety"}, (
                f"{path.relative_to(ROOT)} imports {module}"
            )
