#!/usr/bin/env bash
# The dependency audit: every NuGet package of the solution, direct and transitive, against the
# vulnerability data of the package sources (`dotnet list package --vulnerable`).
#   exit 0  audited, no known vulnerability
#   exit 1  a vulnerable package (named), or the listing failed
#   exit 3  NOT audited: the vulnerability data cannot be had here (a source unreachable, or a
#           source that serves packages without vulnerability data, where `dotnet list package
#           --vulnerable` would call every package clean whatever it is). Said, never passed.
# A source counts as serving vulnerability data when its service index has a VulnerabilityInfo
# resource, or when its registration data names the advisory every feed knows about
# Newtonsoft.Json 12.0.1 (GHSA-5crp-9r3c-p9vr): the known-vulnerable canary.
set -uo pipefail
cd "$(dirname "$0")/../.."

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
dotnet list Renewals.slnx package --vulnerable --include-transitive --format json >"$out" 2>&1
status=$?

/usr/bin/python3 - "$out" "$status" <<'PY'
import gzip, json, sys, urllib.request

path, status = sys.argv[1], int(sys.argv[2])
text = open(path, encoding="utf-8").read()
start = text.find("{")
try:
    report = json.loads(text[start:]) if start >= 0 else None
except ValueError:
    report = None

def say(line):
    print("dependency audit: " + line, file=sys.stderr)

if report is None:
    unreachable = "Unable to load the service index" in text
    say(("NOT done: a package source cannot be reached, so there is no vulnerability data to check against:\n  "
         if unreachable else "the listing failed:\n  ") + text.strip().replace("\n", "\n  "))
    sys.exit(3 if unreachable else 1)

for problem in report.get("problems", []):
    say(f"{problem.get('level')}: {problem.get('text')}")
if status != 0 or any(p.get("level") == "error" for p in report.get("problems", [])):
    sys.exit(1)

def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as answer:
        body = answer.read()
    return json.loads(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body)

def serves_vulnerability_data(source):
    index = fetch(source)
    types = [r.get("@type", "") for r in index.get("resources", [])]
    if any(t.startswith("VulnerabilityInfo") for t in types):
        return True
    for resource in index.get("resources", []):
        if resource.get("@type", "").startswith("RegistrationsBaseUrl"):
            registration = fetch(resource["@id"].rstrip("/") + "/newtonsoft.json/index.json")
            for page in registration.get("items", []):
                entries = page.get("items") or fetch(page["@id"]).get("items", [])
                for entry in entries:
                    catalog = entry.get("catalogEntry", {})
                    if catalog.get("version") == "12.0.1" and catalog.get("vulnerabilities"):
                        return True
            return False
    return False

for source in report.get("sources", []):
    if not source.startswith("http"):
        continue  # a local folder of packages holds no advisories; the others decide
    try:
        ok = serves_vulnerability_data(source)
    except Exception as error:  # noqa: BLE001 - any failure to read it means no data
        say(f"NOT done: the source {source} cannot be read ({error}), so there is no vulnerability data to check against")
        sys.exit(3)
    if not ok:
        say(f"NOT done: the source {source} serves packages without vulnerability data (no VulnerabilityInfo "
            "resource, and its registration data does not list the known advisory of Newtonsoft.Json 12.0.1); "
            "`dotnet list package --vulnerable` would call every package clean whatever it is")
        sys.exit(3)

found = []
for project in report.get("projects", []):
    for framework in project.get("frameworks", []):
        for kind in ("topLevelPackages", "transitivePackages"):
            for package in framework.get(kind, []):
                for vulnerability in package.get("vulnerabilities", []):
                    found.append(f"{project['path']} [{framework.get('framework')}]: {package['id']} "
                                 f"{package.get('resolvedVersion')} {vulnerability.get('severity')} {vulnerability.get('advisoryurl')}")
for line in sorted(set(found)):
    say("VULNERABLE " + line)
if found:
    sys.exit(1)
say(f"no known vulnerability in {len(report.get('projects', []))} projects (direct and transitive packages)")
PY
