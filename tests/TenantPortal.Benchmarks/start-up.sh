#!/usr/bin/env bash
# Start-up of the published portal, ReadyToRun (what `dotnet publish` makes) against the JIT (PublishReadyToRun=false):
# time until it listens (/health/live answers), then the first development token, the first PUT and GET of a key through
# the API and the first page. Embedded defaults (Development, SQLite on a fresh data folder, local key store).
# Usage: bash tests/TenantPortal.Benchmarks/start-up.sh [runs per build]   (from the repository root; Linux: GNU date, /proc)
set -euo pipefail
runs=${1:-3}
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish "$root/src/TenantPortal.Web" -c Release -o "$work/ready-to-run" > "$work/publish-r2r.log"
dotnet publish "$root/src/TenantPortal.Web" -c Release -p:PublishReadyToRun=false -o "$work/jit" > "$work/publish-jit.log"

ms() { echo $(( ($2 - $1) / 1000000 )); }
run() {
  local build=$1 port=$2 data
  data=$(mktemp -d -p "$work")
  local t0 t1 t2 t3 t4 t5
  t0=$(date +%s%N)
  (cd "$work/$build" && ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$port" AppData__Path="$data" \
    Logging__LogLevel__Default=Warning exec dotnet TenantPortal.Web.dll > "$data/out.log" 2>&1) &
  local pid=$!
  local waited=0
  until curl -sf "http://127.0.0.1:$port/health/live" > /dev/null; do
    if ! kill -0 "$pid" 2> /dev/null || (( waited++ > 3000 )); then
      echo "$build did not start (exited, or 60 s without an answer):" >&2; cat "$data/out.log" >&2; exit 1
    fi
    sleep 0.02
  done
  t1=$(date +%s%N)
  local token
  token=$(curl -sf -X POST "http://127.0.0.1:$port/dev/api-token?tenant=contoso")
  t2=$(date +%s%N)
  curl -sf -o /dev/null -X PUT "http://127.0.0.1:$port/api/v1/tenants/contoso/api-key" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"value":"sk_test_0123456789abcdef"}'
  t3=$(date +%s%N)
  curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/tenants/contoso/api-key" -H "Authorization: Bearer $token"
  t4=$(date +%s%N)
  curl -sf -o /dev/null "http://127.0.0.1:$port/"
  t5=$(date +%s%N)
  kill "$pid"; wait "$pid" 2> /dev/null || true
  printf '%-13s listening %5s ms   first token %4s ms   first PUT %4s ms   first GET %4s ms   first page %4s ms\n' \
    "$build" "$(ms "$t0" "$t1")" "$(ms "$t1" "$t2")" "$(ms "$t2" "$t3")" "$(ms "$t3" "$t4")" "$(ms "$t4" "$t5")"
}
echo "Start-up, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  run ready-to-run 5981
  run jit 5982
done
