"""Add sha256 hashes to the lock files, so pip installs them with --require-hashes.

    .venvs/api/bin/python -m scripts.hash_locks [api|bot ...]

For each pinned `name==version` line it takes the hashes PyPI publishes for every file of
that release (so a machine of another platform still finds its wheel), plus the hash of
the file pip chooses here from the configured indexes (a mirror may serve its own build).
Run it after changing a pin; setup.sh then installs nothing that was not hashed here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "requirements"
# The environment whose Python picks the files (a wheel is chosen per Python version).
PYTHONS = {"api": ROOT / ".venvs/api/bin/python", "bot": ROOT / ".venvs/bot/bin/python"}
PYPI_SIMPLE = "https://pypi.org/simple/{name}/"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> list[tuple[str, str, list[str]]]:
    """(name, version, comment lines above it), hashes from an earlier run dropped."""
    found: list[tuple[str, str, list[str]]] = []
    comments: list[str] = []
    for line in lock.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append(stripped)
        elif match := PIN.match(stripped):
            found.append((match.group(1), match.group(2), comments))
            comments = []
    return found


def file_version(filename: str, name: str) -> str | None:
    """The release a distribution file belongs to, from its name (wheel or sdist)."""
    stem = re.sub(r"\.(whl|tar\.gz|zip|tar\.bz2)$", "", filename)
    prefix = re.sub(r"[-_.]+", "[-_.]+", re.escape(normalise(name)).replace(r"\-", "-"))
    match = re.match(rf"(?i){prefix}-([^-]+)", stem)
    return match.group(1) if match else None


def published_hashes(name: str, version: str) -> set[str]:
    request = urllib.request.Request(  # noqa: S310 - a fixed https address
        PYPI_SIMPLE.format(name=normalise(name)),
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - https only
        index = json.load(response)
    return {
        entry["hashes"]["sha256"]
        for entry in index["files"]
        if "sha256" in entry.get("hashes", {}) and file_version(entry["filename"], name) == version
    }


def chosen_hashes(python: Path, lock: Path) -> dict[str, str]:
    """What pip downloads here for each pin: normalised name -> sha256."""
    with tempfile.TemporaryDirectory() as folder:
        download = ["pip", "download", "--quiet", "--no-deps", "-d", folder, "-r", str(lock)]
        subprocess.run([str(python), "-m", *download], check=True)
        chosen: dict[str, str] = {}
        for path in Path(folder).iterdir():
            name = re.split(r"-\d", path.name, maxsplit=1)[0]
            chosen[normalise(name)] = hashlib.sha256(path.read_bytes()).hexdigest()
        return chosen


def hash_lock(env: str) -> None:
    lock = LOCKS / f"{env}.lock"
    entries = pins(lock)
    plain = "\n".join(f"{name}=={version}" for name, version, _ in entries) + "\n"
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as unhashed:
        unhashed.write(plain)
        unhashed.flush()
        chosen = chosen_hashes(PYTHONS[env], Path(unhashed.name))
    lines: list[str] = []
    for name, version, comments in entries:
        hashes = published_hashes(name, version)
        if normalise(name) in chosen:
            hashes.add(chosen[normalise(name)])
        if not hashes:
            sys.exit(f"no file found for {name}=={version}")
        lines.extend(comments)
        lines.append(f"{name}=={version} \\")
        lines.extend(f"    --hash=sha256:{digest} \\" for digest in sorted(hashes))
        lines[-1] = lines[-1].removesuffix(" \\")
    lock.write_text("\n".join(lines) + "\n")
    print(f"{lock.relative_to(ROOT)}: {len(entries)} packages hashed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("envs", nargs="*", default=["api", "bot"], choices=["api", "bot"])
    for env in parser.parse_args().envs:
        hash_lock(env)


if __name__ == "__main__":
    main()
