#!/usr/bin/env bash
# The README's walkthrough, end to end, against a running server (by default the demo:
# `cargo run --release -- demo`). Needs curl and python3 (standard library only).
#
#   BASE_URL=http://127.0.0.1:8080 EMAIL=admin@demo.local PASSWORD=demo-password examples/walkthrough.sh
set -euo pipefail
cd "$(dirname "$0")"
export BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
EMAIL="${EMAIL:-admin@demo.local}"
PASSWORD="${PASSWORD:-demo-password}"
json() { python3 -c "import json,sys; data=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': data}))" "$1"; }

echo "1. log in as $EMAIL"
export TOKEN=$(./gql.py 01-login.graphql "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\"}" | json 'd["login"]["token"]')

echo "2. link Hanet (unless already linked)"
if [ "$(./gql.py 02-hanet-connection.graphql | json 'd["hanetConnection"] is None')" = "True" ]; then
  url=$(./gql.py 03-start-hanet-link.graphql | json 'd["startHanetLink"]["authorizationUrl"]')
  # A browser would show Hanet's login page; the simulator approves at once and redirects to
  # our callback with a code, which the admin (here: this script) hands to completeHanetLink.
  back=$(curl -sS -o /dev/null -w '%{redirect_url}' "$url")
  vars=$(python3 -c "import json,sys,urllib.parse as u; q=dict(u.parse_qsl(u.urlsplit(sys.argv[1]).query)); print(json.dumps({'code': q['code'], 'state': q['state']}))" "$back")
  ./gql.py 03b-complete-hanet-link.graphql "$vars" > /dev/null
fi
./gql.py 02-hanet-connection.graphql | json 'd["hanetConnection"]["accountEmail"]'

echo "3. places and cameras; select place 1001"
./gql.py 04-places-and-devices.graphql '{"placeId": "1001"}' | json '[p["name"] for p in d["hanetPlaces"]]'
./gql.py 05-select-place.graphql '{"placeId": "1001"}' | json 'd["selectHanetPlace"]["selectedPlace"]["name"]'

code="WT$(date +%s)"
echo "4. create employee $code"
employee_id=$(./gql.py 06-create-employee.graphql "{\"input\": {\"employeeCode\": \"$code\", \"fullName\": \"Walkthrough Person\", \"title\": \"Tester\"}}" | json 'd["createEmployee"]["id"]')

echo "5. import a face photo named $code.png (multipart upload with curl)"
photo_dir=$(mktemp -d)
trap 'rm -rf "$photo_dir"' EXIT
python3 - "$photo_dir/$code.png" <<'PY'
import struct, sys, time, zlib
w = h = 240
seed = int(time.time()) % 200
raw = b"".join(b"\x00" + b"".join(bytes([(x + seed) % 256, (y * 2) % 256, (x * y + seed) % 256]) for x in range(w)) for y in range(h))
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
operations=$(python3 -c 'import json,sys; print(json.dumps({"query": open("07-import-face-photos.graphql").read(), "variables": {"files": [None]}}))')
curl -sSf "$BASE_URL/graphql" -H "Authorization: Bearer $TOKEN" \
  -F "operations=$operations" -F 'map={"0":["variables.files.0"]}' -F "0=@$photo_dir/$code.png" \
  | json 'd["data"]["importFacePhotos"]["results"][0]["accepted"]'

echo "6. sync the employee to Hanet and watch the progress subscription"
job_id=$(./gql.py 08-start-employee-sync.graphql "{\"input\": {\"employeeIds\": [\"$employee_id\"]}}" | json 'd["startEmployeeSync"]["id"]')
./subscribe.py 09-sync-progress.graphql "{\"id\": \"$job_id\"}" | tee "$photo_dir/progress.jsonl"
status=$(tail -n 1 "$photo_dir/progress.jsonl" | json 'd["data"]["syncJobProgress"]["job"]["status"]')
[ "$status" = "SUCCEEDED" ] || { echo "sync ended $status"; ./gql.py 10-sync-job.graphql "{\"id\": \"$job_id\"}"; exit 1; }

echo "7. attendance: today's days and the latest check-ins"
today=$(date -u +%F)
./gql.py 11-attendance-days.graphql "{\"from\": \"$today\", \"to\": \"$today\"}" | json 'd["attendanceDays"]["totalCount"]'
./gql.py 12-checkins.graphql '{"filter": {"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}}' | json 'd["checkins"]["totalCount"]'

echo "walkthrough OK"
