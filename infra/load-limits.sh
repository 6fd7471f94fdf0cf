#!/usr/bin/env bash
# Floods the local stack and shows that its rate limits hold: wrong passwords for one account,
# one user's REST sends, one connection's WebSocket frames, while honest users keep sending in
# the same chat; prints per second what was accepted and refused (see tests/src/bin/load-limits).
#
# By default it starts its own stack on its own ports with the default limits, as on AWS
# (RATE_LIMIT_MULTIPLIER unset), and stops it afterwards. With CHAT_API_URL set (and
# CHAT_WS_URL, else derived from it) it runs against that running stack instead.
# Settings: LOAD_DYNAMODB_PORT (8105), LOAD_LAMBDA_PORT (9005), LOAD_GATEWAY_PORT (8005),
# CARGO_PROFILE (dev: the binaries local-stack.sh builds anyway).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"
cd "$ROOT"

export CARGO_PROFILE=${CARGO_PROFILE:-dev}
target_dir="$ROOT/target/$([ "$CARGO_PROFILE" = "dev" ] && echo debug || echo "$CARGO_PROFILE")"
log "building the load command ($CARGO_PROFILE)"
cargo build --quiet --profile "$CARGO_PROFILE" -p e2e --bin load-limits

if [ -z "${CHAT_API_URL:-}" ]; then
  export DYNAMODB_PORT=${LOAD_DYNAMODB_PORT:-8105}
  export LAMBDA_PORT=${LOAD_LAMBDA_PORT:-9005}
  export GATEWAY_PORT=${LOAD_GATEWAY_PORT:-8005}
  export STACK_STATE_DIR="$ROOT/target/load-stack"
  # The limits under test are the defaults, exactly as deployed.
  unset RATE_LIMIT_MULTIPLIER DYNAMODB_DATA_DIR
  start_local_stack
  export CHAT_API_URL="http://127.0.0.1:$GATEWAY_PORT" CHAT_WS_URL="ws://127.0.0.1:$GATEWAY_PORT/ws"
fi

"$target_dir/load-limits"
