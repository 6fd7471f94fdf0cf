#!/usr/bin/env bash
# Real-time delivery figures: starts a local stack of release builds on its own ports (loopback
# only), runs the realtime-bench (1:1 latency p50/p99; 1,000 users of one chat coming online and
# the presence pushes it causes; 20 messages to that chat: answer time, last delivery, misses,
# pushes per second), and stops the stack. BENCH_CHAT_MEMBERS and BENCH_ROUNDS change the scale;
# BENCH_PARTS (1to1,login,fanout) picks the parts; BENCH_TIMEOUT (default 1800 s) bounds the run.
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
# 1,000 sockets connect 16 at a time: enough instances that connects do not queue behind each other.
export LAMBDA_CONCURRENCY=${LAMBDA_CONCURRENCY:-64}
# The bench measures delivery, not limits: 1,000 sockets open at once, far over $connect's burst.
export RATE_LIMIT_MULTIPLIER=${RATE_LIMIT_MULTIPLIER:-1000}
# Each wave of a request logs its duration, for the per-wave figures after the run.
export LOG_WAVES=1

log "building the bench ($CARGO_PROFILE)"
cargo build --quiet --profile "$CARGO_PROFILE" -p e2e --bin realtime-bench

start_local_stack

CHAT_API_URL="http://127.0.0.1:$GATEWAY_PORT" CHAT_WS_URL="ws://127.0.0.1:$GATEWAY_PORT/ws" \
  timeout "${BENCH_TIMEOUT:-1800}" "$ROOT/target/$CARGO_PROFILE/realtime-bench"

log "the waves of the functions' requests over the run, and the emulator's share of a send"
python3 "$ROOT/infra/scripts/waves.py" "$STACK_STATE_DIR/lambda.log" "$STACK_STATE_DIR/gateway.log"
