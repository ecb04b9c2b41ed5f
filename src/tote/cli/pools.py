"""`tote pools settle FILE.json` and `tote pools approximates FILE.json` (FILE `-` = stdin).

The settlement calculator on the command line: read one pool case (docs/pools.md), print the
answer as JSON. Bad input is one `Error: ...` line on stderr and exit code 2, never a
traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from tote.cli.pools_build import build
from tote.pools import PoolCase, PoolCaseError, parse_case, settle, void_reason, will_pays

app = typer.Typer(
    help="Settle tote pools: dividends, payouts, refunds, takeout and breakage in cents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CaseFile = Annotated[
    str, typer.Argument(metavar="FILE", help="Pool case as JSON (docs/pools.md); - for stdin.")
]

BAD_INPUT = 2
app.command("build")(build)


def _fail(message: str) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(BAD_INPUT)


def _read_case(source: str, *, result_required: bool = True) -> PoolCase:
    name = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}")
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except (json.JSONDecodeError, ValueError) as exc:
        _fail(f"{name} is not valid JSON: {exc}")
    try:
        return parse_case(document, result_required=result_required)
    except PoolCaseError as exc:
        _fail(exc.message)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number of cents")


def _print(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, indent=2))


@app.command("settle")
def settle_command(file: CaseFile) -> None:
    """Settle one pool and print its settlement as JSON."""
    _print(settle(_read_case(file)).to_json())


@app.command("approximates")
def approximates_command(file: CaseFile) -> None:
    """Print the approximate dividend per unit of every backed combination (no result used).

    A void pool prints why (`void`) and no prices: every ticket is refunded."""
    case = _read_case(file, result_required=False)
    try:
        net, prices = will_pays(case)
    except PoolCaseError as exc:
        _fail(exc.message)
    _print(
        {
            "pool": case.pool.value,
            "void": void_reason(case),
            "net_cents": net,
            "approximates": [
                {"selection": list(price.selection), "per_unit_cents": price.per_unit_cents}
                for price in prices
            ],
        }
    )
