#!/usr/bin/env bash
# Runs every check and every test: formatting, lints, template validation, unit tests, and the
# end-to-end tests over real HTTP and WebSockets against a local stack that this script starts
# on its own ports (so a running development stack is not disturbed) and stops at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"
cd "$ROOT"

ensure_java
ensure_node_packages
ensure_python_tools
ensure_chromium
ensure_s3s_fs

log "documentation: the front page's length and every relative link (no build)"
python3 "$ROOT/infra/scripts/check-docs.py"
log "the latency and cost model: its figures follow from its inputs (no build)"
python3 "$ROOT/infra/scripts/test_model.py"
log "the real-time bench's reading of the waves and calls from the functions' logs (no build)"
python3 "$ROOT/infra/scripts/test_waves.py"
log "the layering: no file-level import circle in any crate (no build)"
python3 "$ROOT/infra/scripts/check-import-cycles.py"
log "the TypeScript client's generated types against docs/ and its type check (no build)"
(cd "$ROOT/clients/typescript" && npm run --silent typecheck)
log "formatting and lints"
cargo fmt --all -- --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
log "what sam build links into the functions (cargo tree, no build)"
"$ROOT/infra/scripts/check-function-deps.sh"
log "template checks"
cfn-lint template.yaml
# sam validate needs a region, not credentials.
AWS_DEFAULT_REGION=us-east-1 sam validate --lint --template template.yaml

log "building"
cargo build --quiet --workspace --bins
cargo test --quiet --workspace --no-run

export DYNAMODB_PORT=${TEST_DYNAMODB_PORT:-8101}
export LAMBDA_PORT=${TEST_LAMBDA_PORT:-9001}
export GATEWAY_PORT=${TEST_GATEWAY_PORT:-8001}
export S3_PORT=${TEST_S3_PORT:-8201}
export DYNAMODB_PROXY_PORT=${TEST_DYNAMODB_PROXY_PORT:-$((DYNAMODB_PORT + 300))}
export CONTROL_PORT=${TEST_CONTROL_PORT:-$((GATEWAY_PORT + 500))}
# A fault switched on at start would break every test but the fault tests.
unset LOCAL_FAULTS
export STACK_STATE_DIR="$ROOT/target/test-stack"
unset DYNAMODB_DATA_DIR
# Presence heals within the lease plus the sweep period: seconds here (minutes in production)
# so the healing tests are quick; the test sockets ping as the contract asks clients to.
# The lease leaves three pings of margin: a frame delayed by a loaded machine must not cost a
# live test socket its connection.
export CONNECTION_LEASE_SECONDS=${CONNECTION_LEASE_SECONDS:-10}
export SCHEDULE_PERIOD_SECS=${SCHEDULE_PERIOD_SECS:-1}
export CHAT_WS_PING_SECS=${CHAT_WS_PING_SECS:-3}
# The suites create many users from one address and open sockets by the hundred: every rate
# limit (the gateway's edge limits, the functions' per-caller ones) times 1000. The limit tests
# that need the defaults say so themselves.
export RATE_LIMIT_MULTIPLIER=${RATE_LIMIT_MULTIPLIER:-1000}
# Shares of 8 users: every chat the stream pushes (more than 16 members) goes out through
# concurrent invocations of the delivery function, so the stream tests cover the sharding.
export DELIVERY_SHARD_USERS=${DELIVERY_SHARD_USERS:-8}
# Uploads never sent are deleted after seconds, not an hour, so that the sweeper's tests are
# quick; the upload URLs die before (the functions refuse any other order). The tests upload
# and send within milliseconds of asking.
export ATTACHMENT_UPLOAD_URL_SECONDS=${ATTACHMENT_UPLOAD_URL_SECONDS:-10}
export ATTACHMENT_PENDING_SECONDS=${ATTACHMENT_PENDING_SECONDS:-12}

stack=
start_stack() {
  # A marker left by an earlier stack that died would let the tests start before this one is up.
  rm -f "$STACK_STATE_DIR/ready"
  "$ROOT/infra/local-stack.sh" &
  stack=$!
  until [ -f "$STACK_STATE_DIR/ready" ]; do
    kill -0 "$stack" 2>/dev/null || { log "the local stack failed to start"; exit 1; }
    sleep 1
  done
}
stop_stack() { [ -z "$stack" ] || { kill -TERM "$stack" 2>/dev/null || true; wait "$stack" 2>/dev/null || true; }; }
trap stop_stack EXIT

log "starting a local stack for the tests"
start_stack

# The tests see what the functions see (table names, secret, DynamoDB endpoint), plus where
# the gateway listens.
set -a
# shellcheck disable=SC1091
. "$STACK_STATE_DIR/functions.env"
set +a
# The functions record their AWS calls; the tests' own calls behind the API are not theirs.
unset AWS_CALL_RECORD
# The tests look behind the API at DynamoDB Local itself, not through the functions' proxy,
# so that a database fault breaks the service and not the test's view of what it wrote.
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DYNAMODB_PORT"
export CHAT_FAULTS_URL="http://127.0.0.1:$CONTROL_PORT/_faults"
export CHAT_DYNAMODB_PROXY_URL="http://127.0.0.1:$DYNAMODB_PROXY_PORT"
export CHAT_API_URL="http://127.0.0.1:$GATEWAY_PORT"
export CHAT_WS_URL="ws://127.0.0.1:$GATEWAY_PORT/ws"

log "the stack's edges"
"$ROOT/infra/scripts/check-stack-edges.sh" "$STACK_STATE_DIR" \
  "$DYNAMODB_PORT" "$LAMBDA_PORT" "$GATEWAY_PORT" "$S3_PORT" "$DYNAMODB_PROXY_PORT" "$CONTROL_PORT"

log "running the tests"
# --include-ignored: the local gateway's tests that need Java, DynamoDB Local and the AWS CLI,
# all of which this script installed. The limit tests need the default limits: they run last,
# on a stack of their own.
cargo test --workspace -- --include-ignored --nocapture --skip default_limits:: "$@"
log "the TypeScript client's tests (clients/typescript) and its smoke command, against this stack"
(cd "$ROOT/clients/typescript" && npm test)
node "$ROOT/clients/typescript/dist/cli/main.js" smoke --api "$CHAT_API_URL" --ws "$CHAT_WS_URL"
log "the API documentation in headless chromium (screenshots in target/test-stack/screenshots)"
node "$ROOT/infra/scripts/docs-browser.mjs" "$CHAT_API_URL" "$STACK_STATE_DIR/screenshots"
log "fuzzing the API from the OpenAPI document it serves"
"$ROOT/infra/scripts/fuzz-api.sh" "$CHAT_API_URL"
# Races show only sometimes: the concurrency tests, the registration races and the socket
# open/close churn run four more times.
for run in 2 3 4 5; do
  log "concurrency tests, run $run of 5"
  cargo test --quiet -p e2e --test concurrency
  cargo test --quiet -p e2e --test users -- twenty_concurrent_registrations
  cargo test --quiet -p e2e --test websocket -- concurrent_opens_and_closes
done
log "the functions' metrics over the runs above (infra/scripts/metrics.py)"
python3 "$ROOT/infra/scripts/metrics.py" "$STACK_STATE_DIR/lambda.log" "$STACK_STATE_DIR/gateway.log"
log "each function's grants in the template against the AWS calls it made in the runs above"
# Kept for reading afterwards: the next stack starts a new record.
cp "$STACK_STATE_DIR/aws-calls.jsonl" "$STACK_STATE_DIR/aws-calls-suite.jsonl"
"$PYTHON_VENV/bin/python" "$ROOT/infra/scripts/check-grants.py" template.yaml \
  "$STACK_STATE_DIR/functions.env" "$STACK_STATE_DIR/aws-calls.jsonl"
log "the rate-limit tests, on a fresh stack with the template's default limits"
stop_stack
unset RATE_LIMIT_MULTIPLIER
start_stack
# From 127.0.0.1, whose limits the Rust limit tests leave alone (each binds an address of its own).
(cd "$ROOT/clients/typescript" && npm run --silent test:limits)
cargo test --quiet -p e2e --test limits -- --ignored
cargo test --quiet -p e2e --test limits_sockets -- --ignored
cargo test --quiet -p e2e --test limits_auth -- --ignored
stop_stack
stack=
log "the short chaos run (docs/chaos.md): 2 minutes, seed 7, on a stack of its own, dev builds"
# The dev builds the suite already built, to stay inside CI's time: the release build of the
# whole workspace alone takes longer than the run. infra/chaos.sh builds release by default.
# An action every 30 s per user (a third of the full run's rate): a debug stack on a loaded
# two-core machine serves about that, and the checks are about what the faults do, not how
# much the stack can take.
"$ROOT/infra/chaos.sh" --minutes 2 --seed 7 --profile dev --action-secs 30
log "all tests passed"
