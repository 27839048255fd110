"""The workspace: a folder with `loyalty.toml` and, by default, the SQLite database `loyalty.db`.

Which workspace a command uses: `--workspace DIR`, else `LOYALTY_WORKSPACE`, else the nearest folder
upwards from the current one that holds `loyalty.toml`. Which database: `--database-url`, else
`LOYALTY_DATABASE_URL`, else `database_url` in `loyalty.toml`, else `loyalty.db` in the workspace.
A password in a URL belongs in the environment variable, not in the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
"""


@dataclass(frozen=True, slots=True)
class WorkspaceOptions:
    """What the command line said about the workspace (root options and environment)."""

    directory: Path | None = None
    database_url: str | None = None


@dataclass(frozen=True, slots=True)
class Workspace:
    directory: Path
    database_url: str
    organisation: str
    logo: Path | None = None  # an image file for report covers (`logo` in loyalty.toml)

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
        directory.resolve(), str(url), str(settings.get("organisation", "")), _logo(directory, settings, config_path)
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
