"""`loyalty serve` and `loyalty invite`: collecting responses with a self-hosted web survey.

Settings come from the `[serve]` table of loyalty.toml:

    [serve]
    base_url = "https://survey.example.cn"   # the address respondents open; links are BASE_URL/s/TOKEN
    admin_secret = "…"                        # the password of /admin (HTTP Basic); no secret, no admin view
    open_links = false                        # whether /o/SURVEY/WAVE takes answers without a token
    open_link_limit_per_hour = 30             # starts and submissions per address and wave on open links
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loyalty.workspace import CONFIG_NAME, Workspace, WorkspaceOptions, open_workspace, workspace_session
from surveys.problems import InputError, Problem

if TYPE_CHECKING:
    from surveys.collection.app import ServeSettings


def serve_settings(workspace: Workspace, base_url: str | None = None) -> ServeSettings:
    """The `[serve]` table of the workspace's loyalty.toml, checked."""
    import tomllib

    from surveys.collection.app import ServeSettings

    path = workspace.directory / CONFIG_NAME
    table = tomllib.loads(path.read_text(encoding="utf-8")).get("serve", {})
    known = {"base_url", "admin_secret", "open_links", "open_link_limit_per_hour"}
    problems = [
        Problem(f"{path} [serve]", f"{key!r} is not a setting.", f"The settings are {', '.join(sorted(known))}.")
        for key in table
        if key not in known
    ]
    url = str(base_url or table.get("base_url", "http://127.0.0.1:8000")).rstrip("/")
    if not url.startswith(("http://", "https://")):
        problems.append(Problem("base_url", f"{url!r} is not an http(s) address.", "e.g. https://survey.example.cn"))
    limit = table.get("open_link_limit_per_hour", 30)
    if not isinstance(limit, int) or limit < 1:
        problems.append(Problem("open_link_limit_per_hour", f"{limit!r} is not a positive whole number.", ""))
    secret = str(table.get("admin_secret", ""))
    if secret and len(secret) < 16:
        problems.append(Problem("admin_secret", "is shorter than 16 characters.", "Use a long random secret."))
    if problems:
        raise InputError(f"{path} has {len(problems)} problem(s) in [serve].", problems)
    return ServeSettings(
        base_url=url, admin_secret=secret, open_links=bool(table.get("open_links", False)),
        open_link_limit_per_hour=int(limit),
    )  # fmt: skip


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="The address to listen on; 127.0.0.1 behind a reverse proxy.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
) -> None:
    """Run the web survey: respondents answer the open waves by their invitation links.

    Each link (from `loyalty invite`) shows the survey's newest published version, one section per page, in
    the respondent's language; answers are checked like an import and stored once, at submit. /admin shows
    response counts and CSV exports behind `admin_secret` from loyalty.toml's [serve] table. Put it behind
    an HTTPS reverse proxy (nginx, Caddy) to serve the internet.

    Example: loyalty serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from surveys.collection.app import create_app

    options: WorkspaceOptions = ctx.obj
    workspace = open_workspace(options)
    settings = serve_settings(workspace)
    app = create_app(workspace.engine(), settings)
    typer.echo(f"Serving {workspace.directory} on http://{host}:{port}")
    typer.echo(f"Invitation links point at {settings.base_url}/s/TOKEN (base_url in loyalty.toml or --base-url).")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True, server_header=False)


def invite(
    ctx: typer.Context,
    survey: Annotated[str, typer.Option("--survey", help="A published survey id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The links file to write (CSV).")],
    wave: Annotated[str | None, typer.Option("--wave", help="The wave (default: the latest open one).")] = None,
    count: Annotated[int | None, typer.Option("--count", help="This many anonymous links.")] = None,
    contacts: Annotated[
        Path | None, typer.Option("--from", help="A CSV of contacts: one personal link per row.", exists=True)
    ] = None,
    key_column: Annotated[
        str | None, typer.Option(help="The contacts' key column (default: the first named like customer/id).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="The survey's address (default: base_url in loyalty.toml).")] = (
        None
    ),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing links file.")] = False,
) -> None:
    """Make personal survey links: one response each, valid until the wave ends.

    The links file holds the only copy of each token (the database keeps a hash), so keep it safe and
    send each link to its contact only. With --from, each row of the contacts file gets a link; its key is
    stored pseudonymised, so responses link to the customer's records like imported ones.

    Example: loyalty invite --survey retail-2026 --wave 2026Q3 --from contacts.csv -o links.csv
    """
    from surveys.collection.invitations import create_invitations, invitation_wave, read_contacts, write_links

    if (count is None) == (contacts is None):
        raise InputError(
            "Say how many links to make.",
            [Problem("--count/--from", "give exactly one of them.", "e.g. --count 500 or --from contacts.csv")],
        )
    if count is not None and not 1 <= count <= 1_000_000:
        raise InputError("Cannot make that many links.", [Problem("--count", f"{count} is not 1 … 1000000.", "")])
    if output.exists() and not force:
        raise InputError(f"{output} already exists.", [Problem(str(output), "would be overwritten.", "Pass --force.")])
    options: WorkspaceOptions = ctx.obj
    settings = serve_settings(open_workspace(options), base_url)
    keys: list[str | None] = list(read_contacts(contacts, key_column)) if contacts else [None] * (count or 0)
    with workspace_session(options) as session:
        target = invitation_wave(session, survey, wave)
        invitations = create_invitations(session, target, settings.base_url, keys)
        label, ends_on = target.label, target.ends_on
        write_links(output, invitations, survey, label)
    ends = f", valid until {ends_on}" if ends_on else ""
    typer.echo(f"{len(invitations)} links to {survey} wave {label}{ends} written to {output}.")
