"""`jupyter console` in a pseudo-terminal: the kernel's is_complete lets a
function typed line by line become one cell."""
import os

import pexpect

from kernelharness import TIMEOUT, VENV_BIN

# Terminal escape sequences that prompt_toolkit puts between characters.
E = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"


def prompt(kind, n):
    return kind + E + r"\[" + E + str(n) + E + r"\]: "


def test_function_typed_line_by_line_is_one_cell(tmp_path):
    child = pexpect.spawn(
        str(VENV_BIN / "jupyter"), ["console", "--kernel", "parc"],
        env=dict(os.environ, TERM="xterm"), encoding="utf-8", timeout=TIMEOUT,
        dimensions=(40, 200))
    child.logfile_read = open(tmp_path / "console.log", "w")
    try:
        child.expect(prompt("In ", 1))
        child.send("int add(int a, int b) {\r")
        child.expect(r"\.\.\.: ")
        child.send("return a + b;\r")
        child.expect(r"\.\.\.: ")
        child.send("}\r")
        # One cell: the next prompt is number 2, and the function works.
        child.expect(prompt("In ", 2))
        child.send("add(2, 3)\r")
        child.expect(prompt("Out", 2) + E + r"\(int\) 5")
        child.expect(prompt("In ", 3))
        child.sendcontrol("d")
        if child.expect([r"exit \(\[y\]/n\)\?", pexpect.EOF]) == 0:
            child.send("y\r")
            child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
