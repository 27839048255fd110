"""Shared fixtures: where the reference data and R results live (../shared/reference)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def reference() -> Path:
    """/work/shared/reference, found by walking up from this file (works in any worktree)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    pytest.fail("shared/reference not found above the repository")
