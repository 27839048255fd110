"""`measure.threshold_analysis`: how K is chosen (METHODS.md §1.7) and what the analysis reports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from measure.threshold_analysis import analyse_threshold


def columns(reference: Path, relative: str, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(reference / relative)
    return frame[x].to_numpy(float), frame[y].to_numpy(float)


def test_d1_auto_chooses_two_breakpoints_and_zones_abc(reference: Path) -> None:
    s, y = columns(reference, "data/d1_satloy.csv", "S", "L")
    analysis = analyse_threshold(s, y, scale=(1, 10))
    assert analysis.selected_breakpoints == 2
    assert analysis.comparison.best_by_bic == "2 breakpoints"
    assert analysis.pseudo_score_more is not None
    assert analysis.pseudo_score_more.p_value < 0.05  # the second breakpoint is real
    assert analysis.zones.pattern == "A|B|C"
    document = json.loads(json.dumps(analysis.as_dict()))
    assert document["davies_p"] == pytest.approx(2.6302e-12, rel=1e-4)


def test_mobi_c_auto_keeps_the_line(reference: Path) -> None:
    # Davies p = 0.056 and BIC prefers the quadratic: no breakpoint is reported, zones fall back
    s, y = columns(reference, "data/derived/mobi_composite_C.csv", "satisfaction", "loyalty")
    analysis = analyse_threshold(s, y, scale=(1, 10))
    assert analysis.selected_breakpoints == 0
    assert analysis.zones.source == "jones-sasser"
    forced = analyse_threshold(s, y, scale=(1, 10), breakpoints=1)
    assert forced.selected_breakpoints == 1
    assert forced.requested_breakpoints == "1"
    assert forced.fit.breakpoints == pytest.approx([7.80477], abs=1e-4)


def test_bad_breakpoints_argument() -> None:
    with pytest.raises(ValueError, match="0, 1, 2 or 'auto'"):
        analyse_threshold([1, 2, 3], [1, 2, 3], scale=(1, 5), breakpoints="3")
