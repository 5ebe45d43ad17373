#!/usr/bin/python3
"""Writes the ```cpp blocks of a Markdown page, in order, as one C++ file (docs/doc-examples.md).

    extract_cpp.py PAGE.md OUT.cc

Blocks under a `<!-- doc-test file: PATH -->` marker are left out: they are files of the tree,
built there. Each block is preceded by a #line directive, so a compile error names the page and its line.
The blocks are compiled at namespace scope, as a reader would paste them into a file.
"""

import pathlib
import re
import sys


def main():
    page, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    lines = page.read_text(encoding="utf-8").splitlines()
    parts = [f"// Generated from {page.name} by tests/docs/extract_cpp.py; do not edit.\n"]
    i, blocks = 0, 0
    while i < len(lines):
        # A block showing a file of the tree (<!-- doc-test file: PATH -->) is that file, built
        # where it belongs (check_doc_files.py compares the two), not here.
        shows_file = i > 0 and lines[i - 1].strip().startswith("<!-- doc-test file:")
        if re.match(r"^```(cpp|c\+\+)\s*$", lines[i]) and not shows_file:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            parts.append(f'#line {i + 2} "{page.as_posix()}"\n' + "\n".join(lines[i + 1 : j]) + "\n")
            blocks += 1
            i = j
        i += 1
    if blocks == 0:
        sys.exit(f"{page}: no ```cpp block")
    text = "".join(parts)
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
