#!/usr/bin/env bash
# Runs every test of Renewals. On a fresh Debian machine it first installs what the tests
# need (PostgreSQL for the throwaway test clusters, Chromium for the browser tests, Python's
# icalendar as the independent reader of calendar invitations).
# Ends with one line "N passed, N failed" summed over all test projects; exits non-zero on
# any failure. Arguments go to `dotnet test` as they are, e.g.
#   ./test.sh --logger trx --results-directory /tmp/trx   (each test's time, to find the slow ones)
#   ./test.sh --filter "FullyQualifiedName~Amendment"
set -euo pipefail
# RENEWALS_SCREENSHOTS (a folder for the browser tests' screenshots) is read from where the
# caller stands, before the cd below; the tests run in their own output folders.
if [ -n "${RENEWALS_SCREENSHOTS:-}" ]; then
  RENEWALS_SCREENSHOTS="$(realpath -m "$RENEWALS_SCREENSHOTS")"
  export RENEWALS_SCREENSHOTS
fi
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET SDK (version in global.json) must be on PATH" >&2
  exit 1
fi

# --- what the tests need from Debian -------------------------------------------------------
missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
/usr/bin/python3 -c "import icalendar" 2>/dev/null || missing+=(python3-icalendar)
# npm installs the OpenAPI linter (tools/openapi-lint); curl fetches the document it lints.
command -v npm >/dev/null || missing+=(npm)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "test.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The webhook tests check every delivery with the Standard Webhooks reference library
# (npm standardwebhooks, pinned by its package-lock.json), run by node (Debian's npm brings it).
(cd tests/Renewals.Core.Tests/WebhookVerifier && npm ci --no-audit --no-fund --silent)

# The PostgreSQL tests start and stop their own throwaway cluster with these binaries.
RENEWALS_PG_BIN="$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n1)")"
export RENEWALS_PG_BIN
export RENEWALS_CHROMIUM="$(command -v chromium)"

# --- build once, then run every test project -----------------------------------------------
dotnet build Renewals.slnx -c Release -nologo -v quiet -p:UseSharedCompilation=true

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# A test that runs for 10 minutes without finishing is taken as hung: vstest kills that test
# project's host (no dump) and the run fails, naming the test, instead of waiting for CI's limit.
dotnet test Renewals.slnx -c Release --no-build -nologo \
  --blame-hang-timeout "${RENEWALS_TEST_HANG_TIMEOUT:-10m}" --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# vstest prints one line per project: "Passed!  - Failed:     0, Passed:    12, Skipped: ..."
read -r passed failed projects < <(
  grep -E '(Passed|Failed)!  - Failed:' "$log" \
    | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+).*/\2 \1/' \
    | awk '{p+=$1; f+=$2; n++} END {print p+0, f+0, n+0}')

# A project whose host was killed (hang) or crashed reports no failure of its own: count each
# aborted run as one failure and name the test that was running.
aborted=$(grep -c 'Test Run Aborted' "$log" || true)
if [ "$aborted" -gt 0 ]; then
  grep -A1 'The test running when the crash occurred' "$log" | grep -v -e 'crash occurred' -e '^--$' \
    | sed 's/^/test.sh: hung or crashed: /' >&2 || true
  failed=$((failed + aborted))
fi

# The API's OpenAPI document, linted by an independent tool (Redocly CLI from npm): one check.
if bash tools/openapi-lint/lint.sh Release; then
  passed=$((passed + 1))
else
  echo "test.sh: the OpenAPI document (/openapi/v1.json) fails redocly lint" >&2
  failed=$((failed + 1))
fi

# The dependency audit (tools/dependency-audit): one check when the package sources give
# vulnerability data; where they give none (exit 3) it says so and counts neither way.
set +e
bash tools/dependency-audit/audit.sh
audit=$?
set -e
if [ "$audit" -eq 0 ]; then
  passed=$((passed + 1))
elif [ "$audit" -ne 3 ]; then
  echo "test.sh: the dependency audit found a vulnerable package (named above)" >&2
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$projects" -eq 0 ]; then
  exit 1
fi
