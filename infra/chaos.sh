#!/usr/bin/env bash
# The chaos run (docs/chaos.md): starts a local stack of its own on its own ports, drives a
# few hundred users through it while every fault switch fires on a schedule drawn from the
# seed, checks from the database and the clients' logs that nothing acknowledged was lost or
# doubled, stops the stack, and exits non-zero when any check failed.
#
# usage: infra/chaos.sh [--minutes N] [--seed S] [--profile release|optimized|dev] [driver options]
# Ports: CHAOS_DYNAMODB_PORT (8105), CHAOS_LAMBDA_PORT (9005), CHAOS_GATEWAY_PORT (8005),
# CHAOS_S3_PORT (8205); the proxy and control ports follow (+300, +500).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"
cd "$ROOT"

minutes=10
seed=7
profile=release
driver_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    *) driver_args+=("$1" "$2"); shift 2 ;;
  esac
done

export CARGO_PROFILE=$profile
export DYNAMODB_PORT=${CHAOS_DYNAMODB_PORT:-8105}
export LAMBDA_PORT=${CHAOS_LAMBDA_PORT:-9005}
export GATEWAY_PORT=${CHAOS_GATEWAY_PORT:-8005}
export S3_PORT=${CHAOS_S3_PORT:-8205}
export DYNAMODB_PROXY_PORT=$((DYNAMODB_PORT + 300))
export CONTROL_PORT=$((GATEWAY_PORT + 500))
export STACK_STATE_DIR="$ROOT/target/chaos-stack"
unset DYNAMODB_DATA_DIR LOCAL_FAULTS
# A lease of 30 s: the clients ping every 10 s (three frames a lease, as the contract asks),
# which keeps a few hundred sockets' pings at tens per second; a vanished socket is swept
# within 31 s, which the presence check waits for.
export CONNECTION_LEASE_SECONDS=30
export SCHEDULE_PERIOD_SECS=1
# The template's limits as they are: each simulated user writes about once in ten seconds
# (the per-user budget is 30 in 10 s), sockets open 16 at a time and the routes' edge
# throttles are far above the run's rate; a 429 that happens anyway is one the clients must
# wait out (Retry-After), as on AWS.
unset RATE_LIMIT_MULTIPLIER

[ "$profile" = release ] || log "chaos: $profile builds, not release (figures of speed are not comparable)"
log "chaos: ${minutes} min, seed $seed, template limits unchanged (RATE_LIMIT_MULTIPLIER unset: the load fits them), lease ${CONNECTION_LEASE_SECONDS} s, sweep every ${SCHEDULE_PERIOD_SECS} s"
start_local_stack

set -a
# shellcheck disable=SC1091
. "$STACK_STATE_DIR/functions.env"
set +a
# The driver reads the database directly, not through the proxy where the faults are.
unset AWS_CALL_RECORD
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DYNAMODB_PORT"
export CHAT_API_URL="http://127.0.0.1:$GATEWAY_PORT"
export CHAT_WS_URL="ws://127.0.0.1:$GATEWAY_PORT/ws"
export CHAT_FAULTS_URL="http://127.0.0.1:$CONTROL_PORT/_faults"

target_dir="$ROOT/target/$([ "$profile" = dev ] && echo debug || echo "$profile")"
# Set-up, settling and checks take a few minutes past the load.
timeout $((${minutes%.*} * 60 + 900)) "$target_dir/chaos" --minutes "$minutes" --seed "$seed" "${driver_args[@]}"
