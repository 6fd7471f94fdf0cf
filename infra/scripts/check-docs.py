#!/usr/bin/env python3
"""Keeps the documentation navigable: the front page short, and every relative link whole.

    infra/scripts/check-docs.py            # the check ./infra/test.sh runs
    infra/scripts/check-docs.py --figures  # list figures quoted in more than one place

Fails (exit 1) when README.md is longer than MAX_README_LINES, or when a relative link in the
checked Markdown files names a file that does not exist, or a heading anchor (`page.md#section`,
`#section`) that the target page does not have. Links to other hosts are not followed: CI must
not depend on the network, and those pages are not ours to keep.

Anchors follow GitHub's rules, since GitHub is where these pages are read: the heading's text,
lowercased, without punctuation other than hyphens, underscores and spaces, spaces turned into
hyphens; a repeated slug gets -1, -2, ... in order of appearance.

Python 3 standard library only, so that it runs before anything is installed or built.
"""

import argparse
import functools
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_README_LINES = 200

# The repository's own Markdown: the front page, the change log, docs/, and the READMEs of
# crates and assets. Build output and installed packages are not ours.
SKIP_DIRS = {".git", "target", "node_modules"}

FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](destination "title") and ![alt](destination); the text may hold nested brackets.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
HTML_ANCHOR = re.compile(r"<a\s+[^>]*(?:name|id)=\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def markdown_files():
    files = []
    for directory, subdirs, names in os.walk(ROOT):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS)
        files += [Path(directory) / n for n in sorted(names) if n.endswith(".md")]
    return files


def prose_lines(text):
    """The lines outside fenced code blocks, numbered from 1, with code spans blanked out
    (a path in backticks is an example, not a link)."""
    in_fence = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield number, CODE_SPAN.sub(lambda m: "x" * len(m.group(0)), line)


def slug(heading):
    """GitHub's anchor for a heading's Markdown text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML is not part of the text
    text = text.replace("`", "").replace("*", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


@functools.cache
def anchors(path):
    """Every anchor a page has: its headings' slugs (numbered as GitHub numbers repeats) and
    explicit HTML anchors."""
    lines = path.read_text(encoding="utf-8").splitlines()
    headings, found = [], set()
    in_fence = False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        atx = ATX_HEADING.match(line)
        # A setext underline follows a paragraph line; a table's or a list's line is no heading.
        previous = lines[i - 1].strip() if i > 0 else ""
        if atx:
            headings.append(atx.group(2))
        elif SETEXT_UNDERLINE.match(line) and previous and previous[0] not in "|-*>":
            headings.append(previous)
        found.update(HTML_ANCHOR.findall(line))
    seen = defaultdict(int)
    for heading in headings:
        base = slug(heading)
        found.add(base if seen[base] == 0 else f"{base}-{seen[base]}")
        seen[base] += 1
    return found


def broken_links(page):
    """(line, destination, reason) for each relative link of `page` that does not resolve."""
    text = page.read_text(encoding="utf-8")
    for number, line in prose_lines(text):
        destinations = [m.group(1) for m in INLINE_LINK.finditer(line)]
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            destinations.append(definition.group(1))
        for destination in destinations:
            destination = destination.strip("<>")
            if SCHEME.match(destination) or destination.startswith("//"):
                continue  # another host, or mailto:
            path_part, _, anchor = destination.partition("#")
            target = (page.parent / path_part).resolve() if path_part else page
            if not target.exists():
                yield number, destination, "no such file"
            elif anchor and target.suffix == ".md" and anchor not in anchors(target):
                yield number, destination, f"no heading with anchor #{anchor} in {target.relative_to(ROOT)}"


def check(max_readme_lines):
    problems = []
    readme_lines = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    if readme_lines > max_readme_lines:
        problems.append(f"README.md: {readme_lines} lines, over the front page's limit of "
                        f"{max_readme_lines}: move the detail into a page under docs/")
    pages = markdown_files()
    for page in pages:
        for number, destination, reason in broken_links(page):
            problems.append(f"{page.relative_to(ROOT)}:{number}: broken link ({destination}): {reason}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"docs: README.md {readme_lines} lines (limit {max_readme_lines}); "
          f"every relative link in {len(pages)} Markdown files resolves")
    return 0


# A figure: a number with a unit of time, size or rate, as the benchmarks quote them.
FIGURE = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s?(ms|MiB|KiB|MB|KB|GiB|bytes|pushes/s|RCU|WCU)\b")


def figures():
    """Prints each figure quoted on more than one page of README.md, CHANGELOG.md and docs/
    (not the contract, which is a copy of the team's), with where. A figure the front page's
    table quotes next to a link to the page that holds it is marked as such: that repeat is by
    design. A bench's output is one place, so repeats within a page are not listed."""
    places = defaultdict(list)
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md"] + sorted((ROOT / "docs").glob("*.md"))
    for page in pages:
        if page.name == "api-contract.md" or not page.exists():
            continue
        # Code blocks count: a bench's output is where its figures are quoted.
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for match in FIGURE.finditer(line):
                places[f"{match.group(1)} {match.group(2)}"].append((page, number, line))
    repeated = 0
    for figure, where in sorted(places.items()):
        pages_quoting = {page for page, _, _ in where}
        if len(pages_quoting) < 2:
            continue
        repeated += 1
        others = pages_quoting - {ROOT / "README.md"}
        front = [line for page, _, line in where if page.name == "README.md"]
        linked = (len(others) == 1 and front
                  and all(f"({next(iter(others)).relative_to(ROOT)}" in line for line in front))
        label = "front page table, links to its page" if linked else "CHECK"
        spots = "  ".join(f"{page.relative_to(ROOT)}:{number}" for page, number, _ in where)
        print(f"{figure:>20}  {label:<36} {spots}")
    print(f"{len(places)} distinct figures, {repeated} on more than one page")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-readme-lines", type=int, default=MAX_README_LINES)
    parser.add_argument("--figures", action="store_true",
                        help="list figures quoted in more than one place (a review aid, not a check)")
    args = parser.parse_args()
    return figures() if args.figures else check(args.max_readme_lines)


if __name__ == "__main__":
    sys.exit(main())
