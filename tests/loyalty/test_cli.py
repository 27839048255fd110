"""The command line as a whole: every command documents itself."""

from __future__ import annotations

from typing import Any

import typer.main
from typer.testing import CliRunner

from loyalty.cli import app


def all_command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(root, [])
    return paths


def test_every_command_has_help_text() -> None:
    runner = CliRunner()
    for path in all_command_paths():
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage:" in result.output
        command = typer.main.get_command(app)
        for name in path:
            assert hasattr(command, "commands")
            command = command.commands[name]
        assert (command.help or "").strip(), f"loyalty {' '.join(path)} has no help text"
