"""Fixtures for the notebook tests: a private Jupyter environment with a
kernelspec for the built kernel, and each notebook executed once per test
session (a fresh copy; the committed file is only read)."""
import pathlib

import nbformat
import pytest

import nbrun


@pytest.fixture(scope="session")
def jupyter_for_notebooks():
    with nbrun.private_jupyter() as base:
        yield base


@pytest.fixture(scope="session")
def executed(jupyter_for_notebooks):
    """executed(name) -> the notebook notebooks/<name> run top to bottom now
    (an nbformat node), and the seconds it took; run once per session."""
    cache = {}

    def run(name):
        if name not in cache:
            path = nbrun.NOTEBOOKS / name
            nb = nbformat.read(path, as_version=4)
            try:
                secs = nbrun.execute(nb, cwd=pathlib.Path(path).parent)
            except Exception as e:  # kept, so that every test of the notebook reports it
                cache[name] = e
            else:
                cache[name] = (nb, secs)
        if isinstance(cache[name], Exception):
            pytest.fail(f"{name} failed to run:\n{cache[name]}")
        return cache[name]

    return run
