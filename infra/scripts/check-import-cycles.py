#!/usr/bin/env python3
"""Fails when a Rust crate of this workspace has a file-level import circle.

Crates keep the layering between them (Cargo refuses a dependency cycle); inside a crate nothing
does, so this check does: each `src/**/*.rs` file is a module, each `crate::`, `super::` and
`self::` path it names (in `use` trees, nested groups included, and in expressions) is an
import of the deepest module file that path reaches, and a strongly connected set of more than
one module is a circle. A module naming its own ancestor is not counted (a child module lives
inside its parent's scope, as `super::` says); declaring a child (`mod x;`) is not an import.

Written here rather than taken from `cargo-modules` (which answers the same question through
rust-analyzer) because that tool takes longer to compile than the whole test run allows for
a check that needs only the paths as text.

Usage: check-import-cycles.py [CRATE_DIR...]   (default: every workspace member with a src/)
Prints each circle with the imports that close it; exits 1 when there is one.
"""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
# A path in an expression or a type: `crate::a::b`, `super::super::x`.
INLINE_PATH = re.compile(rf"\b(crate|super|self)((?:::{IDENT})+)")
# A whole `use` item up to its semicolon (groups can span lines).
USE_ITEM = re.compile(r"\buse\s+((?:crate|super|self)\b[^;]*);", re.S)


def workspace_crates():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    members = set(metadata["workspace_members"])
    return sorted(
        os.path.dirname(package["manifest_path"])
        for package in metadata["packages"]
        if package["id"] in members
    )


def module_files(src):
    """Module path (a tuple of names) to its file, for every file under `src/`."""
    modules = {}
    for folder, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, src)[:-3].split(os.sep)
            if parts[0] == "bin" or name == "build.rs":
                continue  # each binary is a crate root of its own
            if parts[-1] in ("mod", "lib", "main"):
                parts = parts[:-1]
            modules[tuple(parts)] = path
    return modules


def without_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def use_tree_paths(tree):
    """Every leaf path of a use tree: `crate::{a::{b, c}, d as e}` → crate::a::b, crate::a::c, crate::d."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+\w+", "", tree))
    split = tree.find("{")
    if split < 0:
        yield tree
        return
    prefix, group = tree[:split], tree[split + 1 : tree.rindex("}")]
    items, depth, start = [], 0, 0
    for i, ch in enumerate(group):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            items.append(group[start:i])
            start = i + 1
    items.append(group[start:])
    for item in filter(None, items):
        for path in use_tree_paths(item):
            yield prefix + path


def referenced_paths(text):
    for tree in USE_ITEM.findall(text):
        for path in use_tree_paths(tree):
            head, *rest = path.split("::")
            yield head, [s for s in rest if s and s not in ("self", "*")]
    for head, rest in INLINE_PATH.findall(text):
        yield head, [s for s in rest.split("::") if s]


def resolve(modules, here, head, segments):
    base = [] if head == "crate" else list(here) if head == "self" else list(here[:-1])
    while segments and segments[0] == "super":
        base, segments = base[:-1], segments[1:]
    full = base + segments
    for n in range(len(full), -1, -1):
        if tuple(full[:n]) in modules:
            return tuple(full[:n])
    return None


def import_graph(modules):
    graph = {module: {} for module in modules}
    for module, path in modules.items():
        with open(path, encoding="utf-8", errors="replace") as file:
            text = without_comments_and_strings(file.read())
        for head, segments in referenced_paths(text):
            target = resolve(modules, module, head, segments)
            if target is None or target == module or module[: len(target)] == target:
                continue  # itself, or an ancestor (the crate root included)
            graph[module].setdefault(target, f"{head}::{'::'.join(segments)}")
    return graph


def circles(graph):
    """Tarjan's strongly connected components of more than one module, iteratively."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(graph[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def name(module):
    return "::".join(module) or "(crate root)"


def main():
    crates = [os.path.abspath(c) for c in sys.argv[1:]] or workspace_crates()
    total = 0
    for crate in crates:
        modules = module_files(os.path.join(crate, "src"))
        graph = import_graph(modules)
        for component in circles(graph):
            total += 1
            members = set(component)
            print(f"{os.path.relpath(crate, ROOT)}: a circle of {len(component)} modules:")
            for module in sorted(component):
                for target, via in sorted(graph[module].items()):
                    if target in members:
                        print(f"  {name(module)} -> {name(target)}  ({via})")
    print(f"import circles: {total} in {len(crates)} crates")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
