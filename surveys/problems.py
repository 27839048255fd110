"""The one error type for bad user input: a list of problems, each with where, what and how to fix it.

Validators collect every problem before raising, so a user fixes a file in one pass, not one error per
run. The command line prints them and exits 1; any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's input."""

    location: str  # where: "retail.yaml, line 14" or "row 14, column q7_recommend"
    what: str  # what is wrong, in the user's terms
    fix: str = ""  # how to fix it; empty when the message already says

    def __str__(self) -> str:
        text = f"{self.location}: {self.what}" if self.location else self.what
        return f"{text} {self.fix}" if self.fix else text


class InputError(Exception):
    """Raised when user input has problems; nothing was changed."""

    def __init__(self, summary: str, problems: Iterable[Problem]) -> None:
        self.summary = summary
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """The message the command line prints: the summary, then one problem a line."""
        lines = [self.summary, *(f"  {problem}" for problem in self.problems)]
        return "\n".join(lines)
