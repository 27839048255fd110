"""The workspace: a folder with `loyalty.toml` and, by default, the SQLite database `loyalty.db`.

Which workspace a command uses: `--workspace DIR`, else `LOYALTY_WORKSPACE`, else the nearest folder
upwards from the current one that holds `loyalty.toml`. Which database: `--database-url`, else
`LOYALTY_DATABASE_URL`, else `database_url` in `loyalty.toml`, else `loyalty.db` in the workspace.
A password in a URL belongs in the environment variable, not in the file.

The `[weighting]` table names the population margins the report weights each wave to (files in the
workspace, in the format of `loyalty measure weights --margins`), the method and the trimming bounds:

    [weighting]
    margins = "margins.yaml"           # every survey and wave, unless named below
    method = "raking"                  # or "poststratify": one margin of cells, e.g. gender*age_band
    trim = [0.3, 3.0]                  # optional: weights kept within these multiples of the mean
    waves = {"2026Q1" = "margins-2025.yaml"}          # a wave (of any survey) whose margins differ
    [weighting.surveys.retail-2026]
    margins = "margins-retail.yaml"                   # this survey's margins
    waves = {"2026Q4" = "margins-retail-2026Q4.yaml"}
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

CONFIG_NAME = "loyalty.toml"
DATABASE_NAME = "loyalty.db"

_CONFIG_TEMPLATE = """\
# A loyalty workspace: this folder holds the survey database and these settings.
[workspace]
organisation = "{organisation}"   # shown on report covers
# logo = "logo.png"   # an image in this folder, shown on report covers
{database_line}

# Survey weights for the report: population margins in a YAML file in this folder (see README).
# [weighting]
# margins = "margins.yaml"
# method = "raking"        # or "poststratify"
# trim = [0.3, 3.0]
"""


@dataclass(frozen=True, slots=True)
class WorkspaceOptions:
    """What the command line said about the workspace (root options and environment)."""

    directory: Path | None = None
    database_url: str | None = None


@dataclass(frozen=True, slots=True)
class MarginsSource:
    """A margins file and the setting that named it (for messages: "loyalty.toml: weighting.margins")."""

    path: Path
    setting: str


@dataclass(frozen=True, slots=True)
class WeightingSettings:
    """`[weighting]` of loyalty.toml: which population margins each survey and wave is weighted to."""

    method: str = "raking"  # "raking" or "poststratify"
    trim: tuple[float, float] | None = None  # bounds as multiples of the mean weight
    margins: MarginsSource | None = None  # for every survey and wave not named below
    waves: dict[str, MarginsSource] = field(default_factory=dict)  # wave label → margins, any survey
    surveys: dict[str, dict[str, MarginsSource]] = field(default_factory=dict)  # survey → {"": default, wave: …}

    def margins_for(self, survey: str, wave: str) -> MarginsSource | None:
        """The most specific margins: the survey's wave, the survey, the wave, then the workspace's."""
        own = self.surveys.get(survey, {})
        return own.get(wave) or own.get("") or self.waves.get(wave) or self.margins


@dataclass(frozen=True, slots=True)
class Workspace:
    directory: Path
    database_url: str
    organisation: str
    logo: Path | None = None  # an image file for report covers (`logo` in loyalty.toml)
    weighting: WeightingSettings | None = None  # `[weighting]` in loyalty.toml; None when there is none

    def engine(self) -> Engine:
        from surveys.storage.engine import make_engine

        return make_engine(self.database_url)


def create_workspace(directory: Path, database_url: str | None = None, organisation: str = "") -> Workspace:
    """Make `directory` a workspace (an existing loyalty.toml is kept) with its database schema up to date."""
    from surveys.storage.schema import migrate

    directory.mkdir(parents=True, exist_ok=True)
    config = directory / CONFIG_NAME
    if not config.exists():
        database_line = (
            f'database_url = "{database_url}"'
            if database_url
            else ('# database_url = "postgresql://user@host/dbname"   # default: loyalty.db in this folder')
        )
        config.write_text(
            _CONFIG_TEMPLATE.format(organisation=organisation.replace('"', "'"), database_line=database_line),
            encoding="utf-8",
        )
    workspace = open_workspace(WorkspaceOptions(directory, database_url), check_schema=False)
    engine = workspace.engine()
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return workspace


def open_workspace(options: WorkspaceOptions, *, check_schema: bool = True) -> Workspace:
    """The workspace the command line points at, with its database URL resolved."""
    import os

    directory = options.directory or _env_path("LOYALTY_WORKSPACE") or _find_upwards(Path.cwd())
    if directory is None:
        raise InputError(
            "No workspace here.",
            [Problem(str(Path.cwd()), f"neither this folder nor any above holds {CONFIG_NAME}.",
                     "Run `loyalty init DIR` first, or pass --workspace DIR.")],
        )  # fmt: skip
    config_path = directory / CONFIG_NAME
    if not config_path.is_file():
        raise InputError(
            f"{directory} is not a workspace.",
            [Problem(str(config_path), "does not exist.", f"Run `loyalty init {directory}`.")],
        )
    config = _read_config(config_path)
    settings = config.get("workspace", {})
    url = (
        options.database_url
        or os.environ.get("LOYALTY_DATABASE_URL")
        or settings.get("database_url")
        or f"sqlite:///{(directory / DATABASE_NAME).resolve()}"
    )
    workspace = Workspace(
        directory.resolve(),
        str(url),
        str(settings.get("organisation", "")),
        _logo(directory, settings, config_path),
        weighting_settings(directory, config.get("weighting"), config_path),
    )
    if check_schema:
        _require_current_schema(workspace)
    return workspace


@contextmanager
def workspace_session(options: WorkspaceOptions) -> Iterator[Session]:
    """A database session on the workspace: committed when the block ends, rolled back on any error."""
    from sqlmodel import Session

    engine = open_workspace(options).engine()
    try:
        with Session(engine) as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def _require_current_schema(workspace: Workspace) -> None:
    from sqlalchemy.exc import OperationalError

    from surveys.storage.schema import is_current

    engine = workspace.engine()
    try:
        current = is_current(engine)
    except OperationalError as error:
        raise InputError(
            "Cannot open the workspace database.",
            [
                Problem(
                    _safe(workspace.database_url),
                    f"does not answer: {error.orig}",
                    "Check the URL and server.",
                )
            ],
        ) from None
    finally:
        engine.dispose()
    if not current:
        raise InputError(
            "The workspace database has an older schema.",
            [Problem(_safe(workspace.database_url), "needs migrating.", "Run `loyalty migrate`.")],
        )


def _logo(directory: Path, settings: dict[str, object], config_path: Path) -> Path | None:
    """The configured cover logo, which must be an image file in the workspace."""
    name = settings.get("logo")
    if not name:
        return None
    path = (directory / str(name)).resolve()
    if not path.is_file() or path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg"):
        raise InputError(
            f"{config_path} names a logo that cannot be used.",
            [Problem(f"{config_path}: logo", f"{name!r} is not a PNG, JPEG or SVG file in the workspace.",
                     "Put the image in the workspace folder and name it there, or remove the line.")],
        )  # fmt: skip
    return path


_WEIGHTING_KEYS = ("margins", "method", "trim", "waves", "surveys")
_SURVEY_WEIGHTING_KEYS = ("margins", "waves")
WEIGHTING_METHODS = ("raking", "poststratify")


def weighting_settings(directory: Path, table: object, config_path: Path) -> WeightingSettings | None:
    """`[weighting]` of loyalty.toml, checked: every problem is reported at once, each with its key.

    File names are relative to the workspace; that the files exist and hold margins is checked when a
    report reads them, so a misplaced file does not stop the commands that do not weigh anything.
    """
    if table is None:
        return None
    problems: list[Problem] = []
    where = f"{config_path.name}: weighting"
    if not isinstance(table, dict):
        raise InputError(
            f"{config_path} has a [weighting] setting that cannot be used.",
            [Problem(where, "must be a table.", 'Write it as [weighting] with margins = "margins.yaml" under it.')],
        )
    _unknown_keys(table, _WEIGHTING_KEYS, where, problems)
    method = table.get("method", "raking")
    if method not in WEIGHTING_METHODS:
        problems.append(
            Problem(f"{where}.method", f"{method!r} is not a weighting method.", 'Use "raking" or "poststratify".')
        )
    trim = _trim(table.get("trim"), f"{where}.trim", problems)
    margins = _margins_file(directory, table.get("margins"), f"{where}.margins", problems)
    waves = _wave_margins(directory, table.get("waves"), f"{where}.waves", problems)
    surveys: dict[str, dict[str, MarginsSource]] = {}
    given = table.get("surveys", {})
    if not isinstance(given, dict):
        problems.append(Problem(f"{where}.surveys", "must be a table of surveys.", _SURVEY_EXAMPLE))
        given = {}
    for survey, own in given.items():
        key = f"{where}.surveys.{survey}"
        if not isinstance(own, dict):
            problems.append(Problem(key, "must be a table with margins and/or waves.", _SURVEY_EXAMPLE))
            continue
        _unknown_keys(own, _SURVEY_WEIGHTING_KEYS, key, problems)
        found = _wave_margins(directory, own.get("waves"), f"{key}.waves", problems)
        default = _margins_file(directory, own.get("margins"), f"{key}.margins", problems)
        surveys[str(survey)] = {**({"": default} if default else {}), **found}
    if method == "poststratify" and trim is not None:
        problems.append(
            Problem(f"{where}.trim", "trimming needs raking: post-stratified weights are fixed by the cells.",
                    'Remove trim, or use method = "raking".')
        )  # fmt: skip
    if problems:
        raise InputError(f"{config_path} has {len(problems)} problem(s) in [weighting].", problems)
    return WeightingSettings(str(method), trim, margins, waves, surveys)


_SURVEY_EXAMPLE = 'e.g. [weighting.surveys.retail-2026] with margins = "margins-retail.yaml".'


def _unknown_keys(table: dict[str, object], known: tuple[str, ...], where: str, problems: list[Problem]) -> None:
    import difflib

    for key in table:
        if key not in known:
            nearest = difflib.get_close_matches(key, known, n=1)
            hint = f'Did you mean "{nearest[0]}"?' if nearest else f"The keys are: {', '.join(known)}."
            problems.append(Problem(f"{where}.{key}", "is not a weighting setting.", hint))


def _margins_file(directory: Path, name: object, key: str, problems: list[Problem]) -> MarginsSource | None:
    if name is None:
        return None
    if not isinstance(name, str) or not name.strip():
        problems.append(
            Problem(key, f"{name!r} is not a file name.", 'Name a YAML file in the workspace, e.g. "margins.yaml".')
        )
        return None
    return MarginsSource((directory / name).resolve(), key)


def _wave_margins(directory: Path, table: object, key: str, problems: list[Problem]) -> dict[str, MarginsSource]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        problems.append(
            Problem(key, "must map each wave to its margins file.", 'e.g. waves = {"2026Q1" = "margins-2025.yaml"}')
        )
        return {}
    found: dict[str, MarginsSource] = {}
    for wave, name in table.items():
        source = _margins_file(directory, name, f"{key}.{wave}", problems)
        if source is not None:
            found[str(wave)] = source
    return found


def _trim(value: object, key: str, problems: list[Problem]) -> tuple[float, float] | None:
    if value is None:
        return None
    numbers = value if isinstance(value, list) else []
    if len(numbers) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
        problems.append(Problem(key, f"{value!r} is not two numbers [low, high].", "e.g. trim = [0.3, 3.0]"))
        return None
    low, high = float(numbers[0]), float(numbers[1])
    if not 0 <= low < 1 < high:
        problems.append(
            Problem(key, f"[{low:g}, {high:g}] are not bounds around the mean weight: they need 0 ≤ low < 1 < high.",
                    "e.g. trim = [0.3, 3.0]")
        )  # fmt: skip
        return None
    return low, high


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _read_config(path: Path) -> dict[str, dict[str, object]]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path} cannot be read.", [Problem(str(path), f"is not valid TOML: {error}", "")]) from None


def _env_path(name: str) -> Path | None:
    import os

    value = os.environ.get(name)
    return Path(value) if value else None


def _find_upwards(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / CONFIG_NAME).is_file():
            return directory
    return None
