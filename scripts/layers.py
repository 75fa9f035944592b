#!/usr/bin/env python3
"""The crate's module graph from its `crate::` paths: cycles among the top-level modules and
among the modules one level down (within each top-level module), and edges that go up the
layers of README's architecture. Exit 1 when there is a cycle or an upward edge.

usage: scripts/layers.py [--graph] [SRC]
"""
import os, re, sys

SRC = next((a for a in sys.argv[1:] if not a.startswith("-")), "src")
GRAPH = "--graph" in sys.argv
PATH = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)(?:::([a-z_][a-z0-9_]*))?")
SUPER = re.compile(r"\bsuper::([a-z_][a-z0-9_]*)")
GROUP = re.compile(r"\bcrate::\{([^}]*)\}")

def blank_literals(text):
    """Comments, strings and char literals blanked in one pass (so `"http://…"` is a string,
    not a comment, and a `'{'` is not a brace)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "r" and re.match(r'r#*"', text[i:]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + len(hashes) + 2)
            out.append('""')
            i = n if end < 0 else end + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4] + "   "):
            m = re.match(r"'(\\.|[^\\'])'", text[i:])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)

def strip(text):
    """Drops comments, strings and `#[cfg(test)]` modules: only code that ships counts."""
    text = blank_literals(text)
    out, i = [], 0
    marker = re.compile(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{")
    while True:
        m = marker.search(text, i)
        if not m:
            out.append(text[i:]); break
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while depth and j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0); j += 1
        i = j
    return "".join(out)

def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    return rel  # e.g. ["report", "render", "har"]

def main():
    global edges
    edges = {}  # (from_path tuple) -> set of target paths (tuple of up to 2)
    for root, _, files in os.walk(SRC):
        for f in files:
            if not f.endswith(".rs") or f in ("main.rs", "lib.rs"):
                continue
            path = os.path.join(root, f)
            mod = module_of(path)
            if mod and mod[-1] == "tests":
                continue
            text = strip(open(path).read())
            targets = set()
            for a, b in PATH.findall(text):
                targets.add((a, b) if b else (a,))
            for group in GROUP.findall(text):
                for item in re.split(r"[,\s]+", group):
                    parts = [p for p in item.split("::") if re.fullmatch(r"[a-z_][a-z0-9_]*", p)]
                    if parts:
                        targets.add(tuple(parts[:2]))
            for a in SUPER.findall(text):
                # `super` of a module is its parent: a sibling `a`, or a top-level one from mod.rs.
                full = list(mod[:-1]) + [a]
                targets.add(tuple(full[:2]))
            edges[tuple(mod)] = targets

    def graph(level):
        """Edges between modules at `level` (1: top; 2: inside one top-level module)."""
        g = {}
        for src, targets in edges.items():
            for t in targets:
                if level == 1:
                    a, b = src[0], t[0]
                else:
                    if len(src) < 2 or len(t) < 2 or src[0] != t[0]:
                        continue
                    a, b = f"{src[0]}::{src[1]}", f"{t[0]}::{t[1]}"
                if a != b:
                    g.setdefault(a, set()).add(b)
        return g

    def cycles(g):
        """Strongly connected components with more than one module (Tarjan)."""
        index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
        def visit(v):
            index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
            for w in g.get(v, ()):
                if w not in index:
                    visit(w); low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop(); on.discard(w); comp.append(w)
                    if w == v: break
                if len(comp) > 1: out.append(sorted(comp))
        sys.setrecursionlimit(10000)
        for v in list(g):
            if v not in index: visit(v)
        return out

    # The layers, lowest first (README, "Architecture"): a module may use its own layer and those below.
    LAYERS = [
        # 0 leaves: data and units, no I/O of their own but files
        ["units", "clock", "ids", "json_path", "templates", "redact", "yaml", "error", "exit",
         "failure", "exchange", "atomic", "auth", "pacing", "envfile", "tls", "revision"],
        # 1 parse: the catalog, the feature files, the services' documents
        ["catalog", "suite", "openapi"],
        # 2 transport and the double: a client value sends; the double serves
        ["http", "login", "double", "consumer", "snapshot"],
        # 3 session: the run's context, each scenario's session, the preflight
        ["target", "preflight"],
        # 4 execute and collect: the World, the steps, cucumber's runner and its collector
        ["world", "steps", "runner", "probe"],
        # 5 report: summaries and their renderings, from data only
        ["report"],
        # 6 the command line and the commands that wire the layers together
        ["config", "cli", "commands"],
    ]
    RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}

    status = 0
    for level in (1, 2):
        g = graph(level)
        for comp in cycles(g):
            status = 1
            print(f"cycle at level {level}: {' <-> '.join(comp)}")
            for a in comp:
                for b in sorted(g.get(a, ())):
                    if b in comp:
                        print(f"    {a} -> {b}")
    g1 = graph(1)
    for a in sorted(g1):
        for b in sorted(g1[a]):
            if a in RANK and b in RANK and RANK[b] > RANK[a]:
                status = 1
                print(f"upward: {a} (layer {RANK[a]}) uses {b} (layer {RANK[b]})")
            if a not in RANK or b not in RANK:
                missing = a if a not in RANK else b
                status = 1
                print(f"no layer for module {missing}: add it to LAYERS")
    # The double's boundary: it serves the contract from the leaves and the contract's documents
    # alone, and the rest of the harness reaches it only through its facade (its root: Double,
    # the route tables; and the seed, the profiles, the JWT-era wallets, the hostile server).
    DOUBLE_USES = set(LAYERS[0]) | {"openapi", "double"}
    DOUBLE_FACADE = {"seed", "profile", "jwt", "hostile"}
    for src, targets in sorted(edges.items()):
        for t in sorted(targets):
            if src[0] == "double" and t[0] not in DOUBLE_USES:
                status = 1
                print(f"boundary: {'::'.join(src)} (the double) uses {t[0]}")
            if src[0] != "double" and t[0] == "double" and len(t) > 1 and t[1] not in DOUBLE_FACADE:
                status = 1
                print(f"boundary: {'::'.join(src)} reaches into double::{t[1]} (not its facade)")
    if GRAPH:
        for a in sorted(g1):
            print(a, "->", ", ".join(sorted(g1[a])))
    if status == 0:
        print("layers: no cycle at either level, no upward edge, the double behind its boundary")
    sys.exit(status)


if __name__ == "__main__":
    main()
