#!/usr/bin/env bash
# Measures every function's cold start and peak memory, end to end: builds the functions with
# SAM's command (see sam_cargo_lambda_build in prereqs.sh), starts an in-memory DynamoDB Local,
# creates the template's tables, writes the functions' env file, runs infra/coldstart (which
# serves the Lambda Runtime API itself, writes what each run's event needs into DynamoDB Local —
# accounts with a live session, connections, a large chat — and spawns each binary RUNS times),
# prints its Markdown report, and stops DynamoDB Local. It exits non-zero when any run failed,
# a refused request (401, any 4xx or 5xx) included.
#
# usage: infra/scripts/coldstart.sh [extra coldstart options, e.g. --runs 20 --warmup 2]
# Settings (environment): COLDSTART_DYNAMODB_PORT (8103), COLDSTART_DIR (target/coldstart:
# env file, logs, report.md), COLDSTART_ENV (extra KEY=VALUE settings for the functions,
# space-separated, e.g. LOG_LEVEL=debug).
#
# The binaries are x86_64 here: the deployed arm64 ones cannot run on this machine, so the
# numbers stand in for Graviton's (the report says so). They come from the command SAM runs for
# an x86_64 function, `cargo lambda build --release --bin <name>` at the repository root: the
# same package selection and features as the deployed arm64 build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"

DYNAMODB_PORT=${COLDSTART_DYNAMODB_PORT:-8103}
STATE_DIR=${COLDSTART_DIR:-$ROOT/target/coldstart}
JWT_SECRET=$(random_secret)

mkdir -p "$STATE_DIR"
STATE_DIR=$(cd "$STATE_DIR" && pwd) # absolute: the binaries are linked from it below
DYNAMODB_PID=""
cleanup() {
  trap - INT TERM EXIT
  if [ -n "$DYNAMODB_PID" ]; then
    kill -TERM -- "-$DYNAMODB_PID" 2>/dev/null || true
    wait "$DYNAMODB_PID" 2>/dev/null || true
  fi
}
trap cleanup INT TERM EXIT

port_is_free "$DYNAMODB_PORT" || { log "port $DYNAMODB_PORT is in use"; exit 1; }
ensure_java
ensure_loopback_tools
ensure_node_packages
ensure_python_tools

mapfile -t FUNCTIONS < <(function_binaries)
[ "${#FUNCTIONS[@]}" -gt 0 ] || { log "no function crates found under functions/"; exit 1; }
names=()
for entry in "${FUNCTIONS[@]}"; do names+=("${entry#* }"); done

cd "$ROOT"
log "building the functions (x86_64 release, LTO: several minutes the first time)"
(
  # Niced in a subshell: the measurements below must run at normal priority.
  renice -n 10 -p "$BASHPID" >/dev/null
  # --lambda-dir only keeps these x86_64 copies away from the arm64 ones in target/lambda.
  for name in "${names[@]}"; do
    sam_cargo_lambda_build x86_64 "$name" --quiet --lambda-dir "$STATE_DIR/lambda"
  done
)
# The tool runs <bin-dir>/<name>: each is the bootstrap that SAM would package.
bin_dir="$STATE_DIR/bin"
mkdir -p "$bin_dir"
for name in "${names[@]}"; do ln -sfn "$STATE_DIR/lambda/$name/bootstrap" "$bin_dir/$name"; done
# The tool is a separate build (-p): its features never reach the functions' binaries above.
log "building the measuring tool"
nice -n 10 cargo build --quiet --release -p coldstart
gateway="$ROOT/target/debug/local-gateway"
[ -x "$gateway" ] || nice -n 10 cargo build --quiet -p local-gateway

setsid "$ROOT/infra/scripts/dynamodb-local.sh" "$DYNAMODB_PORT" "$STATE_DIR" -inMemory \
  >"$STATE_DIR/dynamodb.log" 2>&1 &
DYNAMODB_PID=$!
wait_for_http 127.0.0.1 "$DYNAMODB_PORT" 60 ||
  { log "DynamoDB Local did not start:"; cat "$STATE_DIR/dynamodb.log" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
"$gateway" tables --template "$ROOT/template.yaml" --endpoint "http://127.0.0.1:$DYNAMODB_PORT"

env_file="$STATE_DIR/functions.env"
{
  "$gateway" env --template "$ROOT/template.yaml" \
    --set "JWT_SECRET=$JWT_SECRET" \
    --set "WEBSOCKET_ENDPOINT=http://127.0.0.1:1/ws" \
    --set "METRICS_NAMESPACE=Chat/local" # the tool points WEBSOCKET_ENDPOINT at its own stand-in
  echo "AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DYNAMODB_PORT"
  echo "AWS_ACCESS_KEY_ID=local"
  echo "AWS_SECRET_ACCESS_KEY=local"
  echo "AWS_REGION=us-east-1"
  for setting in ${COLDSTART_ENV:-}; do echo "$setting"; done
} >"$env_file"
chmod 600 "$env_file"

log "measuring ${names[*]}"
functions=$(IFS=,; echo "${names[*]}")
status=0
"$ROOT/target/release/coldstart" --env-file "$env_file" --bin-dir "$bin_dir" \
  --functions "$functions" --log-dir "$STATE_DIR" "$@" | tee "$STATE_DIR/report.md" ||
  status=$?
log "report: $STATE_DIR/report.md, function logs: $STATE_DIR/<function>.log"
exit "$status"
