#!/usr/bin/python3
"""The doc-example runner's own test: it passes a page whose examples hold and fails, naming the
example, on each broken one (a failing command, wrong output, a marker without its reason).

    runner_selftest.py --bin DIR (the built tandem)
"""

import argparse
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


def run(bin_dir, page):
    result = subprocess.run(
        [sys.executable, str(HERE / "run_doc_examples.py"), "--bin", bin_dir, "--timeout", "30",
         str(FIXTURES / page)],
        capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    args = parser.parse_args()
    failures = []

    def expect(page, status, *texts):
        code, output = run(args.bin, page)
        if code != status:
            failures.append(f"{page}: exit status {code}, expected {status}:\n{output}")
        for text in texts:
            if text not in output:
                failures.append(f"{page}: the output lacks {text!r}:\n{output}")

    expect("passing.md", 0, "3 examples run, 1 marked not run, 0 failures",
           "not run: shows that a marked example is skipped")
    expect("broken_command.md", 1, "broken_command.md:3: sh example failed", "exit status 5",
           "NOPE.1d", "1 examples run, 0 marked not run, 1 failures")
    expect("broken_output.md", 1, "broken_output.md:3: console example failed", "$ echo one",
           "the page shows:\n    two\n  it printed:\n    one")
    expect("broken_marker.md", 1, "broken_marker.md:3: 'not run' needs a reason")
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"runner self-test: {4 - len({f.split(':')[0] for f in failures})} of 4 pages as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
