"""Fixtures shared by every test folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `import fakeserver` from any test folder

from fakeserver import FakeServer


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """A fresh LowCodeAPI + Anthropic stand-in on 127.0.0.1 (random port) for one test."""
    with FakeServer() as server:
        yield server
    assert not server.errors, "the fake server itself failed:\n" + "\n".join(server.errors)
