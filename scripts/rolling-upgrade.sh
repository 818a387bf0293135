#!/usr/bin/env bash
# A rolling upgrade, rehearsed: the previous release's node and this release's node on ONE
# PostgreSQL database (docs/operations.md, Upgrades; docs/adr/0023-expand-then-contract.md).
#
#   1. the previous release (the commit in deploy/previous-release, or $PREVIOUS_RELEASE) is
#      exported with `git archive` into a temporary directory; its node_modules is this tree's
#      when the two package-lock.json are the same, else `npm ci` there;
#   2. a fresh database; the previous release migrates it and seeds the demo city, and its node starts;
#   3. this release's node starts on the same database: it migrates it to this release (expand and
#      contract steps alike) while the old node keeps serving;
#   4. traffic against both (scripts/rolling-upgrade.traffic.ts): sign in on each and use the
#      token on the other, read the item, apply on one node and accept on the other, both ways;
#   5. no line at level error or above in either node's log; both stopped, the database dropped.
#
#   TONGBAN_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/rolling-upgrade.sh
#
# Exit 0: survived. 1: a step failed (the nodes' logs are printed). 3: cannot run here (no git
# history holding the previous release, no PostgreSQL URL): the reason on one line.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
base_url=${TONGBAN_TEST_DATABASE_URL:-${TONGBAN_DATABASE_URL:-}}
skip() { echo "rolling-upgrade: skipped: $*"; exit 3; }
[ -n "$base_url" ] || skip "no PostgreSQL (set TONGBAN_TEST_DATABASE_URL)"
git -C "$here" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout: the previous release cannot be exported"

previous=${PREVIOUS_RELEASE:-$(grep -v '^\s*#' "$here/deploy/previous-release" | grep -m1 -o '[0-9a-f]\{7,40\}' || true)}
[ -n "$previous" ] || skip "deploy/previous-release names no commit"
git -C "$here" cat-file -e "${previous}^{commit}" 2>/dev/null ||
  skip "commit $previous (deploy/previous-release) is not in this clone's history (a shallow clone? fetch with --depth 0)"
previous=$(git -C "$here" rev-parse "${previous}^{commit}")

work=$(mktemp -d "${TMPDIR:-/tmp}/tongban-rolling.XXXXXX")
db="tongban_rolling_$(date +%s)_$$"
db_url=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/"+process.argv[2]; console.log(u.toString())' "$base_url" "$db")
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql "$base_url" -qAtc "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f (last 40 lines)"; tail -n 40 "$f"; }; done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

echo "rolling-upgrade: previous release $(git -C "$here" log -1 --format='%h %cs %s' "$previous" | cut -c1-100)"
echo "rolling-upgrade: this release     $(git -C "$here" log -1 --format='%h' HEAD)$(git -C "$here" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes')"
mkdir -p "$work/prev"
git -C "$here" archive "$previous" | tar -x -C "$work/prev"
if git -C "$here" show "$previous:package-lock.json" | cmp -s - "$here/package-lock.json"; then
  ln -s "$here/node_modules" "$work/prev/node_modules"
  echo "rolling-upgrade: same package-lock.json: node_modules shared"
else
  echo "rolling-upgrade: package-lock.json differs: npm ci in the previous release"
  (cd "$work/prev" && npm ci --no-audit --no-fund --loglevel=error)
fi

# both nodes: one secret, one public name, one log origin (the log keeps its name across releases)
export TONGBAN_SECRET_KEY=${TONGBAN_SECRET_KEY:-$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')}
export TONGBAN_PUBLIC_URL=http://127.0.0.1:8080
export TONGBAN_LOG_ORIGIN=rolling.example/tongban/log
export TONGBAN_DATABASE_URL=$db_url
export TONGBAN_LOG_LEVEL=warn
export TONGBAN_HOST=127.0.0.1

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_ready() { # url pid name
  for _ in $(seq 1 600); do
    kill -0 "$2" 2>/dev/null || { echo "rolling-upgrade: the $3 node exited during start"; return 1; }
    curl -fsS -o /dev/null "$1/healthz" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "rolling-upgrade: the $3 node did not answer in 120 s"
  return 1
}
start_node() { # dir port name
  (cd "$1" && TONGBAN_PORT=$2 TONGBAN_DATA_DIR="$work/data-$3" \
    exec node --import tsx src/main.ts >"$work/$3.log" 2>&1) &
  pids+=($!)
  wait_ready "http://127.0.0.1:$2" "$!" "$3"
}

t0=$(date +%s)
psql "$base_url" -qAtc "create database $db" >/dev/null
(cd "$work/prev" && TONGBAN_DATA_DIR="$work/data-seed" node --import tsx src/cli/main.ts seed >"$work/seed.log" 2>&1) ||
  { echo "rolling-upgrade: the previous release could not seed a fresh database"; exit 1; }
echo "rolling-upgrade: previous release migrated and seeded a fresh database ($(($(date +%s) - t0)) s)"
psql "$db_url" -qAtc "select name from schema_migrations" | LC_ALL=C sort >"$work/migrations-before"
old_port=$(free_port)
start_node "$work/prev" "$old_port" old
echo "rolling-upgrade: previous release's node on :$old_port"
new_port=$(free_port)
start_node "$here" "$new_port" new
echo "rolling-upgrade: this release's node on :$new_port (it migrated the database while the old node served)"
psql "$db_url" -qAtc "select name from schema_migrations" | LC_ALL=C sort >"$work/migrations-after"
echo "rolling-upgrade: this release applied: $(LC_ALL=C comm -13 "$work/migrations-before" "$work/migrations-after" | tr '\n' ' ')"

node --import tsx "$here/scripts/rolling-upgrade.traffic.ts" "http://127.0.0.1:$old_port" "http://127.0.0.1:$new_port" |
  sed 's/^/rolling-upgrade: /'

# pino: level 50 error, 60 fatal
errors=$(cat "$work/old.log" "$work/new.log" | grep -c '"level":[56]0' || true)
if [ "$errors" -ne 0 ]; then
  echo "rolling-upgrade: $errors error lines in the nodes' logs"
  grep -h '"level":[56]0' "$work/old.log" "$work/new.log" | head -20
  exit 1
fi
applied=$(psql "$db_url" -qAtc "select count(*) from schema_migrations")
echo "rolling-upgrade: survived: both releases answered on one database ($applied migrations applied), no errors logged, $(($(date +%s) - t0)) s"
