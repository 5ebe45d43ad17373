#!/usr/bin/python3
"""Runs the shell examples of Markdown pages (docs/doc-examples.md states the convention).

    run_doc_examples.py --bin DIR [--root DIR] [--timeout SECONDS] [FILE.md ...]

Without files: README.md and docs/*.md under --root. Every example runs in a fresh temporary
directory with DIR (the built `tandem`) first on PATH; the default IB ports 7497/17497 are
replaced by a free port. A `sh` block must exit 0; a `console` block (or an unlabelled block
whose first line starts with "$ ") must print what the page shows after each "$ " command
('…' in a line: any text; a line of just '…': any lines).
Exit status 1 names every failing example as FILE:LINE with the difference; 0 when all pass.
"""

import argparse
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
MARKER = re.compile(r"^<!--\s*doc-test\s+(not run|setup|same directory)\s*(?::\s*(.*?))?\s*-->$")
PORT = re.compile(r"\b1?7497\b")
WILDCARD = "…"
# A time with nanoseconds, as the store stamps written_at and created_at by the wall clock: a page
# shows one from its own session, so it matches any such time (trailing zeros are not printed).
WALL_CLOCK = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z")


class Example:
    def __init__(self, path, line, kind, text):
        self.path = path
        self.line = line  # of the opening fence, 1-based
        self.kind = kind  # "sh" or "console"
        self.text = text
        self.not_run = None  # the reason, when marked
        self.setup = []  # commands run before it, output not checked
        self.same_directory = False

    def where(self):
        return f"{self.path}:{self.line}"


def parse_page(path):
    """The shell examples of one page, with the markers in the comment lines just above each."""
    lines = pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    examples, problems = [], []
    i = 0
    while i < len(lines):
        fence = re.match(r"^(```+|~~~+)\s*(\S*)", lines[i])
        if not fence:
            i += 1
            continue
        start, info = i, fence.group(2).lower()
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence.group(1)):
            j += 1
        body = lines[start + 1 : j]
        i = j + 1
        first = next((b for b in body if b.strip()), "")
        if info in SHELL_LANGUAGES:
            kind = "console" if info == "console" else "sh"
        elif info == "" and first.startswith("$ "):
            kind = "console"
        else:
            continue
        example = Example(path, start + 1, kind, body)
        k = start - 1
        while k >= 0 and lines[k].strip().startswith("<!--"):
            marker = MARKER.match(lines[k].strip())
            if not marker:
                problems.append(f"{path}:{k + 1}: not a doc-test marker: {lines[k].strip()}")
            elif marker.group(1) == "not run":
                if not marker.group(2):
                    problems.append(f"{path}:{k + 1}: 'not run' needs a reason after ':'")
                example.not_run = marker.group(2) or ""
            elif marker.group(1) == "setup":
                example.setup.insert(0, marker.group(2) or "")
            else:
                example.same_directory = True
            k -= 1
        examples.append(example)
    return examples, problems


def join_continuations(lines):
    """Shell lines with trailing backslashes joined into one command each."""
    out, pending = [], ""
    for line in lines:
        if line.endswith("\\"):
            pending += line[:-1] + " "
        else:
            out.append(pending + line)
            pending = ""
    if pending:
        out.append(pending)
    return out


def parse_console(body):
    """[(command, [expected output lines])] of a console block."""
    steps = []
    lines = list(body)
    n = 0
    while n < len(lines):
        line = lines[n]
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") and n + 1 < len(lines):
                n += 1
                command = command[:-1] + " " + lines[n].strip()
            steps.append((command, []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"output before the first '$ ' command: {line!r}")
        n += 1
    return steps


def line_matches(expected, actual, widths_vary=False):
    """Equal after trailing blanks are dropped; '…' in `expected` stands for any text and a
    nanosecond time (WALL_CLOCK) for any such time. With `widths_vary` (the output shows such a
    time: a table's column widths, its header's too, follow the time's length), runs of spaces
    count as one."""
    expected, actual = expected.rstrip(), actual.rstrip()
    if widths_vary:
        expected, actual = re.sub(" +", " ", expected), re.sub(" +", " ", actual)
    if WILDCARD not in expected and not WALL_CLOCK.search(expected):
        return expected == actual
    pattern = ".*".join(
        WALL_CLOCK.pattern.join(re.escape(piece) for piece in WALL_CLOCK.split(part))
        for part in expected.split(WILDCARD))
    return re.fullmatch(pattern, actual) is not None


def lines_match(expected, actual, widths_vary=None):
    """Line by line with line_matches; an expected line that is just '…' stands for any number
    of lines (none included). Column widths may vary when any expected line shows a
    nanosecond time."""
    if widths_vary is None:
        widths_vary = any(WALL_CLOCK.search(line) for line in expected)
    if not expected:
        return not actual
    if expected[0].strip() == WILDCARD:
        return any(lines_match(expected[1:], actual[k:], widths_vary) for k in range(len(actual) + 1))
    return (bool(actual) and line_matches(expected[0], actual[0], widths_vary)
            and lines_match(expected[1:], actual[1:], widths_vary))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_script(script, directory, env, timeout):
    """(exit status, output) of a bash script; stderr is merged into stdout, both line-buffered
    (stdbuf) so they interleave as on a terminal. Background jobs die with the script."""
    process = subprocess.Popen(
        ["stdbuf", "-oL", "-eL", "bash", "-c", script],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
        status = process.returncode
    except subprocess.TimeoutExpired:
        status, output = None, b""
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the example's own process group only
    except ProcessLookupError:
        pass
    if status is None:
        output, _ = process.communicate()
    return status, output.decode("utf-8", "replace")


def check_console(example, directory, env, timeout, port):
    steps = parse_console(example.text)
    separator = "@@doc-test-step@@"
    script = "exec 2>&1\n" + "".join(f"echo {separator}\n{PORT.sub(port, c)}\n" for c, _ in steps)
    status, output = run_script(script, directory, env, timeout)
    if status is None:
        return [f"timed out after {timeout} s"]
    chunks = output.split(separator + "\n")[1:]
    errors = []
    for n, (command, expected) in enumerate(steps):
        actual = chunks[n].splitlines() if n < len(chunks) else ["(not reached)"]
        while expected and not expected[-1].strip():
            expected = expected[:-1]
        if not lines_match(expected, actual):
            errors.append(
                f"$ {command}\n  the page shows:\n"
                + "".join(f"    {e}\n" for e in expected)
                + "  it printed:\n"
                + "".join(f"    {a}\n" for a in actual)
            )
    return errors


def check_sh(example, directory, env, timeout, port):
    script = "set -eo pipefail\n" + "\n".join(PORT.sub(port, c) for c in join_continuations(example.text))
    status, output = run_script(script, directory, env, timeout)
    if status is None:
        return [f"timed out after {timeout} s"]
    if status != 0:
        tail = output.splitlines()[-15:]
        return [f"exit status {status}; its last output:\n" + "".join(f"    {t}\n" for t in tail)]
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="directory of the built tandem")
    parser.add_argument("--root", default=".", help="the repository (for README.md and docs/)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per example")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    files = args.files or [str(root / "README.md")] + sorted(str(p) for p in root.glob("docs/*.md"))

    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env["PATH"] = os.path.abspath(args.bin) + os.pathsep + env.get("PATH", "")
    # stdbuf works by LD_PRELOAD, which an ASan build's runtime refuses to follow unless told.
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
    failures, ran, skipped = [], 0, 0
    for path in files:
        examples, problems = parse_page(path)
        failures += problems
        directory = None
        for example in examples:
            if example.not_run is not None:
                skipped += 1
                print(f"skip {example.where()}: not run: {example.not_run}")
                continue
            if directory is None or not example.same_directory:
                if directory is not None:
                    shutil.rmtree(directory, ignore_errors=True)
                directory = tempfile.mkdtemp(prefix="tandem-doc-")
            port = str(free_port())
            errors = []
            for command in example.setup:
                status, output = run_script(PORT.sub(port, command), directory, env, args.timeout)
                if status != 0:
                    errors.append(f"setup `{command}` failed ({status}):\n{output}")
            if not errors:
                check = check_console if example.kind == "console" else check_sh
                try:
                    errors = check(example, directory, env, args.timeout, port)
                except ValueError as e:
                    errors = [str(e)]
            ran += 1
            if errors:
                failures.append(f"{example.where()}: {example.kind} example failed:\n" + "\n".join(errors))
                print(f"FAIL {example.where()}")
            else:
                print(f"ok   {example.where()}")
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
    for failure in failures:
        print("\n" + failure, file=sys.stderr)
    print(f"{ran} examples run, {skipped} marked not run, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
