#!/usr/bin/python3
"""Checks that the files a page shows are the files in the tree (docs/doc-examples.md).

    check_doc_files.py --root DIR PAGE.md DIRECTORY

A fenced block just below `<!-- doc-test file: PATH -->` must equal the file PATH (relative to
--root) line for line, and every file of DIRECTORY must be shown so: the page shows the complete
example, as the test suite builds it. Exit status 1 names each difference.
"""

import argparse
import difflib
import pathlib
import re
import sys

FILE_MARKER = re.compile(r"^<!--\s*doc-test file:\s*(\S+)\s*-->$")


def shown_files(page):
    """{path: (line of the block, its lines)} for every block under a file marker."""
    lines = page.read_text(encoding="utf-8").splitlines()
    shown = {}
    for i, line in enumerate(lines):
        marker = FILE_MARKER.match(line.strip())
        if not marker:
            continue
        fence = re.match(r"^(```+|~~~+)", lines[i + 1]) if i + 1 < len(lines) else None
        if not fence:
            sys.exit(f"{page}:{i + 1}: a file marker must be just above a fenced block")
        end = i + 2
        while end < len(lines) and not lines[end].startswith(fence.group(1)):
            end += 1
        shown[marker.group(1)] = (i + 2, lines[i + 2 : end])
    return shown


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("page")
    parser.add_argument("directory")
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    page = root / args.page
    shown = shown_files(page)
    problems = []
    for path, (line, block) in sorted(shown.items()):
        file = root / path
        if not file.is_file():
            problems.append(f"{args.page}:{line}: shows {path}, which does not exist")
            continue
        actual = file.read_text(encoding="utf-8").splitlines()
        if actual != block:
            diff = "\n".join(difflib.unified_diff(actual, block, path, f"{args.page}:{line}",
                                                  lineterm=""))
            problems.append(f"{args.page}:{line}: differs from {path}:\n{diff}")
    for file in sorted((root / args.directory).rglob("*")):
        relative = file.relative_to(root).as_posix()
        if file.is_file() and relative not in shown:
            problems.append(f"{args.page}: does not show {relative} (add it under "
                            f"<!-- doc-test file: {relative} -->)")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{args.page}: {len(shown)} files shown as they are in the tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
