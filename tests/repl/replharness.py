"""What the REPL tests share: where parc is, and an interactive session in a
pseudo-terminal. (A module name of its own, so that other test folders' helpers
never shadow it.)
"""
import os
import pathlib
import re
import time

import pexpect

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _find_parc():
    """$PARC_BIN, else the REPL meson builds in build/."""
    if os.environ.get("PARC_BIN"):
        return os.environ["PARC_BIN"]
    for rel in ("build/repl/parc", "build/parc"):
        if (ROOT / rel).exists():
            return str(ROOT / rel)
    return str(ROOT / "build" / "repl" / "parc")


PARC = _find_parc()

# The main prompt "[N] ".
PROMPT = re.compile(r"\[(\d+)\] ")
TIMEOUT = 30


class Session:
    """An interactive parc in a pseudo-terminal."""

    def __init__(self, env, args=()):
        self.child = pexpect.spawn(
            PARC, list(args), env=env, encoding="utf-8", timeout=TIMEOUT,
            dimensions=(40, 200))

    def prompt(self, n=None):
        """Waits for the main prompt; returns its cell number."""
        pat = PROMPT if n is None else re.compile(r"\[%d\] " % n)
        self.child.expect(pat)
        return int(self.child.match.group(1)) if n is None else n

    def cell(self, line):
        """Types one line of a cell and presses Enter."""
        self.child.sendline(line)

    def expect(self, pattern):
        self.child.expect(pattern)
        return self.child.match

    def expect_exact(self, text):
        self.child.expect_exact(text)

    def exit(self):
        """Ctrl-D at an empty prompt; returns the exit status. Call it once
        the prompt is shown: a ^D typed while a cell still runs meets the
        terminal in its normal (canonical) mode, where it is no character
        at all, so it never reaches the line editor."""
        time.sleep(0.2)
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus

    def close(self):
        if self.child.isalive():
            self.child.close(force=True)
