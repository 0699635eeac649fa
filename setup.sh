#!/usr/bin/env bash
# Installs what the build needs into ./.venv: the Python packages from pyproject.toml and, on
# Debian/Ubuntu, the Noto fonts the book is set in (fonts-noto-core) and HarfBuzz's font subsetter
# (libharfbuzz-subset0, for speed); for the accessibility check of `doit check`, Node.js and npm
# (Debian's nodejs/npm unless npm is already there), Debian's chromium and Ace by DAISY
# (@daisy/ace, into .tools/ace, run through its puppeteer runner on that chromium). Safe to run again.
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

# Ace by DAISY (EPUB accessibility checker) for `doit check`: Node.js + npm, Debian's chromium, and
# @daisy/ace in a project-local folder. Its Electron runner cannot be installed offline, so no
# Electron or puppeteer browser is downloaded: the check drives Debian's chromium instead.
ACE_VERSION=1.4.6
apt_install() {  # apt_install WHAT PACKAGE...: install Debian packages if we may, else say how
  local what=$1; shift
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "setup: installing $what ($*)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "setup: warning: $what missing; install it with: sudo apt-get install $*" >&2
  fi
}
command -v npm >/dev/null 2>&1 || apt_install "Node.js and npm (for Ace by DAISY)" nodejs npm
command -v chromium >/dev/null 2>&1 || apt_install "chromium (the browser Ace runs in)" chromium
if command -v npm >/dev/null 2>&1; then
  if [ ! -f .tools/ace/node_modules/@daisy/ace-cli/bin/ace.js ] || \
     ! grep -q "\"version\": \"$ACE_VERSION\"" .tools/ace/node_modules/@daisy/ace/package.json 2>/dev/null; then
    echo "setup: installing @daisy/ace $ACE_VERSION into .tools/ace (about 90 s)"
    mkdir -p .tools/ace
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
      npm install --no-audit --no-fund --silent --prefix .tools/ace "@daisy/ace@$ACE_VERSION" >/dev/null
  fi
else
  echo "setup: warning: no npm, so Ace by DAISY is not installed; 'doit check' will say so" >&2
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
echo "setup: ready (.venv)"
