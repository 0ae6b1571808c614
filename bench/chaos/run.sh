#!/usr/bin/env bash
# The chaos run of issue 13 at full size: two engines and two web hosts on a throwaway PostgreSQL
# cluster over 100,000 subscriptions for a simulated year, 20 SIGKILLs, an immediate restart of
# the server, the SMTP sink and the webhook receiver stopped and started again; prints the ledger
# against a clean run of the same book (docs/reliability.md). Exit code 0 when the ledger is clean.
#   bench/chaos/run.sh                                   # N=100,000, K=20
#   bench/chaos/run.sh --subscriptions 10000 --kills 20  # smaller
# Options: --subscriptions N --kills K --seed S --days D --step-days D
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ -z "${RENEWALS_PG_BIN:-}" ]; then
  initdb="$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n1 || true)"
  if [ -z "$initdb" ]; then
    echo "run.sh: PostgreSQL server binaries not found: apt-get install postgresql, or set RENEWALS_PG_BIN" >&2
    exit 2
  fi
  RENEWALS_PG_BIN="$(dirname "$initdb")"
  export RENEWALS_PG_BIN
fi

for project in src/Renewals.Cli src/Renewals.Web bench/Renewals.Chaos; do
  dotnet build "$project" -c Release -nologo -v quiet
done

echo "load average before the run: $(cat /proc/loadavg)"
dotnet bench/Renewals.Chaos/bin/Release/net10.0/renewals-chaos.dll --configuration Release "$@"
