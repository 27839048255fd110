"""Shared fixtures: where the reference data (R outputs, published data sets) live."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """`shared/reference`, found by walking up from this file (works in /work/main and in a worktree)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    pytest.fail("no shared/reference directory above the tests")
