"""The quarterly report, rendered from a workspace with two generated waves of the quarterly-loyalty survey.

Each language is rendered once (module-scoped fixtures); the checks read the PDF as a reader's tools do:
pdftoppm rasterises every page, pdffonts lists the embedded faces, pdftotext gives the words and numbers.
"""

from __future__ import annotations

import re
import shutil
import string
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from loyalty.cli import app
from reports import charts
from reports.analysis import WaveAnalysis, analyse_wave
from reports.context import ReportContext, build_context
from reports.html import render_report_html
from reports.pdf import write_report_pdf
from reports.phrases import LANGUAGES, PHRASES
from surveys.questionnaire import Construct
from surveys.storage.engine import make_engine
from surveys.storage.wave_data import WaveData, load_wave
from templates import environment
from tests.loyalty.quarterly_wave import SURVEY, WAVE, StoredWave, add_wave, make_stored_wave

EARLIER = "2026Q2"
FONTS = {"zh-Hans": "Noto-Sans-CJK-SC", "zh-Hant": "Noto-Sans-CJK-TC", "en": "Noto-Sans-CJK-SC"}

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils are not installed")


@dataclass(frozen=True)
class Waves:
    stored: StoredWave
    earlier_answers: pd.DataFrame
    current: WaveAnalysis
    earlier: WaveAnalysis
    loaded: WaveData


@pytest.fixture(scope="module")
def waves(tmp_path_factory: pytest.TempPathFactory) -> Waves:
    stored = make_stored_wave(tmp_path_factory.mktemp("report") / "workspace")
    earlier_answers = add_wave(stored, EARLIER, shift=-0.5)
    engine = make_engine(stored.database_url)
    try:
        with Session(engine) as session:
            loaded = load_wave(session, SURVEY, WAVE)
            earlier = load_wave(session, SURVEY, EARLIER)
    finally:
        engine.dispose()
    return Waves(stored, earlier_answers, analyse_wave(loaded), analyse_wave(earlier), loaded)


@dataclass(frozen=True)
class Rendered:
    language: str
    context: ReportContext
    html: str
    pdf: Path


@pytest.fixture(scope="module", params=LANGUAGES)
def rendered(request: pytest.FixtureRequest, waves: Waves, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    language = str(request.param)
    context = build_context(
        waves.current,
        [waves.earlier],
        language=language,
        organisation="示例零售集团",
        data_files=[],
        software={"numpy": np.__version__},
    )
    html = render_report_html(context)
    pdf = tmp_path_factory.mktemp(language) / "report.pdf"
    write_report_pdf(html, pdf)
    return Rendered(language, context, html, pdf)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _pdf_text(pdf: Path) -> str:
    return _run("pdftotext", "-layout", str(pdf), "-").stdout


@needs_poppler
def test_every_page_rasterises_without_error(rendered: Rendered, tmp_path: Path) -> None:
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(rendered.pdf)).stdout).group(1))  # type: ignore[union-attr]
    result = _run("pdftoppm", "-r", "20", "-png", str(rendered.pdf), str(tmp_path / "page"))
    assert result.returncode == 0
    assert result.stderr == ""
    assert len(list(tmp_path.glob("page-*.png"))) == pages
    assert pages >= 10  # cover, contents and one page per section


@needs_poppler
def test_the_language_s_cjk_fonts_are_embedded(rendered: Rendered) -> None:
    fonts = _run("pdffonts", str(rendered.pdf)).stdout.splitlines()[2:]
    embedded = [line.split()[0] for line in fonts if line.split()[-5] == "yes"]
    assert any(FONTS[rendered.language] in name for name in embedded), fonts
    assert all(line.split()[-5] == "yes" for line in fonts), "every font is embedded"


def _nps_from_answers(answers: pd.DataFrame, left_out: Sequence[int] = ()) -> float:
    """NPS straight from the generated answers of the complete responses, less those at the positions
    `left_out` (among the complete ones, in import order): % 9–10 minus % 0–6."""
    complete = answers[answers["status"] == "complete"].reset_index(drop=True)
    ratings = complete.drop(index=list(left_out))["recommend"].dropna()
    return 100 * (float((ratings >= 9).mean()) - float((ratings <= 6).mean()))


def _flagged(analysis: WaveAnalysis) -> tuple[int, ...]:
    assert analysis.quality is not None
    return analysis.quality.flagged_rows


@needs_poppler
def test_key_numbers_in_the_text_equal_the_measured_results(rendered: Rendered, waves: Waves) -> None:
    text = _pdf_text(rendered.pdf)
    nps = _nps_from_answers(waves.stored.answers, _flagged(waves.current))  # flagged responses left out
    assert waves.current.nps is not None
    assert waves.current.nps.score.score == pytest.approx(nps, abs=1e-9)
    assert f"{nps:.1f}" in text
    earlier_nps = _nps_from_answers(waves.earlier_answers, _flagged(waves.earlier))
    assert f"{earlier_nps:.1f}" in text  # the trend table's earlier wave
    assert waves.current.index is not None
    overall = waves.current.index.overall
    assert f"{overall.index:.1f}" in text
    assert f"{overall.ci_low:.1f}–{overall.ci_high:.1f}" in text
    complete = int((waves.stored.answers["status"] == "complete").sum())
    assert re.search(rf"\b{complete}\b", text)


def test_flagged_responses_are_left_out_of_every_estimate_and_counted_by_reason(waves: Waves) -> None:
    flagged = _flagged(waves.current)
    assert flagged, "the generated wave has planted speeders and straight-liners"
    assert waves.current.flagged.excluded == len(flagged)
    assert len(waves.current.wave.responses) == waves.current.status.used - len(flagged)
    context = build_context(waves.current, [waves.earlier], language="en", organisation="", data_files=[], software={})
    quality = next(section for section in context.sections if section.key == "quality")
    assert f"{len(flagged)} of {waves.current.status.used} complete responses" in quality.paragraphs[0]
    assert "left out of every estimate" in quality.paragraphs[0]


def test_include_flagged_keeps_every_complete_response(waves: Waves) -> None:
    kept = analyse_wave(waves.loaded, include_flagged=True)
    assert kept.flagged.flagged == len(_flagged(waves.current))
    assert kept.flagged.excluded == 0
    assert len(kept.wave.responses) == kept.status.used
    assert kept.nps is not None
    assert kept.nps.score.score == pytest.approx(_nps_from_answers(waves.stored.answers), abs=1e-9)
    context = build_context(kept, [], language="en", organisation="", data_files=[], software={})
    quality = next(section for section in context.sections if section.key == "quality")
    assert "they are kept in the analysis" in " ".join(quality.paragraphs)


def test_every_section_with_inputs_is_in_the_report_in_order(rendered: Rendered) -> None:
    keys = [section.key for section in rendered.context.sections]
    assert keys == [
        "summary",
        "quality",
        "index",
        "threshold",
        "nps",
        "drivers",
        "customers",
        "complaints",
        "reliability",
        "recommendations",
        "methods",
    ]
    # measured without CRM records: of the customers section, the lifecycle and value matrix are left out
    titles = (PHRASES[rendered.language]["lifecycle"], PHRASES[rendered.language]["value_matrix"])
    assert len(rendered.context.left_out) == len(titles)
    assert all(title in line for title, line in zip(titles, rendered.context.left_out, strict=True))
    summary = rendered.context.sections[0]
    assert 3 <= len(summary.bullets) <= 5
    for section in rendered.context.sections:
        assert f'id="{section.key}"' in rendered.html
        assert section.paragraphs or section.tables or section.bullets, f"{section.key} is empty"


def test_a_missing_template_value_fails_the_build(rendered: Rendered) -> None:
    template = environment().get_template("report/report.html.j2")
    with pytest.raises(jinja2.UndefinedError, match="phrases"):
        template.render(context=rendered.context)


def test_a_section_without_inputs_is_left_out_with_its_reason(waves: Waves) -> None:
    complaint_constructs = {Construct.PROBLEM_EXPERIENCED, Construct.COMPLAINED, Construct.COMPLAINT_RESOLVED}
    without = replace(
        waves.loaded, codebook=[v for v in waves.loaded.codebook if v.construct not in complaint_constructs]
    )
    analysis = analyse_wave(without)
    assert set(analysis.left_out) == {"complaints", "lifecycle", "value_matrix"}  # no CRM records either
    context = build_context(analysis, [], language="en", organisation="", data_files=[], software={})
    assert "complaints" not in [section.key for section in context.sections]
    (line,) = [line for line in context.left_out if line.startswith("Complaints")]
    assert line.startswith("Complaints is left out: survey retail-2026 has no single-choice item of construct")
    assert line in render_report_html(context)


def test_charts_have_no_missing_glyphs_in_any_language(waves: Waves) -> None:
    assert waves.current.nps is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for language in LANGUAGES:
            svg = charts.nps_distribution_svg(waves.current.nps.ratings, language)
            assert PHRASES[language]["chart_nps"] in svg  # text kept as text
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []


def test_the_phrase_tables_have_the_same_keys_and_slots() -> None:
    def slots(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    english = PHRASES["en"]
    for language in LANGUAGES:
        assert set(PHRASES[language]) == set(english)
        assert {key: slots(text) for key, text in PHRASES[language].items()} == {
            key: slots(text) for key, text in english.items()
        }


def test_the_command_writes_html_and_the_workspace_can_rebrand_it(waves: Waves, tmp_path: Path) -> None:
    branding = waves.stored.workspace / "templates" / "report"
    branding.mkdir(parents=True)
    css = (Path(__file__).resolve().parents[2] / "templates" / "report" / "report.css").read_text(encoding="utf-8")
    (branding / "report.css").write_text(css + "\n/* brand: ACME */\n", encoding="utf-8")
    target = tmp_path / "report.html"
    try:
        result = CliRunner().invoke(
            app,
            ["--workspace", str(waves.stored.workspace), "report", "--survey", SURVEY, "--wave", WAVE,
             "--compare", EARLIER, "--lang", "en", "-o", str(target), "--html"],
        )  # fmt: skip
    finally:
        shutil.rmtree(branding.parent)
    assert result.exit_code == 0, result.output
    assert f"Wrote {target}" in result.output
    page = target.read_text(encoding="utf-8")
    assert "/* brand: ACME */" in page
    assert "Customer Loyalty Evaluation" in page
    assert "Compared with 2026Q2" in page


def test_the_command_refuses_an_unknown_language(waves: Waves, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--workspace", str(waves.stored.workspace), "report", "--survey", SURVEY, "--wave", WAVE,
         "--lang", "fr", "-o", str(tmp_path / "r.pdf")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "'fr' is not one of zh-Hans, zh-Hant, en" in result.output


def test_scale_quality_covers_the_rated_scales_but_not_the_importance_ratings(waves: Waves) -> None:
    codebook = waves.current.wave.codebook
    importance = [v for v in codebook if v.construct == Construct.ATTRIBUTE_IMPORTANCE and v.kind == "scale"]
    assert len(importance) >= 3, "the questionnaire rates the importance of several attributes"
    constructs = {row.construct for row in waves.current.reliability}
    assert str(Construct.ATTRIBUTE_SATISFACTION) in constructs
    assert str(Construct.ATTRIBUTE_IMPORTANCE) not in constructs


def test_the_ladder_reads_purchase_bands_by_their_lower_bound(waves: Waves) -> None:
    ladder = waves.current.ladder
    assert ladder is not None
    assert ladder.purchase_bands == (0.0, 1.0, 2.0, 6.0)  # never, once, 2–5 times, 6 or more
    counts = {row.stage: row.count for row in ladder.ladder.distribution}
    answers = waves.stored.answers
    complete = answers[answers["status"] == "complete"].reset_index(drop=True)
    bands = complete.drop(index=list(_flagged(waves.current)))["purchases_to_date"]
    # without purchases per period or months since the last one, no one is a client, advocate or lost
    assert counts["repeat_customer"] == int(bands.isin([3, 4]).sum())
    assert counts["first_time_customer"] == int((bands == 2).sum())
    assert counts["client"] == counts["advocate"] == counts["lost"] == 0


def test_the_workspace_logo_is_on_the_cover_and_a_missing_one_is_explained(waves: Waves, tmp_path: Path) -> None:
    from PIL import Image

    workspace = waves.stored.workspace
    config = workspace / "loyalty.toml"
    original = config.read_text(encoding="utf-8")
    Image.new("RGB", (120, 40), (20, 60, 120)).save(workspace / "logo.png")
    target = tmp_path / "report.pdf"
    arguments = ["--workspace", str(workspace), "report", "--survey", SURVEY, "--wave", WAVE, "--lang", "en"]
    try:
        config.write_text(original.replace("[workspace]\n", '[workspace]\nlogo = "logo.png"\n'), encoding="utf-8")
        result = CliRunner().invoke(app, [*arguments, "-o", str(target)])
        assert result.exit_code == 0, result.output
        images = _run("pdfimages", "-list", "-f", "1", "-l", "1", str(target)).stdout.splitlines()[2:]
        assert len(images) == 1  # the logo, on the cover page
        config.write_text(original.replace("[workspace]\n", '[workspace]\nlogo = "brand.gif"\n'), encoding="utf-8")
        refused = CliRunner().invoke(app, [*arguments, "-o", str(tmp_path / "again.pdf")])
    finally:
        config.write_text(original, encoding="utf-8")
        (workspace / "logo.png").unlink()
    assert refused.exit_code == 1
    assert "'brand.gif' is not a PNG, JPEG or SVG file in the workspace." in refused.output
