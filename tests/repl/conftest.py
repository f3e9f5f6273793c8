"""Fixtures for the end-to-end tests of the terminal REPL `parc`.

Every test runs build/repl/parc (or $PARC_BIN) with HOME and the XDG folders in a
fresh temporary directory, so history and cache files never touch the user's.
"""
import os
import subprocess

import pytest

from replharness import PARC, TIMEOUT, Session


@pytest.fixture
def parc_env(tmp_path):
    """Environment whose HOME and XDG folders are private to the test."""
    env = dict(os.environ)
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        TERM="xterm",
        LC_ALL="C.UTF-8",
    )
    (tmp_path / "home").mkdir()
    return env


@pytest.fixture
def spawn(parc_env):
    """Starts interactive sessions; closes them after the test."""
    sessions = []

    def start(*args, env=None):
        s = Session(env or parc_env, args)
        sessions.append(s)
        return s

    yield start
    for s in sessions:
        s.close()


@pytest.fixture
def run(parc_env):
    """Runs parc without a terminal: run(*args, input=...) -> CompletedProcess."""

    def go(*args, input="", env=None):
        return subprocess.run(
            [PARC, *args], input=input, env=env or parc_env, capture_output=True,
            text=True, timeout=TIMEOUT)

    return go
