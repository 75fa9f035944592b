#!/usr/bin/env python3
"""Runs every probe finding's curl line from a summary.json and says whether it reproduces
(the same status). The credentials come from the environment variables the lines name
(AITBC_CLIENT_TOKEN, AITBC_MINER_KEY, ...), as a person would set them.

usage: scripts/replay-findings.py reports/summary.json
"""
import json, subprocess, sys

summary = json.load(open(sys.argv[1]))
findings = (summary.get("probe") or {}).get("findings", [])
same = 0
for f in findings:
    line = f["curl"] + " -o /dev/null -w '%{http_code}'"
    got = subprocess.run(["bash", "-c", line], capture_output=True, text=True).stdout.strip()
    ok = got == str(f["status"]) or (f["status"] == 0 and got == "000")
    same += ok
    print(f"{'same' if ok else 'DIFF'} {f['status']} -> {got}  {f['method']} {f['route']}  ({f['check']}: {f['input']})")
print(f"{same}/{len(findings)} findings reproduced by their curl line")
sys.exit(0 if same == len(findings) else 1)
