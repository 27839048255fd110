"""`loyalty measure …`: one module per measure, each adding its command to this group.

A measure function raises ValueError on bad input (it knows nothing of files or columns);
`input_error_from` turns that into the CLI's InputError, naming the data the user gave.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from surveys.problems import InputError, Problem

app = typer.Typer(
    help="Statistics on a stored wave (--survey S --wave W) or on a data file (--data FILE).",
    no_args_is_help=True,
)


@contextmanager
def input_error_from(source: str) -> Iterator[None]:
    """Report a measure's ValueError as a problem with `source` (e.g. "answers.csv"), exit code 1."""
    try:
        yield
    except ValueError as error:
        raise InputError(f"{source} cannot be measured.", [Problem(source, str(error))]) from None


from loyalty.commands.measure import reliability as _reliability  # noqa: E402

app.command(name="reliability")(_reliability.reliability)

from loyalty.commands.measure import validity as _validity  # noqa: E402

app.command(name="validity")(_validity.validity)

from loyalty.commands.measure import index as _index  # noqa: E402

app.command(name="index")(_index.index)

from loyalty.commands.measure import weights as _weights  # noqa: E402

app.command(name="weights")(_weights.weights)

from loyalty.commands.measure import drivers as _drivers  # noqa: E402

app.command(name="drivers")(_drivers.drivers)

from loyalty.commands.measure import quality as _quality  # noqa: E402

app.command(name="quality")(_quality.quality)

from loyalty.commands.measure import nps as _nps  # noqa: E402

app.command(name="nps")(_nps.nps)

from loyalty.commands.measure import damage as _damage  # noqa: E402

app.command(name="damage")(_damage.damage)

from loyalty.commands.measure import segments as _segments  # noqa: E402

app.add_typer(_segments.group, name="segments")

from loyalty.commands.measure import threshold as _threshold  # noqa: E402

app.command(name="threshold")(_threshold.threshold)
