#!/usr/bin/env bash
# Builds every function's deployment package with the command `sam build` runs for it, and
# prints their sizes as a Markdown table, to check the "zip ≤ 4 MiB" budget.
#
# That command is `cargo lambda build --release --arm64 --bin <name>` at the repository root
# (see sam_cargo_lambda_build in prereqs.sh); this script runs exactly it, one function at a
# time, plus `--output-format zip`, which only packs the same binary.
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
    -h | --help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) log "unknown option $arg (try --help)"; exit 2 ;;
  esac
done

TARGET_LIMIT_BYTES=$((4 * 1024 * 1024))

# The zip is named after the binary.
mapfile -t FUNCTIONS < <(function_binaries)
[ "${#FUNCTIONS[@]}" -gt 0 ] || { log "no function crates found under functions/"; exit 1; }

ensure_python_tools
if [ "$BUILD" = 1 ]; then
  # cargo lambda cross-compiles with zig but needs the Rust standard library for the target.
  if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
    log "installing the Rust standard library for aarch64-unknown-linux-gnu"
    rustup target add aarch64-unknown-linux-gnu
  fi
  log "building ${#FUNCTIONS[@]} function(s) for arm64 (release, LTO: several minutes)"
  # Every function resolves the same package selection (the workspace's default members), so
  # the dependencies compile once, in the first build, and the others reuse them.
  for entry in "${FUNCTIONS[@]}"; do
    sam_cargo_lambda_build arm64 "${entry#* }" --output-format zip
  done
fi

mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
kib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1024 }'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -m) ($cpu, $(nproc) cores), $(rustc --version), $(cargo lambda --version 2>/dev/null | cut -d' ' -f1-2); packages: aarch64-unknown-linux-gnu, release profile, built one by one with SAM's command at the root: cargo lambda build --release --arm64 --bin <name>"
echo
echo "| function | zip size | unzipped binary | budget ≤ 4 MiB |"
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
