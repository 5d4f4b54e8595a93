#!/usr/bin/env bash
# Shared by ./run and ./run-tests: a Python 3.10 virtual environment from the pinned
# requirements, and a trained model matching the current training data and config.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"

find_python() {
  for candidate in python3.10 "$HOME/.pyenv/versions/"3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    local v; v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -V | tail -n1 || true)
    if [ -n "$v" ]; then echo "$(pyenv root)/versions/$v/bin/python3.10"; return 0; fi
  fi
  return 1
}

want_hash=$(cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -c1-16)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements-hash" 2>/dev/null)" != "$want_hash" ]; then
  if ! PY=$(find_python); then
    cat >&2 <<'MSG'
Rasa Open Source 3.6 needs Python 3.10 (3.11 and newer do not work), and none was found.
Install it, then run this command again. For example:
  Debian/Ubuntu:  sudo apt-get install python3.10 python3.10-venv
  pyenv:          pyenv install 3.10.13
MSG
    exit 1
  fi
  echo "==> Creating the virtual environment with $PY (a few minutes the first time)"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade "pip<24.1" 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/pip" install --progress-bar on -r requirements.txt -c constraints.txt 2>&1 | grep -vE '^WARNING: Location|DEPRECATION' || true
  "$VENV/bin/pip" install --quiet --no-deps --no-build-isolation -e . 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -c 'import rasa, rasa_sdk, bot' || { echo "The installation failed: see the messages above." >&2; exit 1; }
  echo "$want_hash" > "$VENV/.requirements-hash"
fi

# Train only when the training data, domain or config changed since the last model.
model_hash=$(cat config.yml domain.yml $(find data -name '*.yml' | sort) bot/nlu/*.py | sha256sum | cut -c1-16)
if [ ! -f "models/$model_hash.tar.gz" ]; then
  echo "==> Training the model (about two minutes; the data or config changed)"
  mkdir -p models
  RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/rasa" train --config config.yml --domain domain.yml \
    --data data --out models --fixed-model-name "$model_hash"
  find models -name '*.tar.gz' ! -name "$model_hash.tar.gz" -delete
else
  echo "==> Model is up to date (models/$model_hash.tar.gz)"
fi
