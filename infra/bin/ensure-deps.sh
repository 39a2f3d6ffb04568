#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than the lockfile, so that `npm start` and
# `npm test` work on a fresh clone. Install scripts of dependencies stay disabled (see allowScripts).
#
# With --browser (npm test) it also makes sure the browser tests can run: Debian's chromium, which playwright-core
# drives (it never downloads a browser of its own), and a CJK font so that Traditional Chinese renders in
# screenshots instead of tofu boxes. Installed with apt-get as root, or through `sudo -n`; otherwise it stops and
# says what to install. `npm start` and the benches without a browser don't pass --browser and never touch apt.
set -euo pipefail
cd "$(dirname "$0")/../.."

browser=false
for arg in "$@"; do
  case "$arg" in
    --browser) browser=true ;;
    *) echo "ensure-deps.sh: unknown option $arg (known: --browser)" >&2; exit 2 ;;
  esac
done

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "› installing npm dependencies (npm install, from package-lock.json)…"
  # Not `npm ci`: the registry here lists some platform-specific optional packages (other OSes' biome/buf
  # binaries) without serving them, so they are absent from the lockfile and `npm ci` refuses to run. `npm install`
  # installs exactly the locked versions and leaves the lockfile untouched.
  npm install --no-audit --no-fund --loglevel=error
fi

if [ "$browser" = true ]; then
  chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  # A font that covers Traditional Chinese: fc-list knows (fontconfig's tools may be absent before chromium is in).
  has_cjk_font() {
    if command -v fc-list >/dev/null 2>&1; then
      [ -n "$(fc-list :lang=zh-tw family 2>/dev/null)" ]
    else
      dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'
    fi
  }
  packages=()
  [ -x "$chromium_path" ] || packages+=(chromium)
  has_cjk_font || packages+=(fonts-noto-cjk)
  # xmllint (libxml2-utils) validates every generated CAP message against the CAP 1.2 schema in the tests.
  command -v xmllint >/dev/null 2>&1 || packages+=(libxml2-utils)
  if [ "${#packages[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
      as_root=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      as_root=none
    fi
    if ! command -v apt-get >/dev/null 2>&1 || [ "${as_root[*]}" = none ]; then
      echo "✗ the tests need ${packages[*]} (Debian packages), and this script cannot install them here" >&2
      echo "  (it needs apt-get, run as root or with password-less sudo). Install them yourself, e.g." >&2
      echo "    sudo apt-get install --no-install-recommends ${packages[*]}" >&2
      echo "  or point CHROMIUM_PATH at a Chromium binary (and install a CJK font such as Noto Sans CJK)." >&2
      exit 1
    fi
    echo "› installing ${packages[*]} (Debian) for the browser and CAP schema tests…"
    started=$SECONDS
    # Once per install, just before it: a fresh machine may have no package lists, or lists old enough that the
    # security archive no longer serves the chromium version they name.
    "${as_root[@]}" apt-get update -qq
    # Recommends left out (upower, udev, mesa, notification daemon, printer tools): headless chromium runs without
    # them. The lock timeout lets two concurrent runs wait for each other instead of failing.
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o DPkg::Lock::Timeout=300 "${packages[@]}" >/dev/null
    "$chromium_path" --version
    echo "› installed ${packages[*]} in $((SECONDS - started)) s"
  fi
fi
