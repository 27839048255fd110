"""`loyalty measure …`: one module per measure, each adding its command to this group."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Statistics on a stored wave (--survey S --wave W) or on a data file (--data FILE).",
    no_args_is_help=True,
)
