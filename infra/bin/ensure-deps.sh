#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than the lockfile, so that `npm start` and
# `npm test` work on a fresh clone. Install scripts of dependencies stay disabled (see allowScripts).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "› installing npm dependencies (npm install, from package-lock.json)…"
  # Not `npm ci`: the registry here lists some platform-specific optional packages (other OSes' biome/buf
  # binaries) without serving them, so they are absent from the lockfile and `npm ci` refuses to run. `npm install`
  # installs exactly the locked versions and leaves the lockfile untouched.
  npm install --no-audit --no-fund --loglevel=error
fi
