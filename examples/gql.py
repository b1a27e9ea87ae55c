#!/usr/bin/env python3
"""POST a .graphql file with JSON variables; print `data` as JSON; exit 1 on GraphQL errors.

    gql.py FILE.graphql ['{"var": 1}']     (BASE_URL and TOKEN from the environment)
"""
import json, os, sys, urllib.request

query = open(sys.argv[1], encoding="utf-8").read()
variables = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
request = urllib.request.Request(
    os.environ.get("BASE_URL", "http://127.0.0.1:8080") + "/graphql",
    data=json.dumps({"query": query, "variables": variables}).encode(),
    headers={"content-type": "application/json", **({"authorization": "Bearer " + os.environ["TOKEN"]} if os.environ.get("TOKEN") else {})},
)
with urllib.request.urlopen(request) as response:
    body = json.load(response)
if body.get("errors"):
    print(json.dumps(body["errors"], indent=2), file=sys.stderr)
    sys.exit(1)
print(json.dumps(body["data"]))
