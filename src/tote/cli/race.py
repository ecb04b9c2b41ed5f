"""`tote race open | close | scratch | result | void | show`: the operator's commands.

Each command is one request to the tote service (`tote serve tote`, part of `tote up`) at
`--url` (default: the stack running on the data dir, else TOTE_TOTE_PORT on TOTE_HOST),
answered once the sequencer has committed it. Success prints one line (`--json`: the
service's JSON answer); a refusal prints `Error: <message>` on stderr and exits 1; bad
arguments exit 2.

    tote race open R5 --runners 1-8 --pool WIN --pool 'EXACTA:takeout_bp=1600'
    tote race scratch R5 7
    tote race close R5
    tote race result R5 3 1,6 2        # 3 won, 1 and 6 dead-heated for second, then 2
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

import httpx
import typer

from tote.core.config import load_config
from tote.core.errors import ToteError
from tote.core.listen import dial_host, host_port
from tote.stack.endpoints import running_endpoints
from tote.stack.errors import StackNotRunning

app = typer.Typer(
    help="Open, close, scratch, result and void races on the tote service.", no_args_is_help=True
)

Url = Annotated[
    str | None,
    typer.Option("--url", help="The tote service (default: the running stack's, else "
                               "http://TOTE_HOST:TOTE_TOTE_PORT)."),
]
Json = Annotated[bool, typer.Option("--json", help="Print the service's JSON answer.")]
RaceId = Annotated[str, typer.Argument(help="The race id, e.g. R5 or 2026-11-25-HAP-5.")]
TIMEOUT_S = 30.0
_INT_RULES = (
    "takeout_bp",
    "unit_cents",
    "breakage_step_cents",
    "min_dividend_cents",
    "places",
    "min_starters",
)
_TEXT_RULES = ("split", "unbacked", "part_backed")


def parse_runners(text: str) -> list[int]:
    """`1-8`, `1,2,5` or `1-4,7` as runner numbers."""
    runners: list[int] = []
    try:
        for part in text.split(","):
            low, dash, high = part.strip().partition("-")
            first, last = int(low), int(high) if dash else int(low)
            if last < first:
                raise ValueError(part)
            runners.extend(range(first, last + 1))
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a runner list such as 1-8 or 1,2,5.") from None
    return runners


def parse_pool(text: str) -> dict[str, Any]:
    """`WIN`, or `EXACTA:takeout_bp=1600,unit_cents=100` (rules left out take defaults)."""
    name, _, rules = text.partition(":")
    pool: dict[str, Any] = {"pool": name.strip().upper()}
    for item in filter(None, (r.strip() for r in rules.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or key not in (*_INT_RULES, *_TEXT_RULES):
            raise typer.BadParameter(
                f"'{item}' is not RULE=VALUE with RULE one of "
                f"{', '.join((*_INT_RULES, *_TEXT_RULES))}."
            )
        if key in _TEXT_RULES:
            pool[key] = value.strip().upper()
            continue
        try:
            pool[key] = int(value)
        except ValueError:
            raise typer.BadParameter(f"{key} must be a whole number, not '{value}'.") from None
    return pool


def parse_position(text: str) -> list[int]:
    """One finishing position: `3`, or `1,6` for a dead heat."""
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a position such as 3 or 1,6.") from None


def _call(url: str | None, method: str, path: str, body: Any | None = None) -> dict[str, Any]:
    """The service's JSON answer; an error answer or no answer exits 1 with its message."""
    base = url or default_url()
    try:
        response = httpx.request(method, base.rstrip("/") + path, json=body, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        typer.echo(
            f"Error: cannot reach the tote service at {base} ({exc}). Is it running? "
            "(`tote up`, or `tote serve tote`)",
            err=True,
        )
        raise typer.Exit(1) from None
    try:
        answer = response.json()
    except ValueError:
        answer = {"message": response.text.strip() or response.reason_phrase}
    if response.status_code >= 400:
        message = answer.get("message") if isinstance(answer, dict) else None
        typer.echo(f"Error: {message or f'HTTP {response.status_code}'}", err=True)
        raise typer.Exit(1)
    return answer if isinstance(answer, dict) else {"items": answer}


def default_url() -> str:
    """The tote service of the stack running on the data dir (whatever `--tote-port` it
    was given), else TOTE_TOTE_PORT on TOTE_HOST."""
    try:
        config = load_config({})
        try:
            return running_endpoints(config.home).url("tote")
        except (StackNotRunning, KeyError):
            return f"http://{host_port(dial_host(config.host), config.tote_port)}"
    except ToteError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _say(answer: dict[str, Any], as_json: bool, line: str) -> None:
    typer.echo(json.dumps(answer, indent=2) if as_json else line)


def _refunds(answer: dict[str, Any]) -> str:
    refunds = answer.get("refunds", {})
    bets = refunds.get("bets", 0)
    return f"refunded {bets} bet{'' if bets == 1 else 's'}, {_money(refunds.get('stake_cents', 0))}"


@app.command("open")
def open_race(
    race_id: RaceId,
    *,
    runners: Annotated[str, typer.Option("--runners", help="Declared runners: 1-8, 1,2,5.")],
    pool: Annotated[
        list[str] | None,
        typer.Option(
            "--pool",
            help="A pool, optionally with rules: WIN, or EXACTA:takeout_bp=1600,"
            "unit_cents=100. Repeat for several; default: every pool type.",
        ),
    ] = None,
    meeting: Annotated[
        str | None,
        typer.Option("--meeting", help="The meeting it belongs to, e.g. 2026-11-25-HAP."),
    ] = None,
    url: Url = None,
    as_json: Json = False,
) -> None:
    """Open a race for betting with its runners and pools."""
    body: dict[str, Any] = {"race_id": race_id, "runners": parse_runners(runners)}
    if meeting is not None:
        body["meeting_id"] = meeting
    if pool:
        body["pools"] = [parse_pool(p) for p in pool]
    answer = _call(url, "POST", "/v1/races", body)
    pools = ", ".join(p["pool"] for p in answer.get("pools", []))
    _say(
        answer,
        as_json,
        f"Race {race_id} OPEN: runners "
        f"{', '.join(map(str, answer.get('runners', [])))}; pools {pools}.",
    )


@app.command("close")
def close_race(race_id: RaceId, url: Url = None, as_json: Json = False) -> None:
    """Close betting: every bet the sequencer takes after this is rejected as LATE."""
    answer = _call(url, "POST", f"/v1/races/{quote(race_id, safe='')}/close")
    _say(answer, as_json, f"Race {race_id} CLOSED.")


@app.command("scratch")
def scratch(
    race_id: RaceId,
    runner: Annotated[int, typer.Argument(help="Runner number.")],
    url: Url = None,
    as_json: Json = False,
) -> None:
    """Scratch a runner: refunds the combinations that contain it, and voids any pool it
    leaves with fewer starters than the pool's min_starters."""
    answer = _call(url, "POST", f"/v1/races/{quote(race_id, safe='')}/scratch", {"runner": runner})
    line = f"Runner {runner} of race {race_id} scratched; {_refunds(answer)}."
    voided = answer.get("voided_pools") or []
    if voided:
        line += f" Too few starters left: {', '.join(voided)} voided."
    _say(answer, as_json, line)


@app.command("result")
def result(
    race_id: RaceId,
    positions: Annotated[
        list[str], typer.Argument(help="Finishing positions in order; a dead heat is 1,6.")
    ],
    url: Url = None,
    as_json: Json = False,
) -> None:
    """Declare the official result (betting must be closed)."""
    placings = [parse_position(p) for p in positions]
    answer = _call(url, "POST", f"/v1/races/{quote(race_id, safe='')}/result", {"result": placings})
    shown = " / ".join("=".join(map(str, group)) for group in placings)
    _say(answer, as_json, f"Race {race_id} RESULTED: {shown}.")


@app.command("void")
def void(race_id: RaceId, url: Url = None, as_json: Json = False) -> None:
    """Void a race: every standing bet is refunded."""
    answer = _call(url, "POST", f"/v1/races/{quote(race_id, safe='')}/void")
    _say(answer, as_json, f"Race {race_id} VOIDED; {_refunds(answer)}.")


@app.command("show")
def show(race_id: RaceId, url: Url = None) -> None:
    """Print the race as the sequencer last committed it (JSON)."""
    typer.echo(json.dumps(_call(url, "GET", f"/v1/races/{quote(race_id, safe='')}"), indent=2))
