#!/usr/bin/env bash
# Runs the whole chat backend on this machine: DynamoDB Local, every function under
# `cargo lambda watch`, and the local API Gateway (REST, WebSocket, Management API), all driven
# by template.yaml. Ctrl-C stops everything it started.
#
# Settings (environment): DYNAMODB_PORT (8100), LAMBDA_PORT (9000), GATEWAY_PORT (8000),
# DYNAMODB_DATA_DIR (unset: in memory; set: data kept in that directory),
# LAMBDA_CONCURRENCY (32), JWT_SECRET (unset: a random secret of this stack's, written to its env
# file), CARGO_PROFILE (dev; optimized or release),
# STACK_STATE_DIR (target/local-stack: logs, env file, ready marker),
# SCHEDULE_PERIOD_SECS (unset: the template's Schedule rates; set: every schedule at that period),
# CONNECTION_LEASE_SECONDS (unset: the template's; see docs/architecture.md, "Presence heals within a bound"),
# RATE_LIMIT_MULTIPLIER (unset: the template's per-caller limits and edge throttles, as on AWS;
# set: every limit times that, for suites that create many users from one address).
# S3_PORT (8200: s3s-fs, the local S3; its files under STACK_STATE_DIR/s3, emptied at each start).
# STREAM_POLL_MILLIS (50: how often the gateway polls an idle DynamoDB stream shard for the
# template's `Type: DynamoDB` events; discarded batches go to STACK_STATE_DIR/dead-letters,
# emptied at each start).
# DELIVERY_SHARD_USERS (unset: the template's 250; the delivery function's users per share of
# a large audience, each share pushed by an invocation of its own).
# ATTACHMENT_UPLOAD_URL_SECONDS, ATTACHMENT_PENDING_SECONDS (unset: the template's 300 and 3600;
# an upload not sent within the pending time is deleted by the uploads sweeper).
# LOG_WAVES (unset; 1: the functions log each wave of a request's calls, and each AWS call in
# it, as it ends, which infra/scripts/waves.py summarises; see docs/architecture.md, "A REST
# send, walked through").
# DYNAMODB_DIRECT (unset; 1: the functions reach DynamoDB Local directly, not through the
# proxy below, so no database fault can be set: for measuring the proxy's own share).
# DYNAMODB_PROXY_PORT (DYNAMODB_PORT + 300: the gateway's proxy to DynamoDB Local, which the
# functions reach DynamoDB through), CONTROL_PORT (GATEWAY_PORT + 500: the fault switches at
# /_faults), LOCAL_FAULTS (unset: no faults; JSON as PUT /_faults takes it). See
# docs/local-stack.md, "Faults on demand".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"

DYNAMODB_PORT=${DYNAMODB_PORT:-8100}
LAMBDA_PORT=${LAMBDA_PORT:-9000}
GATEWAY_PORT=${GATEWAY_PORT:-8000}
S3_PORT=${S3_PORT:-8200}
# Derived from the ports above, so that stacks started on other ports do not collide.
DYNAMODB_PROXY_PORT=${DYNAMODB_PROXY_PORT:-$((DYNAMODB_PORT + 300))}
CONTROL_PORT=${CONTROL_PORT:-$((GATEWAY_PORT + 500))}
LAMBDA_CONCURRENCY=${LAMBDA_CONCURRENCY:-32}
CARGO_PROFILE=${CARGO_PROFILE:-dev}
STATE_DIR=${STACK_STATE_DIR:-$ROOT/target/local-stack}
# A fixed secret in the repository would let anybody who reads it mint tokens for any local
# stack: each stack makes its own unless told one (the tests read it from the env file).
JWT_SECRET=${JWT_SECRET:-$(random_secret)}

mkdir -p "$STATE_DIR"
rm -f "$STATE_DIR/ready"
# Dead letters of an earlier run would be mistaken for this run's.
rm -rf "$STATE_DIR/dead-letters"
# The AWS calls the functions make, each once per process (crates/chat-aws/src/calls.rs), for
# the check of their grants (infra/scripts/check-grants.py).
calls_file="$STATE_DIR/aws-calls.jsonl"
rm -f "$calls_file"
PIDS=()

cleanup() {
  trap - INT TERM EXIT
  log "stopping"
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$STATE_DIR/ready"
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

# Each part runs in its own process group so that stopping it also stops its children
# (cargo lambda watch runs one process per function instance).
start() { # name command...
  local name=$1; shift
  setsid "$@" >"$STATE_DIR/$name.log" 2>&1 &
  PIDS+=($!)
}

for port in "$DYNAMODB_PORT" "$LAMBDA_PORT" "$GATEWAY_PORT" "$S3_PORT" "$DYNAMODB_PROXY_PORT" "$CONTROL_PORT"; do
  port_is_free "$port" || { log "port $port is in use (is a stack already running?)"; exit 1; }
done

ensure_java
ensure_loopback_tools
ensure_node_packages
ensure_python_tools
ensure_s3s_fs

# `dev` builds fast; `optimized` (see Cargo.toml) or `release` for benchmarks.
profile_flag=(--profile "$CARGO_PROFILE")
log "building the functions and the local gateway ($CARGO_PROFILE)"
(cd "$ROOT" && cargo build --quiet "${profile_flag[@]}" --workspace --bins)
target_dir="$ROOT/target/$([ "$CARGO_PROFILE" = "dev" ] && echo debug || echo "$CARGO_PROFILE")"
gateway="$target_dir/local-gateway"

storage=(-inMemory)
if [ -n "${DYNAMODB_DATA_DIR:-}" ]; then
  mkdir -p "$DYNAMODB_DATA_DIR"
  storage=(-dbPath "$(cd "$DYNAMODB_DATA_DIR" && pwd)")
fi
# On a loopback port only, in a network namespace of its own: see infra/scripts/dynamodb-local.sh.
start dynamodb "$ROOT/infra/scripts/dynamodb-local.sh" "$DYNAMODB_PORT" "$STATE_DIR" "${storage[@]}"
wait_for_http 127.0.0.1 "$DYNAMODB_PORT" 60 || { log "DynamoDB Local did not start:"; cat "$STATE_DIR/dynamodb.log" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
"$gateway" tables --template "$ROOT/template.yaml" --endpoint "http://127.0.0.1:$DYNAMODB_PORT"

# The local S3, with the keys the functions sign with, and the template's buckets: s3s-fs keeps
# a bucket as a directory of its root.
s3_root="$STATE_DIR/s3"
rm -rf "$s3_root"
mkdir -p "$s3_root"
while read -r bucket; do
  [ -n "$bucket" ] && mkdir -p "$s3_root/$bucket"
done < <("$gateway" buckets --template "$ROOT/template.yaml")
start s3 "$S3S_FS_BIN" --host 127.0.0.1 --port "$S3_PORT" --access-key local --secret-key local "$s3_root"
wait_for_port 127.0.0.1 "$S3_PORT" 30 || { log "s3s-fs did not start:"; cat "$STATE_DIR/s3.log" >&2; exit 1; }

# The functions get the environment the template gives them on AWS, with local endpoints.
env_file="$STATE_DIR/functions.env"
{
  "$gateway" env --template "$ROOT/template.yaml" \
    --set "JWT_SECRET=$JWT_SECRET" \
    --set "WEBSOCKET_ENDPOINT=http://127.0.0.1:$GATEWAY_PORT/ws" \
    --set "METRICS_NAMESPACE=Chat/local" \
    ${CONNECTION_LEASE_SECONDS:+--set "CONNECTION_LEASE_SECONDS=$CONNECTION_LEASE_SECONDS"} \
    ${RATE_LIMIT_MULTIPLIER:+--set "RATE_LIMIT_MULTIPLIER=$RATE_LIMIT_MULTIPLIER"} \
    ${DELIVERY_SHARD_USERS:+--set "DELIVERY_SHARD_USERS=$DELIVERY_SHARD_USERS"} \
    ${ATTACHMENT_UPLOAD_URL_SECONDS:+--set "ATTACHMENT_UPLOAD_URL_SECONDS=$ATTACHMENT_UPLOAD_URL_SECONDS"} \
    ${ATTACHMENT_PENDING_SECONDS:+--set "ATTACHMENT_PENDING_SECONDS=$ATTACHMENT_PENDING_SECONDS"} \
    ${LOG_WAVES:+--set "LOG_WAVES=$LOG_WAVES"}
  # Through the gateway's proxy, where the database faults happen (a plain pass-through
  # while they are off); straight to DynamoDB Local with DYNAMODB_DIRECT=1.
  if [ "${DYNAMODB_DIRECT:-}" = 1 ]; then
    echo "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DYNAMODB_PORT"
  else
    echo "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DYNAMODB_PROXY_PORT"
  fi
  # The delivery function invokes itself (shares of a large audience) through the gateway's
  # Invoke API, which refuses with 429 at the function's concurrency limit as Lambda does.
  echo "AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:$GATEWAY_PORT"
  echo "AWS_ENDPOINT_URL_S3=http://127.0.0.1:$S3_PORT"
  echo "AWS_CALL_RECORD=$calls_file"
  echo "AWS_ACCESS_KEY_ID=local"
  echo "AWS_SECRET_ACCESS_KEY=local"
  echo "AWS_REGION=us-east-1"
} >"$env_file"
chmod 600 "$env_file"

# See infra/scripts/cargo-run-prebuilt: instances start from the binaries built above.
REAL_CARGO=$(rustup which cargo 2>/dev/null || command -v cargo)
export REAL_CARGO PREBUILT_DIR="$target_dir"
start lambda env CARGO="$ROOT/infra/scripts/cargo-run-prebuilt" \
  cargo-lambda lambda watch --quiet "${profile_flag[@]}" --ignore-changes \
  --invoke-address 127.0.0.1 --invoke-port "$LAMBDA_PORT" \
  --concurrency "$LAMBDA_CONCURRENCY" --env-file "$env_file" --manifest-path "$ROOT/Cargo.toml"
wait_for_port 127.0.0.1 "$LAMBDA_PORT" 120 || { log "cargo lambda watch did not start:"; cat "$STATE_DIR/lambda.log" >&2; exit 1; }

start gateway "$gateway" serve --template "$ROOT/template.yaml" \
  --listen "127.0.0.1:$GATEWAY_PORT" --lambda "http://127.0.0.1:$LAMBDA_PORT" \
  --lambda-concurrency "$LAMBDA_CONCURRENCY" \
  --dynamodb-endpoint "http://127.0.0.1:$DYNAMODB_PORT" --dead-letter-dir "$STATE_DIR/dead-letters" \
  --dynamodb-proxy-listen "127.0.0.1:$DYNAMODB_PROXY_PORT" --control-listen "127.0.0.1:$CONTROL_PORT" \
  ${STREAM_POLL_MILLIS:+--stream-poll-millis "$STREAM_POLL_MILLIS"} \
  ${SCHEDULE_PERIOD_SECS:+--schedule-period-secs "$SCHEDULE_PERIOD_SECS"}
wait_for_port 127.0.0.1 "$CONTROL_PORT" 30 && wait_for_port 127.0.0.1 "$GATEWAY_PORT" 30 || { log "the local gateway did not start:"; cat "$STATE_DIR/gateway.log" >&2; exit 1; }

# Ready means every function answers through the gateway (the first call starts each one).
for path in /users/me /chats /messages/conversations /attachments/x; do
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GATEWAY_PORT$path")" = 401 ]; do
    sleep 0.5
  done
done

touch "$STATE_DIR/ready"
cat >&2 <<EOT

  chat backend is up
    REST API           http://127.0.0.1:$GATEWAY_PORT
    WebSocket API      ws://127.0.0.1:$GATEWAY_PORT/ws?token=<JWT>
    Management API     http://127.0.0.1:$GATEWAY_PORT/ws/@connections/{connection_id}
    Lambda Invoke API  http://127.0.0.1:$LAMBDA_PORT (cargo lambda watch)
    S3 (s3s-fs)        http://127.0.0.1:$S3_PORT (files in $s3_root)
    DynamoDB Local     http://127.0.0.1:$DYNAMODB_PORT ($([ -n "${DYNAMODB_DATA_DIR:-}" ] && echo "data in $DYNAMODB_DATA_DIR" || echo "in memory"))
    DynamoDB proxy     http://127.0.0.1:$DYNAMODB_PROXY_PORT (the functions' endpoint)
    fault switches     http://127.0.0.1:$CONTROL_PORT/_faults
    logs               $STATE_DIR/*.log

  Ctrl-C stops everything.
EOT
wait -n "${PIDS[@]}" || true
log "a part of the stack exited; see $STATE_DIR/*.log"
exit 1
