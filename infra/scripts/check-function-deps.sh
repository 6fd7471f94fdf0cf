#!/usr/bin/env bash
# Checks, in seconds and without building, what `sam build` would link into the functions.
#
# SAM runs `cargo lambda build --release --arm64 --bin <name>` at the repository root (see
# sam_cargo_lambda_build in prereqs.sh). With no `-p`, Cargo selects the workspace's default
# members and unifies features across all of them, so whatever a selected tool or test crate
# enables on a shared dependency ends up in every function. `cargo tree` at the root with no
# `-p` resolves exactly that selection. Fails when:
#   - a function crate is not selected (SAM's `--bin <name>` would not find it), or a crate that
#     is neither a function nor a workspace crate a function depends on is selected;
#   - the resolution links aws-lc (aws-lc-sys or aws-lc-fips-sys), hyper 0.14, the rustls of
#     hyper 0.14 (0.20-0.22) or OpenSSL into a function: the SDK's default HTTPS stacks, or a
#     second TLS stack beside the one lean client every AWS client shares (chat-aws's sdk.rs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"
cd "$ROOT"

# template.yaml deploys arm64: target-specific dependencies are resolved for that target.
TARGET=aarch64-unknown-linux-gnu
# Normal edges only: build-dependencies run on the build machine and are not linked.
sam_tree() { cargo tree --quiet -e normal --target "$TARGET" --prefix none --format '{p}' "$@"; }
sam_tree_inverted() { cargo tree --quiet -e normal --target "$TARGET" --invert "$1"; }

status=0

mapfile -t functions < <(function_binaries | cut -d' ' -f1 | sort -u)
[ "${#functions[@]}" -gt 0 ] || { log "no function crates found under functions/"; exit 1; }
# The functions and the workspace crates they depend on, directly or through each other (path
# dependencies: chat-lambda, chat-aws below it, chat-core below both).
mapfile -t allowed < <(cargo metadata --no-deps --format-version 1 |
  jq -r --arg dir "$ROOT/functions/" '
    (.packages | map({key: .name, value: [.dependencies[] | select(.path) | .name]})
      | from_entries) as $deps
    | [.packages[] | select(.manifest_path | startswith($dir)) | .name]
    | [recurse(map($deps[.] // []) | flatten | unique; length > 0)] | flatten | unique[]')
mapfile -t selected < <(sam_tree --depth 0 | awk 'NF { print $1 }' | sort -u)

for package in "${functions[@]}"; do
  if ! printf '%s\n' "${selected[@]}" | grep -qx -- "$package"; then
    log "function crate $package is not selected by SAM's command at the root: add it to default-members in Cargo.toml"
    status=1
  fi
done
for package in "${selected[@]}"; do
  if ! printf '%s\n' "${allowed[@]}" | grep -qx -- "$package"; then
    log "$package is selected by SAM's command at the root, so its features reach every function: keep it out of default-members in Cargo.toml"
    status=1
  fi
done

mapfile -t forbidden < <(sam_tree | sed 's/ (\*)$//' | sort -u |
  grep -E '^aws-lc-(fips-)?sys v|^hyper v0\.14\.|^rustls v0\.2[0-2]\.|^(openssl-sys|native-tls) v' || true)
for entry in "${forbidden[@]}"; do
  spec="${entry%% *}@${entry#* v}"
  spec=${spec%% *}
  log "SAM's command would link $entry into a function; what pulls it in:"
  sam_tree_inverted "$spec" >&2 || true
  status=1
done

if [ "$status" = 0 ]; then
  log "SAM's command selects ${selected[*]}; no aws-lc, hyper 0.14 or second TLS stack in the functions"
fi
exit "$status"
