#!/usr/bin/env bash
# Failover with nothing lost (issue 17, item 3), on this machine, from nothing:
#   a throwaway PostgreSQL primary and a streaming standby with SYNCHRONOUS replication, three app
#   nodes behind nginx (a config made from deploy/nginx.conf), the mixed workload's kinds through
#   nginx with real bearer tokens — writers (the citizen applies online, the hall's clerk enters
#   walk-in applications and accepts them; each acknowledged write recorded on disk) and readers
#   (guide pages, search, the citizen's cases, the hall's queue, the log's checkpoint and tiles),
#   kept at 19 reads to 8 other requests (the mixed workload's 70 % reads),
#   then
#     (a) kill -9 one app node: nginx routes around it (the errors clients saw are counted);
#     (b) kill -9 the primary (postmaster and backends): the standby is promoted by script
#         (pg_ctl promote), the nodes' database address is switched to it, and the time until every
#         node answers again is measured;
#     (c) every acknowledged write is on the promoted server, and the log's new checkpoint proves
#         consistency with the last one fetched before the crash.
#   Exits non-zero on a lost write, an inconsistent log, or a reconnect slower than 30 s.
#
#   scripts/chaos.sh [--small | --full] [--keep] [--json FILE]
#     --small  CI: 4 workers, ≈ 15 s of load, one kill of each kind; the killed node stays down
#     --full   16 workers, ≈ 90 s of load, one kill of each kind; the killed node is restarted
#     --keep   leave the work directory (logs, data directories, acked.txt) for a post-mortem
#     --json   also write the figures to FILE
#
# Needs: PostgreSQL 15 server binaries (PG_BIN, default /usr/lib/postgresql/15/bin), nginx
# (NGINX, default /usr/sbin/nginx), node. As root, PostgreSQL runs as the `postgres` user.
# docs/operations.md, "Standby and failover"; docs/adr/0025-failover-scripted-promote.md.
set -euo pipefail

SCALE=small
KEEP=0
JSON_OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --small) SCALE=small ;;
    --full) SCALE=full ;;
    --keep) KEEP=1 ;;
    --json) JSON_OUT="$2"; shift ;;
    *) echo "usage: scripts/chaos.sh [--small|--full] [--keep] [--json FILE]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$SCALE" = small ]; then
  WORKERS=4; WARM=3; NODE_DOWN=4; BEFORE_DB=2; AFTER_DB=4; RESTART_NODE=0; LOG_VERIFY_CLI=0
else
  WORKERS=16; WARM=20; NODE_DOWN=20; BEFORE_DB=20; AFTER_DB=30; RESTART_NODE=1; LOG_VERIFY_CLI=1
fi
RECONNECT_LIMIT=30

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
NGINX="${NGINX:-/usr/sbin/nginx}"
for b in initdb pg_ctl pg_basebackup pg_isready psql; do
  [ -x "$PG_BIN/$b" ] || { echo "chaos: $PG_BIN/$b not found (set PG_BIN)" >&2; exit 3; }
done
[ -x "$NGINX" ] || { echo "chaos: nginx not found at $NGINX (set NGINX)" >&2; exit 3; }

WORK="$(mktemp -d /tmp/tongban-chaos.XXXXXX)"
chmod 755 "$WORK"
log() { printf '[chaos %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# PostgreSQL refuses to run as root
if [ "$(id -u)" = 0 ]; then
  AS_PG=(runuser -u postgres --)
  chown postgres "$WORK"
else
  AS_PG=()
fi
pgc() { "${AS_PG[@]}" "$PG_BIN/$1" "${@:2}"; }

free_port() { # the first port from $1 on that nobody listens on
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
PG1=$(free_port 55432); PG2=$(free_port $((PG1 + 1))); PGSW=$(free_port $((PG2 + 1)))
N1=$(free_port 3301); N2=$(free_port $((N1 + 1))); N3=$(free_port $((N2 + 1)))
PROXY=$(free_port 8088)
NODE_PORTS=("$N1" "$N2" "$N3")
declare -a NODE_PIDS=()
SWITCH_PID=""; LOAD_PID=""; PRIMARY_PID=""
DB_URL="postgres://postgres@127.0.0.1:$PGSW/tongban"

cleanup() {
  set +e
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
  for p in "${NODE_PIDS[@]}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  [ -f "$WORK/nginx/nginx.pid" ] && "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -s stop 2>/dev/null
  for d in pg1 pg2; do
    # not the killed primary: its postmaster.pid names a process that is gone, whose number may
    # belong to someone else's process by now
    [ "$d" = pg1 ] && [ -n "$PRIMARY_PID" ] && continue
    [ -f "$WORK/$d/postmaster.pid" ] && pgc pg_ctl -D "$WORK/$d" -m immediate stop >/dev/null 2>&1
  done
  [ -n "$SWITCH_PID" ] && kill "$SWITCH_PID" 2>/dev/null
  wait 2>/dev/null
  if [ "$KEEP" = 1 ]; then echo "chaos: work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

phase() { echo "$1" >"$WORK/phase"; log "phase: $1"; }

# ── PostgreSQL primary, seeded; then the synchronous streaming standby ──────────────────────────
log "primary on $PG1, standby on $PG2, nodes reach the primary through 127.0.0.1:$PGSW"
pgc initdb -D "$WORK/pg1" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log"
cat >>"$WORK/pg1/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG1
unix_socket_directories = '$WORK'
wal_level = replica
max_wal_senders = 4
wal_keep_size = '256MB'
synchronous_commit = on
fsync = on
max_connections = 100
shared_buffers = '64MB'
EOF
pgc pg_ctl -D "$WORK/pg1" -l "$WORK/pg1.log" -w start >/dev/null
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG1" -U postgres -qc 'create database tongban' >/dev/null

echo "127.0.0.1:$PG1" >"$WORK/pg-target"
node "$ROOT/scripts/chaos/pg-switch.mjs" "$PGSW" "$WORK/pg-target" >"$WORK/pg-switch.log" 2>&1 &
SWITCH_PID=$!

export TONGBAN_DATABASE_URL="$DB_URL"
export TONGBAN_SECRET_KEY
TONGBAN_SECRET_KEY="$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))')"
export TONGBAN_PUBLIC_URL="http://127.0.0.1:$PROXY"
export TONGBAN_TRUST_PROXY=loopback
export TONGBAN_LOG_LEVEL="${TONGBAN_LOG_LEVEL:-warn}"
export TONGBAN_DATA_DIR="$WORK/data"
export TONGBAN_ENV=development
unset TONGBAN_DEMO
cd "$ROOT"
# the demo city is seeded before the standby exists (the base backup carries it); the nodes run
# compiled JavaScript (scripts/build.mjs), built meanwhile
log "seeding the demo city"
node scripts/build.mjs >"$WORK/build.log" 2>&1 &
BUILD_PID=$!
node bin/tongban.js seed >"$WORK/seed.log" 2>&1 || { echo "chaos: seed failed" >&2; tail -5 "$WORK/seed.log" >&2; exit 1; }
wait "$BUILD_PID"
start_node() { # index (0-based)
  local i=$1
  TONGBAN_PORT="${NODE_PORTS[$i]}" TONGBAN_DEMO=0 TONGBAN_DATA_DIR="$WORK/data$i" \
    node --max-semi-space-size=2 dist/main.js >>"$WORK/node$i.log" 2>&1 &
  NODE_PIDS[$i]=$!
}
wait_healthy() { # port, seconds → 0 when /healthz answers 200
  local deadline=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/healthz" || true)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}
# the nodes start (≈ 20–90 s on a loaded machine) while the standby is made
for i in 0 1 2; do start_node "$i"; done
node bin/tongban.js token --user citizen >"$WORK/t-citizen" 2>"$WORK/token-citizen.log" &
T1=$!
node bin/tongban.js token --user clerk >"$WORK/t-clerk" 2>"$WORK/token-clerk.log" &
T2=$!

pgc pg_basebackup -h 127.0.0.1 -p "$PG1" -U postgres -D "$WORK/pg2" -R -X stream --checkpoint=fast
cat >>"$WORK/pg2/postgresql.auto.conf" <<EOF
port = $PG2
primary_conninfo = 'host=127.0.0.1 port=$PG1 user=postgres application_name=standby1'
# once promoted it has no standby of its own: waiting for one would stop every commit
synchronous_standby_names = ''
EOF
pgc pg_ctl -D "$WORK/pg2" -l "$WORK/pg2.log" -w start >/dev/null
# from now on a COMMIT on the primary returns only when the standby has flushed it to disk
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG1" -U postgres -q \
  -c "alter system set synchronous_standby_names = 'standby1'" -c 'select pg_reload_conf()' >/dev/null
st=""
for _ in $(seq 150); do
  st=$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG1" -U postgres -Atc \
    "select sync_state from pg_stat_replication where application_name = 'standby1'" 2>/dev/null || true)
  [ "$st" = sync ] && break
  sleep 0.2
done
[ "$st" = sync ] || { echo "chaos: the standby never became synchronous ($st)" >&2; exit 1; }
log "standby streaming, sync_state=sync"
wait "$T1" && wait "$T2" || { echo "chaos: tongban token failed" >&2; cat "$WORK"/token-*.log >&2; exit 1; }
node -e '
  const fs = require("fs"), d = process.argv[1], t = (w) => fs.readFileSync(`${d}/t-${w}`, "utf8").trim().split(/\s+/).pop();
  fs.writeFileSync(`${d}/tokens.json`, JSON.stringify({ citizen: t("citizen"), clerk: t("clerk") }));
' "$WORK"

for i in 0 1 2; do
  wait_healthy "${NODE_PORTS[$i]}" 240 || { echo "chaos: node $((i + 1)) did not start" >&2; tail -5 "$WORK/node$i.log" >&2; exit 1; }
done
log "nodes on ${NODE_PORTS[*]}"

# ── nginx: deploy/nginx.conf with these ports, plain HTTP on loopback, files in the work dir ─────
mkdir -p "$WORK/nginx"
awk -v n1="$N1" -v n2="$N2" -v n3="$N3" -v port="$PROXY" -v work="$WORK/nginx" '
  /^server \{/ && !seen_redirect { skipping = 1; seen_redirect = 1 }      # the :80 → https redirect
  skipping { if ($0 ~ /^\}/) skipping = 0; next }
  /ssl_|^ *server_name/ { next }
  /listen 443/ { print "    listen 127.0.0.1:" port ";"; next }
  /access_log/ { print "    access_log " work "/access.log tongban;"; next }
  { sub(/127\.0\.0\.1:3001/, "127.0.0.1:" n1); sub(/127\.0\.0\.1:3002/, "127.0.0.1:" n2);
    sub(/127\.0\.0\.1:3003/, "127.0.0.1:" n3); print }
' "$ROOT/deploy/nginx.conf" >"$WORK/nginx/tongban.conf"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon on;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  client_body_temp_path $WORK/nginx/tmp-body;
  proxy_temp_path $WORK/nginx/tmp-proxy;
  fastcgi_temp_path $WORK/nginx/tmp-fcgi;
  uwsgi_temp_path $WORK/nginx/tmp-uwsgi;
  scgi_temp_path $WORK/nginx/tmp-scgi;
  include $WORK/nginx/tongban.conf;
}
EOF
mkdir -p "$WORK"/nginx/tmp-{body,proxy,fcgi,uwsgi,scgi}
chmod -R 777 "$WORK/nginx"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
wait_healthy "$PROXY" 10 || { echo "chaos: nginx does not answer" >&2; cat "$WORK/nginx/error.log" >&2; exit 1; }
log "nginx on $PROXY"

# ── load ─────────────────────────────────────────────────────────────────────────────────────────
phase warm
node scripts/chaos/load.mjs --url "http://127.0.0.1:$PROXY" --dir "$WORK" --workers "$WORKERS" \
  >"$WORK/load.log" 2>&1 &
LOAD_PID=$!
sleep "$WARM"

# (a) one app node dies
phase node-killed
log "kill -9 node 2 (pid ${NODE_PIDS[1]})"
kill -9 "${NODE_PIDS[1]}"
wait "${NODE_PIDS[1]}" 2>/dev/null || true
NODE_PIDS[1]=""
sleep "$NODE_DOWN"
if [ "$RESTART_NODE" = 1 ]; then
  phase node-restarting
  start_node 1
  wait_healthy "${NODE_PORTS[1]}" 90 || { echo "chaos: node 2 did not come back" >&2; exit 1; }
  LIVE=(0 1 2)
else
  LIVE=(0 2) # --small: the primary dies with two nodes up (a node's start costs ≈ 20 s)
fi
phase steady
sleep "$BEFORE_DB"

# the last checkpoint a verifier fetched before the crash
curl -sf "http://127.0.0.1:$PROXY/log/checkpoint" >"$WORK/checkpoint.before"
# --full: also the whole log checked from its tiles by `tongban log verify`, which keeps what it saw
# (≈ 40 s per run on a loaded machine, so not in --small; the consistency proof is checked in both)
if [ "$LOG_VERIFY_CLI" = 1 ]; then
  node bin/tongban.js log verify --url "http://127.0.0.1:$PROXY" --state "$WORK/log-state.json" \
    >"$WORK/log-verify-before.txt" 2>&1 || { echo "chaos: the log did not verify before the crash" >&2; cat "$WORK/log-verify-before.txt" >&2; exit 1; }
fi

# (b) the primary dies: postmaster and every backend, as in a power cut of its machine
phase primary-killed
PRIMARY_PID=$(head -1 "$WORK/pg1/postmaster.pid")
CHILDREN=$(ps -o pid= --ppid "$PRIMARY_PID" | tr '\n' ' ')
T_KILL=$(now)
log "kill -9 the primary (postmaster $PRIMARY_PID and backends $CHILDREN)"
# shellcheck disable=SC2086
kill -9 "$PRIMARY_PID" $CHILDREN
# scripted failover: see it is gone, promote the standby, move the nodes' address to it
until ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG1" -t 1; do sleep 0.2; done
pgc pg_ctl -D "$WORK/pg2" -w -t 60 promote >/dev/null
echo "127.0.0.1:$PG2" >"$WORK/pg-target"
kill -HUP "$SWITCH_PID"
T_PROMOTED=$(now)
log "standby promoted and the address switched, $(secs "$T_KILL" "$T_PROMOTED") s after the kill"
phase failed-over
back=()
for i in "${LIVE[@]}"; do
  if wait_healthy "${NODE_PORTS[$i]}" $((RECONNECT_LIMIT + 30)); then back[$i]=$(now); else back[$i]=""; fi
done
RECONNECT=0
for i in "${LIVE[@]}"; do
  if [ -z "${back[$i]}" ]; then RECONNECT=999; log "node $((i + 1)) never answered again"; continue; fi
  s=$(secs "$T_KILL" "${back[$i]}")
  log "node $((i + 1)) answers again $s s after the kill"
  RECONNECT=$(awk -v a="$RECONNECT" -v b="$s" 'BEGIN { print (b > a ? b : a) }')
done
sleep "$AFTER_DB"
phase done
touch "$WORK/stop"
wait "$LOAD_PID" || true
LOAD_PID=""
for i in "${LIVE[@]}"; do
  kill -0 "${NODE_PIDS[$i]}" 2>/dev/null || { echo "chaos: node $((i + 1)) died during the run" >&2; tail -20 "$WORK/node$i.log" >&2; exit 1; }
done

# consumers catch up on the new primary (the log's leaves are appended by one), then check
for _ in $(seq 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$N1/readyz")" = 200 ] && break
  sleep 0.1
done
sleep 2 # one more checkpoint interval

# (c) nothing acknowledged is missing; the log is consistent across the crash
set +e
node --import tsx scripts/chaos/verify.ts --db "postgres://postgres@127.0.0.1:$PG2/tongban" \
  --url "http://127.0.0.1:$PROXY" --dir "$WORK"
VERIFIED=$?
LOGVERIFY=0
if [ "$LOG_VERIFY_CLI" = 1 ]; then
  node bin/tongban.js log verify --url "http://127.0.0.1:$PROXY" --state "$WORK/log-state.json" \
    >"$WORK/log-verify-after.txt" 2>&1
  LOGVERIFY=$?
  grep -h "consistent\|inconsistent\|shrank\|FAIL\|fail" "$WORK/log-verify-after.txt" | sed 's/^/log verify: /'
  [ "$LOGVERIFY" = 0 ] || { echo "chaos: tongban log verify failed after the failover" >&2; cat "$WORK/log-verify-after.txt" >&2; }
fi
set -e

# ── figures ──────────────────────────────────────────────────────────────────────────────────────
node -e '
  const fs = require("fs"), d = process.argv[1];
  const load = JSON.parse(fs.readFileSync(`${d}/load.json`, "utf8"));
  const v = fs.existsSync(`${d}/verify.json`) ? JSON.parse(fs.readFileSync(`${d}/verify.json`, "utf8")) : {};
  const errs = (p) => Object.values(load.tally[p] ?? {}).reduce((n, byStatus) =>
    n + Object.entries(byStatus).filter(([s]) => !/^2/.test(s)).reduce((m, [, c]) => m + c, 0), 0);
  const all = (p) => Object.values(load.tally[p] ?? {}).reduce((n, s) => n + Object.values(s).reduce((a, b) => a + b, 0), 0);
  const out = {
    scale: process.argv[2], workers: Number(process.argv[3]), seconds: load.seconds,
    writesAttempted: load.writes, acked: v.acked, found: v.found, missing: v.missing,
    reads: load.reads, readShare: load.readShare,
    nodeKill: { requests: all("node-killed"), notOk: errs("node-killed"), byKind: load.tally["node-killed"] },
    primaryKill: { requests: all("primary-killed") + all("failed-over"), notOk: errs("primary-killed") + errs("failed-over"),
      untilPromoted: load.tally["primary-killed"], afterPromote: load.tally["failed-over"] },
    retriedWrites: load.retries,
    nginxUpstreamErrors: Number(process.argv[6]),
    promoteSeconds: Number(process.argv[4]), reconnectSeconds: Number(process.argv[5]),
    log: v.log,
  };
  fs.writeFileSync(`${d}/result.json`, JSON.stringify(out, null, 1));
  console.log(`load: ${out.writesAttempted} writes and ${out.reads} reads (${Math.round(100 * out.readShare)} % of the requests were reads) in ${Math.round(out.seconds)} s`);
  console.log(`node kill: ${out.nodeKill.notOk} of ${out.nodeKill.requests} requests answered other than 2xx while a node was down (nginx logged ${out.nginxUpstreamErrors} upstream errors; it retries idempotent requests on another node)`);
  console.log(`primary kill: promote ${out.promoteSeconds} s, every node answering again after ${out.reconnectSeconds} s; ${out.primaryKill.notOk} of ${out.primaryKill.requests} requests not 2xx meanwhile`);
  console.log(JSON.stringify(out));
' "$WORK" "$SCALE" "$WORKERS" "$(secs "$T_KILL" "$T_PROMOTED")" "$RECONNECT" \
  "$(grep -c 'upstream' "$WORK/nginx/error.log" || true)"
[ -n "$JSON_OUT" ] && cp "$WORK/result.json" "$JSON_OUT"

FAIL=0
[ "$VERIFIED" = 0 ] || { echo "chaos: FAIL: writes missing or the log inconsistent (above)" >&2; FAIL=1; }
[ "$LOGVERIFY" = 0 ] || FAIL=1
awk -v r="$RECONNECT" -v l="$RECONNECT_LIMIT" 'BEGIN { exit !(r <= l) }' ||
  { echo "chaos: FAIL: the nodes took $RECONNECT s to reconnect (limit $RECONNECT_LIMIT s)" >&2; FAIL=1; }
[ "$FAIL" = 0 ] && log "PASS: nothing acknowledged lost, the log consistent, reconnect ${RECONNECT} s"
exit "$FAIL"
