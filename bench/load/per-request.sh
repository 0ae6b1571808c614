#!/usr/bin/env bash
# Per-request cost of the heaviest reads (issue 13, docs/performance.md "Session 12"): figures that the
# machine's load hardly moves, for a before/after pair of builds over the same kept database.
#   - (SQL statements a request: renewals-load-seed --count-statements, which runs the same reads through
#     the Core services with a counting interceptor; the web host's contexts log nothing);
#   - the web host's CPU a request: utime+stime from /proc/PID/stat before and after N requests made one
#     at a time on one kept-alive connection (curl), divided by N;
#   - then wrk at 64 connections (--wrk 10s; 0s skips it): latency under whatever else runs, a comparison
#     within one run only (the load average is printed with it).
#
#   bench/load/per-request.sh --db /tmp/p99-load/sqlite/renewals.db --key-file /tmp/p99-load/sqlite.key \
#       --web-dll /tmp/p99-before/Renewals.Web.dll --label before [--n 300] [--warm 500] [--wrk 10s] [--port 5393]
#
# The database is written by the host (sign-ins, the engine's pass): point it at a copy, never at the
# seeded databases kept by run.sh. Everything runs at nice 19 (the machine is shared).
set -euo pipefail

DB="" KEY_FILE="" WEB_DLL="" LABEL="build" N=300 WARM=500 WRK=10s PORT=5393
while [[ $# -gt 0 ]]; do
  case "$1" in
    --db) DB=$2; shift 2 ;;
    --key-file) KEY_FILE=$2; shift 2 ;;
    --web-dll) WEB_DLL=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    --warm) WARM=$2; shift 2 ;;
    --wrk) WRK=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    *) sed -n 2,16p "$0"; exit 2 ;;
  esac
done
[[ -n "$DB" && -n "$KEY_FILE" && -n "$WEB_DLL" ]] || { sed -n 2,16p "$0"; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(dirname "$DB")/../$LABEL.files
mkdir -p "$WORK"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
KEY=$(cat "$KEY_FILE")
BASE="http://127.0.0.1:$PORT"
WEB_PID=""
trap '[[ -n "$WEB_PID" ]] && kill "$WEB_PID" 2>/dev/null; true' EXIT

start() { # $@: extra settings
  nice -n 19 dotnet "$WEB_DLL" --urls "$BASE" --contentRoot "$ROOT/src/Renewals.Web" --Renewals:Database="$DB" \
    --Renewals:PickupFolder="$WORK/pickup" --Renewals:LettersFolder="$WORK/letters" \
    --Renewals:LicenceKey="$WORK/licence-signing-key.pem" --Renewals:Demo:Enabled=true \
    --Renewals:Api:RequestsPerMinute=100000000 --Logging:LogLevel:Default=Warning "$@" >"$WORK/web.log" 2>&1 &
  WEB_PID=$!
  for _ in $(seq 1 600); do
    curl -fso /dev/null "$BASE/signin" && return
    kill -0 "$WEB_PID" 2>/dev/null || { cat "$WORK/web.log" >&2; exit 1; }
    sleep 1
  done
  exit 1
}
stop() { kill "$WEB_PID" 2>/dev/null || true; wait "$WEB_PID" 2>/dev/null || true; WEB_PID=""; }

signin() { # $1 email -> "renewals.auth=..."
  local jar token
  jar=$(mktemp)
  token=$(curl -fs -c "$jar" "$BASE/signin" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -1)
  curl -fs -o /dev/null -b "$jar" -c "$jar" "$BASE/signin" --data-urlencode "_handler=signin" \
    --data-urlencode "__RequestVerificationToken=$token" --data-urlencode "Input.Email=$1" --data-urlencode "Input.Password=Demo-renewals-2027"
  awk '$6 == "renewals.auth" { print $6 "=" $7 }' "$jar"
  rm -f "$jar"
}

urls() { # $1 path, $2 count: the same URL $2 times, for one curl on one connection
  local i
  for ((i = 0; i < $2; i++)); do printf '%s ' "$BASE$1"; done
}

ticks() { awk '{ print $14 + $15 }' "/proc/$WEB_PID/stat"; }

reads() { # prints "label|header|path" lines once signed in
  CUSTOMER=$(signin client.fr@example.com)
  ADVISOR=$(signin advisor@example.com)
  SUB=$(curl -fs -H "Cookie: $CUSTOMER" "$BASE/portal" | grep -o '/portal/subscriptions/[0-9]*' | head -1 | grep -o '[0-9]*$')
  MIDDLE=/advisor
  for _ in 1 2 3 4; do
    NEXT=$(curl -fs -H "Cookie: $ADVISOR" "$BASE$MIDDLE" | grep -o 'href="/advisor?book-after=[0-9]*"' | head -1 | sed 's/^href="//; s/"$//')
    [[ -n "$NEXT" ]] && MIDDLE=$NEXT
  done
  READS=("floor: /signin|Accept-Language: en|/signin"
    "advisor: book, first page|Cookie: $ADVISOR|/advisor"
    "advisor: book, page in the middle|Cookie: $ADVISOR|$MIDDLE"
    "customer: subscription page|Cookie: $CUSTOMER|/portal/subscriptions/$SUB"
    "API: one subscription|Authorization: Bearer $KEY|/api/v1/subscriptions/$SUB")
}

echo "| $LABEL | read | CPU ms a request (n=$N) | wrk p50 / p99 / req/s | load average |"
# CPU a request, then wrk.
start
reads
for r in "${READS[@]}"; do
  IFS='|' read -r label header path <<<"$r"
  # Warm-up (--warm requests, 500): the JIT's later tiers arrive over hundreds of requests and are not the read's cost.
  # shellcheck disable=SC2046
  curl -fs -H "$header" $(urls "$path" "$WARM") >/dev/null
  t0=$(ticks)
  # shellcheck disable=SC2046
  curl -fs -H "$header" $(urls "$path" "$N") >/dev/null
  t1=$(ticks)
  cpu=$(awk -v a="$t1" -v b="$t0" -v n="$N" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (a - b) * 1000 / hz / n }')
  latency="-"
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [[ "$WRK" != 0s ]]; then
    out=$(nice -n 19 wrk -t2 -c64 -d"$WRK" --timeout 60s --latency -H "$header" "$BASE$path")
    latency="$(awk '$1 == "50%" { print $2 }' <<<"$out") / $(awk '$1 == "99%" { print $2 }' <<<"$out") / $(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")"
    load="$load → $(cut -d' ' -f1 /proc/loadavg)"
  fi
  echo "| $LABEL | $label | $cpu | $latency | $load |"
done
stop
