#!/usr/bin/env bash
# Builds every function's deployment package (arm64, release, zip: what `sam build` ships) and
# prints their sizes as a Markdown table, to check the "zip ≤ 3 MiB" target.
#
# usage: infra/scripts/package-sizes.sh [--no-build]
#   --no-build   only print the table from the zips already in target/lambda/
#
# Functions are the binaries of the workspace crates under functions/ (not local-gateway, e2e
# or coldstart), found with `cargo metadata`, so new functions are picked up without edits.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"

BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    -h | --help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) log "unknown option $arg (try --help)"; exit 2 ;;
  esac
done

TARGET_LIMIT_BYTES=$((3 * 1024 * 1024))

# The zip is named after the binary; -p takes the package.
mapfile -t FUNCTIONS < <(function_binaries)
[ "${#FUNCTIONS[@]}" -gt 0 ] || { log "no function crates found under functions/"; exit 1; }

if [ "$BUILD" = 1 ]; then
  ensure_python_tools
  # cargo lambda cross-compiles with zig but needs the Rust standard library for the target.
  if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    log "installing the Rust standard library for aarch64-unknown-linux-gnu"
    rustup target add aarch64-unknown-linux-gnu
  fi
  packages=()
  for entry in "${FUNCTIONS[@]}"; do packages+=(-p "${entry%% *}"); done
  # One invocation for all functions: the shared dependencies compile once.
  log "building ${#FUNCTIONS[@]} function(s) for arm64 (release, LTO: several minutes)"
  (cd "$ROOT" && cargo lambda build --release --arm64 --output-format zip "${packages[@]}")
fi

mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1024 }'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -m) ($cpu, $(nproc) cores), $(rustc --version), $(cargo lambda --version 2>/dev/null | cut -d' ' -f1-2); packages: aarch64-unknown-linux-gnu, release profile"
echo
echo "| function | zip size | unzipped binary | target ≤ 3 MiB |"
echo "| --- | ---: | ---: | --- |"
missing=0
for entry in "${FUNCTIONS[@]}"; do
  bin=${entry#* }
  zip="$ROOT/target/lambda/$bin/bootstrap.zip"
  if [ ! -f "$zip" ]; then
    echo "| $bin | no zip (run without --no-build) | | |"
    missing=1
    continue
  fi
  zip_bytes=$(stat -c %s "$zip")
  # The uncompressed size as the zip records it: no need to extract.
  bin_bytes=$(unzip -l "$zip" bootstrap | awk '$4 == "bootstrap" { print $1 }')
  verdict=no
  [ "$zip_bytes" -le "$TARGET_LIMIT_BYTES" ] && verdict=yes
  echo "| $bin | $(kib "$zip_bytes") KiB ($(mib "$zip_bytes") MiB) | $(kib "$bin_bytes") KiB ($(mib "$bin_bytes") MiB) | $verdict |"
done
exit "$missing"
