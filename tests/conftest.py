"""Shared fixtures: where the reference data and R results live (../shared/reference)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def reference() -> Path:
    """The `shared/reference` directory, found by walking up from this file (worktree or main)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    pytest.fail("no shared/reference directory above the tests")
