"""Shared fixtures: where the reference data and R results live (`shared/reference`, outside the repo)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def reference() -> Path:
    """The `shared/reference` folder: the first parent of this file that has one."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    pytest.fail("shared/reference not found above the repository")
