#!/usr/bin/env bash
# Fuzzes a running stack from its own OpenAPI document with schemathesis (PyPI, pinned in
# prereqs.sh): every operation, with a real token, on every check that holds the server to the
# document (no 5xx, status codes, content types, headers and bodies as documented, bad input
# refused, no route that ignores its token). `DELETE /users/me` and `POST /users/logout` end the
# caller's session, so each runs on its own with a session of its own, and the documentation
# routes on their own. One worker: with two threads, hypothesis's lambda introspection (ast.parse
# on Python 3.11) now and then failed with "AST constructor recursion depth mismatch", an error of
# the tool that failed the run.
#
#   infra/scripts/fuzz-api.sh [base-url]      # default http://127.0.0.1:8000
#
# FUZZ_MAX_EXAMPLES (default 100) caps the generated cases per operation and phase, which keeps
# the run to minutes; FUZZ_SCHEMA overrides where the document is read (a file or a URL).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=prereqs.sh
. "$ROOT/infra/scripts/prereqs.sh"
ensure_python_tools

BASE=${1:-http://127.0.0.1:8000}
SCHEMA=${FUZZ_SCHEMA:-$BASE/openapi.json}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-100}
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance
CHECKS+=,response_headers_conformance,response_schema_conformance,negative_data_rejection
CHECKS+=,ignored_auth,unsupported_method

# A fresh account and its token; the name is unique per run.
session() { # prefix
  local name="$1$(date +%s%N | tail -c 10)" password="fuzz-password-1"
  curl -fsS -o /dev/null -X POST "$BASE/users/register" -H 'content-type: application/json' \
    -d "{\"username\":\"$name\",\"email\":\"$name@fuzz.example\",\"password\":\"$password\"}"
  curl -fsS -X POST "$BASE/users/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$name\",\"password\":\"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

fuzz() { # token, schemathesis filter options...
  local token=$1
  shift
  schemathesis run "$SCHEMA" --url "$BASE" \
    --header "Authorization: Bearer $token" \
    --checks "$CHECKS" \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --request-timeout 30 \
    --suppress-health-check too_slow,filter_too_much \
    --seed 20261124 \
    "$@"
}

# DELETE /users/me and POST /users/logout end the session they are called with: each runs
# alone, with a session of its own.
log "fuzzing every API operation but DELETE /users/me and POST /users/logout, from $SCHEMA"
fuzz "$(session fuzz)" --exclude-operation-id delete_me --exclude-operation-id logout --exclude-tag docs
# The documentation routes are GET routes of the template and nothing else, so any other method
# gets API Gateway's own 404 (no route matches), on AWS as locally; the function never sees it.
log "fuzzing the documentation routes (other methods: API Gateway's 404, not a 405)"
CHECKS=${CHECKS/,unsupported_method/} fuzz "$(session docs)" --include-tag docs
log "fuzzing POST /users/logout with a session of its own"
fuzz "$(session out)" --include-operation-id logout
log "fuzzing DELETE /users/me with a throwaway account"
fuzz "$(session gone)" --include-operation-id delete_me
