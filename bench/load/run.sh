#!/usr/bin/env bash
# The load measure of issue 13: the customer's subscription page, the advisor's book and the main
# API reads, with 1,000,000 subscriptions stored, at 64 connections, on SQLite and PostgreSQL.
# Figures and how to read them: docs/performance.md, "Pages and API under load, 1,000,000 subscriptions".
#
#   bench/load/run.sh                       # both providers, seed + measure (about an hour on a shared 2-core machine)
#   bench/load/run.sh --providers sqlite    # one provider
#   bench/load/run.sh --reuse               # measure again over the databases of an earlier run (kept in $WORK)
#   bench/load/run.sh --n 10000 --work /tmp/load-small   # a quick check of the script on a small seed
#
# Options: --n (1000000) subscriptions, --book (400) accounts in the signed-in advisor's book,
# --connections (64), --duration (20s per endpoint), --warmup (5s per endpoint), --work (folder,
# default /tmp/renewals-load), --pg-work (PostgreSQL's folder: $WORK-pg when an earlier run seeded it there,
# else $WORK), --reuse, --reseed, --providers "sqlite postgres", --port (5391, the web host's),
# --no-build (measure the builds already there; LOAD_WEB_DLL=path measures another build of the web host).
# A provider whose seeded database is already in its folder (its .key file and database) is reused
# without --reuse: seeding 1,000,000 subscriptions takes the best part of an hour, and a run must not
# drop it by mistake. --reseed seeds again (and deletes what was there).
# --profile: after the measures, where one book page's time goes (renewals-load-seed --profile-book:
# each read alone, then the page over HTTP, one request at a time), appended to the results.
# Tool: Debian's wrk (apt-get install wrk), 2 threads, --latency. PostgreSQL: a throwaway cluster
# started here (port 54360) and stopped at the end; its data is kept in $WORK for --reuse.
set -euo pipefail

N=1000000
BOOK=400
CONNECTIONS=64
DURATION=20s
WARMUP=5s
WORK=/tmp/renewals-load
PROVIDERS="sqlite postgres"
REUSE=0
RESEED=0
PROFILE=0
PG_WORK=""
BUILD=1
PG_PORT=54360
WEB_PORT=5391
while [[ $# -gt 0 ]]; do
  case "$1" in
    --n) N=$2; shift 2 ;;
    --book) BOOK=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --providers) PROVIDERS=$2; shift 2 ;;
    --reuse) REUSE=1; shift ;;
    --reseed) RESEED=1; shift ;;
    --profile) PROFILE=1; shift ;;
    --pg-work) PG_WORK=$2; shift 2 ;;
    --port) WEB_PORT=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) sed -n 2,22p "$0"; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v wrk >/dev/null || { echo "run.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }
PG_BIN=${RENEWALS_PG_BIN:-$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")}
mkdir -p "$WORK"
RESULTS="$WORK/results.md"
# An earlier run seeded PostgreSQL in a folder of its own (/tmp/renewals-load-pg beside /tmp/renewals-load): use it.
if [[ -z "$PG_WORK" ]]; then
  if [[ -d "$WORK-pg/postgres/data" && ! -d "$WORK/postgres/data" ]]; then PG_WORK="$WORK-pg"; else PG_WORK="$WORK"; fi
fi
ASKED_REUSE=$REUSE
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }

if [[ $BUILD -eq 1 ]]; then
  log "building (Release): the web host and the seeder"
  dotnet build "$ROOT/src/Renewals.Web" -c Release -nologo -v quiet >/dev/null
  dotnet build "$ROOT/bench/Renewals.LoadSeed" -c Release -nologo -v quiet >/dev/null
fi
# LOAD_WEB_DLL: another build of the web host to measure (a before/after pair over the same databases).
WEB_DLL=${LOAD_WEB_DLL:-"$ROOT/src/Renewals.Web/bin/Release/net10.0/Renewals.Web.dll"}
SEED_DLL="$ROOT/bench/Renewals.LoadSeed/bin/Release/net10.0/renewals-load-seed.dll"

WEB_PID=""
PG_DATA=""
cleanup() {
  [[ -n "$WEB_PID" ]] && kill "$WEB_PID" 2>/dev/null && wait "$WEB_PID" 2>/dev/null || true
  [[ -n "$PG_DATA" ]] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

pg_start() {
  local dir="$PG_WORK/postgres"
  PG_DATA="$dir/data"
  if [[ $REUSE -eq 0 || ! -d "$PG_DATA" ]]; then
    rm -rf "$dir"; mkdir -p "$dir"; chown postgres:postgres "$dir"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=trust -E UTF8 >/dev/null
  fi
  # Default durability (fsync, synchronous_commit on); 1 GB of shared buffers as the engine bench uses.
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$dir/server.log" -w start \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=8GB -c max_connections=200 \
    -c shared_preload_libraries=pg_stat_statements" >/dev/null
  if [[ $REUSE -eq 0 ]]; then
    psql -h 127.0.0.1 -p $PG_PORT -U postgres -qc "create database renewals_load" >/dev/null
  fi
  psql -h 127.0.0.1 -p $PG_PORT -U postgres -d renewals_load -qc "create extension if not exists pg_stat_statements" >/dev/null
}

seed() { # $1 provider, $2 database setting
  if [[ $REUSE -eq 1 && -s "$PWORK/$1.key" ]]; then
    return
  fi
  log "$1: seeding $N subscriptions, advisor's book $BOOK accounts"
  dotnet "$SEED_DLL" --db "$2" --n "$N" --book "$BOOK" >"$PWORK/$1.seed.out" 2>"$PWORK/$1.seed.log"
  sed -n 's/^api-key=//p' "$PWORK/$1.seed.out" >"$PWORK/$1.key"
  cat "$PWORK/$1.seed.log" >&2
}

web_start() { # $1 provider, $2 database setting
  mkdir -p "$PWORK/$1.files"
  # Demo mode on a database that already holds subscriptions only makes the demo sign-ins (DemoSignIns).
  # The API's per-key limit (600 a minute by default) is raised for the measure only, by its setting.
  dotnet "$WEB_DLL" --urls "http://127.0.0.1:$WEB_PORT" --contentRoot "$ROOT/src/Renewals.Web" \
    --Renewals:Database="$2" \
    --Renewals:PickupFolder="$PWORK/$1.files/pickup" --Renewals:LettersFolder="$PWORK/$1.files/letters" \
    --Renewals:LicenceKey="$PWORK/$1.files/licence-signing-key.pem" \
    --Renewals:Demo:Enabled=true --Renewals:Api:RequestsPerMinute=100000000 \
    --Logging:LogLevel:Default=Warning >"$PWORK/$1.web.log" 2>&1 &
  WEB_PID=$!
  for _ in $(seq 1 600); do
    curl -fso /dev/null "http://127.0.0.1:$WEB_PORT/signin" && return
    kill -0 "$WEB_PID" 2>/dev/null || { cat "$PWORK/$1.web.log" >&2; exit 1; }
    sleep 1
  done
  log "the web host did not answer in 10 minutes"; exit 1
}

settle() { # $1 provider: the dispatcher first delivers the seeding days' messages; measure once the pickup folder stops growing
  local pickup="$PWORK/$1.files/pickup" before=-1 now
  while true; do
    now=$(find "$pickup" -type f 2>/dev/null | wc -l)
    [[ "$now" == "$before" ]] && break
    before=$now; sleep 20
  done
  log "$1: $now messages delivered before the measure"
}

web_stop() {
  kill "$WEB_PID" 2>/dev/null || true
  wait "$WEB_PID" 2>/dev/null || true
  WEB_PID=""
}

signin() { # $1 email -> prints the auth cookie "renewals.auth=..."
  local jar token
  jar=$(mktemp)
  token=$(curl -fs -c "$jar" "http://127.0.0.1:$WEB_PORT/signin" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -1)
  curl -fs -o /dev/null -b "$jar" -c "$jar" "http://127.0.0.1:$WEB_PORT/signin" \
    --data-urlencode "_handler=signin" --data-urlencode "__RequestVerificationToken=$token" \
    --data-urlencode "Input.Email=$1" --data-urlencode "Input.Password=Demo-renewals-2027"
  awk '$6 == "renewals.auth" { print $6 "=" $7 }' "$jar"
  rm -f "$jar"
}

cursor() { printf 'v1:%s' "$1" | base64 | tr -d '=\n' | tr '+/' '-_'; }

measure() { # $1 provider, $2 label, $3 header, $4 path
  local url="http://127.0.0.1:$WEB_PORT$4" out status
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "$3" "$url")
  [[ "$status" == 200 ]] || { log "$2: $4 answers $status, not 200"; exit 1; }
  wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" -H "$3" "$url" >/dev/null
  local before after
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 60s --latency -H "$3" "$url")
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "$out" >"$PWORK/$1.$(echo "$2" | tr -c 'A-Za-z0-9' '-').wrk.txt"
  local p50 p99 rps requests errors
  p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  rps=$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ { print $5 } /Socket errors:/ { print $0 }' <<<"$out" | tr '\n' ' ')
  printf '| %s | %s | `%s` | %s | %s | %s | %s | %s | %s / %s |\n' "$1" "$2" "$4" "$p50" "$p99" "$rps" "$requests" "${errors:-0}" "$before" "$after" | tee -a "$RESULTS"
}

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD), web host $WEB_DLL, N=$N, book $BOOK accounts, $CONNECTIONS connections, $DURATION per endpoint"
  echo
  echo "| provider | read | path | p50 | p99 | requests/s | requests | errors | load average before / after |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |"
} >>"$RESULTS"

for provider in $PROVIDERS; do
  REUSE=$ASKED_REUSE
  case "$provider" in
    sqlite) PWORK=$WORK; mkdir -p "$WORK/sqlite"; DB="$WORK/sqlite/renewals.db"
            if [[ $RESEED -eq 0 && -s "$WORK/sqlite.key" && -s "$DB" ]]; then REUSE=1; fi
            [[ $REUSE -eq 1 ]] || rm -f "$DB" "$DB-wal" "$DB-shm" "$WORK/sqlite.key" ;;
    postgres) PWORK=$PG_WORK; mkdir -p "$PG_WORK"
              if [[ $RESEED -eq 0 && -s "$PG_WORK/postgres.key" && -d "$PG_WORK/postgres/data" ]]; then REUSE=1; fi
              pg_start; DB="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=renewals_load;Maximum Pool Size=100"
              [[ $REUSE -eq 1 ]] || rm -f "$PG_WORK/postgres.key" ;;
    *) log "unknown provider $provider"; exit 2 ;;
  esac
  [[ $REUSE -eq 1 ]] && log "$provider: reusing the seeded database in $PWORK (--reseed seeds again)"
  seed "$provider" "$DB"
  KEY=$(cat "$PWORK/$provider.key")
  log "$provider: starting the web host"
  web_start "$provider" "$DB"
  settle "$provider"
  CUSTOMER=$(signin client.fr@example.com)
  ADVISOR=$(signin advisor@example.com)
  [[ -n "$CUSTOMER" && -n "$ADVISOR" ]] || { log "sign-in failed"; exit 1; }
  # The customer's first subscription, as the dashboard links it.
  SUB=$(curl -fs -H "Cookie: $CUSTOMER" "http://127.0.0.1:$WEB_PORT/portal" | grep -o '/portal/subscriptions/[0-9]*' | head -1 | grep -o '[0-9]*$')
  log "$provider: customer's subscription $SUB; measuring"
  if [[ "$provider" == postgres ]]; then
    psql -h 127.0.0.1 -p $PG_PORT -U postgres -d renewals_load -qc "select pg_stat_statements_reset()" >/dev/null
  fi
  # The floor: a page that reads nothing from the database, under the same load, in the same run.
  measure "$provider" "floor: the sign-in page (no database)" "Accept-Language: en" "/signin"
  measure "$provider" "customer: subscription page" "Cookie: $CUSTOMER" "/portal/subscriptions/$SUB"
  # The book is paged (50 accounts a page, and as many tasks): its first page, then a page in the middle,
  # reached as the advisor reaches it, by following "next page" (the keyset anchor is in the link).
  measure "$provider" "advisor: book, first page" "Cookie: $ADVISOR" "/advisor"
  MIDDLE=/advisor
  for _ in $(seq 1 $(( BOOK / 50 / 2 ))); do
    NEXT=$(curl -fs -H "Cookie: $ADVISOR" "http://127.0.0.1:$WEB_PORT$MIDDLE" | grep -o 'href="/advisor?book-after=[0-9]*"' | head -1 | sed 's/^href="//; s/"$//')
    [[ -n "$NEXT" ]] || break
    MIDDLE=$NEXT
  done
  if [[ "$MIDDLE" != /advisor ]]; then
    measure "$provider" "advisor: book, page in the middle" "Cookie: $ADVISOR" "$MIDDLE"
  else
    log "$provider: the book has one page; no page in the middle to measure"
  fi
  measure "$provider" "API: subscriptions, page in the middle" "Authorization: Bearer $KEY" "/api/v1/subscriptions?limit=50&cursor=$(cursor $((N / 2)))"
  measure "$provider" "API: one subscription" "Authorization: Bearer $KEY" "/api/v1/subscriptions/$SUB"
  measure "$provider" "API: invoices, first page" "Authorization: Bearer $KEY" "/api/v1/invoices?limit=50"
  if [[ $PROFILE -eq 1 ]]; then
    log "$provider: profiling one book page (one request at a time)"
    { echo; echo "$provider, one book page's phases (load average $(cut -d' ' -f1-3 /proc/loadavg)):"; echo
      dotnet "$SEED_DLL" --profile-book --db "$DB" --url "http://127.0.0.1:$WEB_PORT" --cookie "$ADVISOR"; } | tee -a "$RESULTS" >&2
  fi
  web_stop
  if [[ "$provider" == postgres ]]; then
    # What the server spent its time on during the measure (the statements and their mean).
    psql -h 127.0.0.1 -p $PG_PORT -U postgres -d renewals_load -c "select round(total_exec_time) as total_ms, calls,
      round(mean_exec_time::numeric, 2) as mean_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 400) as query
      from pg_stat_statements order by total_exec_time desc limit 25" >"$PWORK/postgres.statements.txt"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null; PG_DATA=""
  fi
done
log "results appended to $RESULTS"
