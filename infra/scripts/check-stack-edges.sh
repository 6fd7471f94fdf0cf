#!/usr/bin/env bash
# Checks, while a local stack runs, that no other host or web page can reach it: every part
# listens on loopback only, DynamoDB Local allows no page's origin, and the stack's token secret
# is its own (not one a reader of this repository knows). `check-stack-edges.sh STATE_DIR PORT...`
# with the stack's state directory and the ports of its parts.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"

state_dir=$1
shift
status=0

# Listening sockets of the stack's ports whose local address is not loopback.
for port in "$@"; do
  while read -r address; do
    case "$address" in
      127.0.0.1:"$port" | "[::1]:$port") ;;
      *)
        log "something listens on $address, not on loopback only"
        status=1
        ;;
    esac
  done < <(ss -ltnH "sport = :$port" | awk '{print $4}')
done

# A page on another origin asks DynamoDB Local whether it may POST, then POSTs: neither answer
# may name that origin (or `*`) in `Access-Control-Allow-Origin`, without which the browser
# refuses the call.
dynamodb_port=$(sed -n 's|^AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:||p' "$state_dir/functions.env")
foreign=(-H 'Origin: https://some-page.example')
preflight=$(curl -s -o /dev/null -D - -X OPTIONS "http://127.0.0.1:$dynamodb_port/" "${foreign[@]}" \
  -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type,x-amz-target')
call=$(curl -s -o /dev/null -D - -X POST "http://127.0.0.1:$dynamodb_port/" "${foreign[@]}" \
  -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Target: DynamoDB_20120810.ListTables' -d '{}')
for answer in "$preflight" "$call"; do
  allowed=$(printf '%s\n' "$answer" | grep -i '^access-control-allow-origin' | tr -d '\r' || true)
  if [ -n "$allowed" ]; then
    log "DynamoDB Local lets another origin's page call it: $allowed"
    status=1
  fi
done

# The token secret: this stack's own, long enough, and nowhere in the repository.
secret=$(sed -n 's/^JWT_SECRET=//p' "$state_dir/functions.env")
if [ "${#secret}" -lt 32 ]; then
  log "the stack's JWT_SECRET is shorter than 32 bytes"
  status=1
elif git -C "$ROOT" grep -qF -- "$secret"; then
  log "the stack's JWT_SECRET is written in the repository"
  status=1
fi

[ "$status" = 0 ] && log "the stack's edges: loopback only, no page may call DynamoDB Local, a secret of its own"
exit "$status"
