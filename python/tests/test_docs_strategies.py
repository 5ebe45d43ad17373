"""The ```python examples of docs/strategies.md, each run as a script by the module's
interpreter in a fresh directory, with the built `tandem` first on PATH (as docs_examples runs the
shell examples, docs/doc-examples.md). An example must exit 0."""

import os
import re
import subprocess
import sys

import pytest

SOURCE_DIR = os.environ.get("TANDEM_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
PAGE = os.path.join(SOURCE_DIR, "docs", "strategies.md")


def examples():
    text = open(PAGE).read()
    found = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
        line = text.count("\n", 0, match.start()) + 1
        found.append(pytest.param(match.group(1), id=f"strategies.md:{line}"))
    return found


def test_the_page_has_python_examples():
    assert len(examples()) >= 1


@pytest.mark.parametrize("code", examples())
def test_example_runs(code, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env["PATH"] = os.path.dirname(os.environ["TANDEM_BIN"]) + os.pathsep + env.get("PATH", "")
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip(), "the example printed nothing"
