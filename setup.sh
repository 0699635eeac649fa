#!/usr/bin/env bash
# Installs what the build needs into ./.venv: the Python packages from pyproject.toml and, on
# Debian/Ubuntu, the Noto fonts the book is set in (fonts-noto-core) and HarfBuzz's font subsetter
# (libharfbuzz-subset0, for speed). Safe to run again.
#   ./setup.sh          install for building
#   ./setup.sh --test   install for building and testing
set -euo pipefail
cd "$(dirname "$0")"

if ! fc-list 2>/dev/null | grep -q "NotoSerif-Regular"; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "setup: installing fonts-noto-core (Noto Serif and Noto Sans)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core >/dev/null
  else
    echo "setup: the Noto fonts are missing; install them with: sudo apt-get install fonts-noto-core" >&2
    exit 1
  fi
fi
# HarfBuzz's subsetter lets WeasyPrint subset fonts in C; without it, fontTools does it in Python
# (a quarter of a clean build, measured). Optional: the PDFs are correct either way.
if ! ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so.0"; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "setup: installing libharfbuzz-subset0 (faster PDF font subsetting)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null || echo "setup: warning: libharfbuzz-subset0 not installed; PDFs build more slowly" >&2
  else
    echo "setup: note: 'sudo apt-get install libharfbuzz-subset0' makes PDF builds faster" >&2
  fi
fi
if ! command -v java >/dev/null 2>&1; then
  echo "setup: warning: no Java runtime; EPUBCheck (the EPUB validator) needs Java 11+" >&2
fi

# The preview's browser test drives Debian's Chromium through Playwright (never `playwright install`,
# which downloads a browser of its own).
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "setup: installing chromium (for the preview's browser test)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || echo "setup: warning: chromium not installed; tests/test_preview.py will be skipped" >&2
  else
    echo "setup: note: 'sudo apt-get install chromium' lets tests/test_preview.py run" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
echo "setup: ready (.venv)"
