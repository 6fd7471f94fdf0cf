#!/usr/bin/env bash
# Real-time delivery figures: starts a local stack of release builds (CARGO_PROFILE=optimized: faster
# to build, opt-level 3 without LTO) on its own ports, runs the realtime-bench (1:1 latency p50/p99,
# fan-out to a 200-member chat), and stops the stack.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"
cd "$ROOT"

export CARGO_PROFILE=${CARGO_PROFILE:-release}
export DYNAMODB_PORT=${BENCH_DYNAMODB_PORT:-8104}
export LAMBDA_PORT=${BENCH_LAMBDA_PORT:-9004}
export GATEWAY_PORT=${BENCH_GATEWAY_PORT:-8004}
export STACK_STATE_DIR="$ROOT/target/bench-stack"
# 200 sockets connect at once: enough instances that connects do not queue behind each other.
export LAMBDA_CONCURRENCY=${LAMBDA_CONCURRENCY:-64}
# The bench measures delivery, not limits: 200 sockets open at once, far over $connect's burst.
export RATE_LIMIT_MULTIPLIER=${RATE_LIMIT_MULTIPLIER:-1000}

log "building the bench ($CARGO_PROFILE)"
cargo build --quiet --profile "$CARGO_PROFILE" -p e2e --bin realtime-bench

start_local_stack

CHAT_API_URL="http://127.0.0.1:$GATEWAY_PORT" CHAT_WS_URL="ws://127.0.0.1:$GATEWAY_PORT/ws" \
  "$ROOT/target/$CARGO_PROFILE/realtime-bench"
