#!/usr/bin/env bash
# Re-fetches ReDoc's standalone bundle, compiled into the docs function, from the npm package
# `redoc` at the pinned version, and checks it against the recorded sha256. `cargo build` never
# needs npm: the bundle is committed in functions/docs/assets/; this script is how it got there
# and how a version bump is made (change both pins below, run, commit).
#
# usage: infra/scripts/update-redoc.sh [--check]
#   --check   fetch and compare with the committed files, change nothing (exit 1 if they differ)
#
# 2.x, not 3.x: ReDoc 3's bundle is twice the size and reports usage to a Redocly host, which
# the docs pages must never contact.
set -euo pipefail

REDOC_VERSION=2.5.4
REDOC_SHA256=dcaf76612bc4a3fbcc923a8966dee2f6146a5f32e5ce1b6f02dd60cbbf89500b

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ASSETS="$ROOT/functions/docs/assets"
CHECK=0
case "${1:-}" in
  "") ;;
  --check) CHECK=1 ;;
  *) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent --loglevel=error "redoc@$REDOC_VERSION" >/dev/null)
tar -xzf "$work/redoc-$REDOC_VERSION.tgz" -C "$work"
bundle="$work/package/bundles/redoc.standalone.js"
actual=$(sha256sum "$bundle" | cut -d' ' -f1)
if [ "$actual" != "$REDOC_SHA256" ]; then
  echo "redoc@$REDOC_VERSION bundles/redoc.standalone.js has sha256 $actual, expected $REDOC_SHA256" >&2
  exit 1
fi

# The bundle, the notices of what it bundles, and ReDoc's own license (MIT).
files=("$bundle:redoc.standalone.js" "$bundle.LICENSE.txt:redoc.standalone.js.LICENSE.txt"
  "$work/package/LICENSE:redoc.LICENSE")
status=0
for pair in "${files[@]}"; do
  from=${pair%%:*} to="$ASSETS/${pair#*:}"
  if [ "$CHECK" = 1 ]; then
    cmp -s "$from" "$to" || { echo "$to differs from redoc@$REDOC_VERSION" >&2; status=1; }
  else
    mkdir -p "$ASSETS" && cp "$from" "$to"
  fi
done
[ "$status" = 0 ] && echo "redoc@$REDOC_VERSION bundles/redoc.standalone.js: sha256 $actual$([ "$CHECK" = 1 ] && echo ", committed copy matches")"
exit "$status"
