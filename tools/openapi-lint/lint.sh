#!/usr/bin/env bash
# Lints the API's OpenAPI document with an independent linter (Redocly CLI, pinned in
# package-lock.json): installs it with npm ci, starts the built web app on a throwaway SQLite
# file and a free loopback port, fetches /openapi/v1.json and runs `redocly lint` on it
# (the recommended rules; any error fails). Needs `dotnet build` of src/Renewals.Web first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
configuration="${1:-Release}"

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
dotnet "$root/src/Renewals.Web/bin/$configuration/net10.0/Renewals.Web.dll" \
  --urls "http://127.0.0.1:$port" --contentRoot "$root/src/Renewals.Web" \
  --Renewals:Database="$work/renewals.db" --Renewals:PickupFolder="$work/pickup" \
  --Renewals:LicenceKey="$work/licence-signing-key.pem" --Renewals:Demo:Enabled=false \
  >"$work/web.log" 2>&1 &
web=$!
trap 'kill "$web" 2>/dev/null || true; wait "$web" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/openapi/v1.json" -o "$work/openapi.json" 2>/dev/null; then break; fi
  if ! kill -0 "$web" 2>/dev/null; then cat "$work/web.log" >&2; echo "openapi-lint: the web app stopped" >&2; exit 1; fi
  sleep 0.5
done
[ -s "$work/openapi.json" ] || { cat "$work/web.log" >&2; echo "openapi-lint: no /openapi/v1.json" >&2; exit 1; }

# No telemetry, no update check: the linter reads the file and nothing else.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  "$here/node_modules/.bin/redocly" lint "$work/openapi.json" --format=stylish
