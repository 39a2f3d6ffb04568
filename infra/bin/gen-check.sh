#!/usr/bin/env bash
# Fails when proto/gen is not exactly what `npm run gen` would produce from proto/hub/**/*.proto.
set -euo pipefail
cd "$(dirname "$0")/../../proto"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx --no-install buf lint
npx --no-install buf generate -o "$tmp"
if ! diff -r gen "$tmp/gen" >"$tmp/diff.txt"; then
  echo "proto/gen is stale: run 'npm run gen' and commit the result." >&2
  head -40 "$tmp/diff.txt" >&2
  exit 1
fi
echo "› generated code is up to date"
