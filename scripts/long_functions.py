#!/usr/bin/env python3
"""Functions longer than a limit (default 80 lines) in the shipped code (tests excluded).

usage: scripts/long_functions.py [LIMIT] [SRC]   exit 1 when any is found
"""
import os, re, sys
sys.path.insert(0, os.path.dirname(__file__))
from layers import blank_literals  # noqa: E402  (same lexer: strings and comments blanked)

LIMIT = int(next((a for a in sys.argv[1:] if a.isdigit()), 80))
SRC = next((a for a in sys.argv[1:] if not a.isdigit()), "src")
FN = re.compile(r"\bfn\s+(\w+)[^;{]*\{")

found = []
for root, _, files in os.walk(SRC):
    for f in files:
        if not f.endswith(".rs") or f == "tests.rs":
            continue
        path = os.path.join(root, f)
        raw = open(path).read()
        text = blank_literals(raw)
        test_mod = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
        end_of_code = test_mod.start() if test_mod else len(text)
        for m in FN.finditer(text, 0, end_of_code):
            depth, j = 0, m.end() - 1
            while j < len(text):
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            lines = text.count("\n", m.start(), j) + 1
            if lines > LIMIT:
                found.append((lines, f"{path}:{text.count(chr(10), 0, m.start()) + 1}", m.group(1)))
for lines, at, name in sorted(found, reverse=True):
    print(f"{lines:4} lines  {at}  fn {name}")
sys.exit(1 if found else 0)
