#!/usr/bin/env bash
# Create the two Python environments if they are missing or their lock files changed.
#   .venvs/bot : Python 3.10 + Rasa 3.6.21 (Rasa 3.6 supports Python 3.8-3.10 only)
#   .venvs/api : Python 3.11 + FastAPI, rasa-sdk, SQLModel, twilio, i18nice ...
# Usage: scripts/setup.sh [--browser]   (--browser also installs Debian's Chromium for tests)
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_VERSION="3.6.21"
VENVS=".venvs"
mkdir -p "$VENVS"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

lock_hash() { sha256sum "$@" | sha256sum | cut -c1-16; }

find_python310() {
  if [ -n "${PYTHON310:-}" ]; then
    [ -x "$PYTHON310" ] || die "PYTHON310=$PYTHON310 is not an executable"
    echo "$PYTHON310"; return
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local version
    version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -V | tail -n1 || true)
    if [ -n "$version" ]; then echo "$(pyenv root)/versions/$version/bin/python"; return; fi
  fi
  local on_path
  on_path=$(command -v python3.10 2>/dev/null || true)
  if [ -n "$on_path" ]; then echo "$on_path"; return; fi
  if command -v uv >/dev/null 2>&1; then
    local found
    found=$(uv python find 3.10 2>/dev/null || true)
    if [ -z "$found" ]; then
      # Debian 13 ships no 3.10: uv can fetch a standalone build, where the network allows.
      say "No Python 3.10 found: trying 'uv python install 3.10'" >&2
      uv python install 3.10 >&2 && found=$(uv python find 3.10 2>/dev/null || true)
    fi
    if [ -n "$found" ]; then echo "$found"; return; fi
  fi
  die "Python 3.10 is needed for Rasa 3.6 (it supports 3.8 to 3.10 only) and none was found.
Any one of these gives you one:
  - uv:    curl -LsSf https://astral.sh/uv/install.sh | sh   then   uv python install 3.10
  - pyenv: pyenv install 3.10
  - your own build: set PYTHON310=/path/to/python3.10
Then run the same command again."
}

find_python311() {
  for candidate in "${PYTHON311:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'; then
      command -v "$candidate"; return
    fi
  done
  die "Python 3.11 or newer is needed for the API. Set PYTHON311=/path/to/python3.11."
}

setup_bot() {
  local env="$VENVS/bot" stamp want
  want=$(lock_hash requirements/bot.lock)
  stamp="$env/.front-door-lock"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  local python
  python=$(find_python310)
  say "Creating the Rasa environment (Python 3.10, Rasa $RASA_VERSION) - the first time takes a few minutes"
  rm -rf "$env"
  "$python" -m venv "$env"
  "$env/bin/python" -m pip install --quiet --upgrade "pip<25"
  # The lock pins every package with its hashes (scripts/hash_locks.py): --no-deps means
  # nothing unpinned can slip in, --require-hashes that no other file can.
  "$env/bin/python" -m pip install --progress-bar off --no-deps --require-hashes -r requirements/bot.lock
  local got
  got=$(RASA_TELEMETRY_ENABLED=false "$env/bin/python" -c 'import rasa; print(rasa.__version__)')
  [ "$got" = "$RASA_VERSION" ] || die "expected Rasa $RASA_VERSION in $env, found $got"
  echo "$want" > "$stamp"
}

setup_api() {
  local env="$VENVS/api" stamp want
  want=$(lock_hash requirements/api.lock pyproject.toml)
  stamp="$env/.front-door-lock"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  local python
  python=$(find_python311)
  say "Creating the API environment ($("$python" --version))"
  rm -rf "$env"
  "$python" -m venv "$env"
  "$env/bin/python" -m pip install --quiet --upgrade pip
  "$env/bin/python" -m pip install --progress-bar off --no-deps --require-hashes -r requirements/api.lock
  "$env/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
  "$env/bin/python" -m pip check
  echo "$want" > "$stamp"
}

# Chromium, and Noto fonts so Urdu and Arabic render as they do on survivors' phones
# (without them, Urdu letters such as ہ and ے show as empty boxes in screenshots).
NOTO_URDU=/usr/share/fonts/truetype/noto/NotoNastaliqUrdu-Regular.ttf

setup_browser() {
  if [ -x /usr/bin/chromium ] && [ -f "$NOTO_URDU" ]; then return; fi
  say "Installing Chromium and Noto fonts from Debian's packages, for the browser tests"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-core >/dev/null
  [ -x /usr/bin/chromium ] || die "Chromium did not install"
  [ -f "$NOTO_URDU" ] || die "The Noto fonts did not install"
}

setup_bot
setup_api
if [ "${1:-}" = "--browser" ]; then setup_browser; fi
