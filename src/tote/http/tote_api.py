"""The tote service's HTTP API (port 8090): bet intake and the race lifecycle.

    POST /v1/bets                     one bet, or {"bets": [...]} answered per bet in order
    POST /v1/bets/{bet_id}/cancel     while betting is open
    POST /v1/races                    open: race_id, runners, pools (with their rules)
    POST /v1/races/{id}/close | /scratch {"runner"} | /result {"result"} | /void
    GET  /v1/races, /v1/races/{id}    as the sequencer last committed them
    GET  /healthcheck

Thin: decode the body (msgspec, so a wrong type is named with its path), hand the request
to the intake, await the sequencer's outcome and render it. Every answer comes after the
sequencer committed the outcome. Errors have Confluent's shape, `{"error_code",
"message"}` with the HTTP status in the code's first three digits; a rejected bet adds
`reason` (LATE, SCRATCHED, ...) and `status: "REJECTED"`.

    app = create_tote_app(ToteService(log, Registry(log)))   # lifespan starts and stops it
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import Future
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import msgspec
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote import __version__
from tote.core.errors import ToteError
from tote.http.common import JSON, install_error_handlers, json_response, status_for_code
from tote.pools.commands import (
    BetRequest,
    OpenRaceRequest,
    ResultRequest,
    ScratchRequest,
)
from tote.pools.errors import InvalidRequest, MalformedRequest
from tote.pools.intake import check_bet, check_bets
from tote.pools.outcomes import BET_NOT_FOUND, CommandOutcome, failure
from tote.pools.service import ToteService

MAX_BATCH = 10_000
_ENCODE = msgspec.json.encode  # compact, UTF-8 unescaped: the bytes `json_response` writes
T = TypeVar("T")


class _BetBatch(msgspec.Struct, forbid_unknown_fields=True):
    bets: list[BetRequest]


# A well-formed batch decodes in one go; anything else takes the bet-by-bet path, which
# names the field at fault and answers the good bets of a batch with some bad ones.
_BATCH = msgspec.json.Decoder(_BetBatch)


def _json(body: bytes) -> Any:
    if not body.strip():
        raise InvalidRequest("The request body is empty; a JSON object was expected.")
    try:
        return msgspec.json.decode(body)
    except RecursionError:
        raise MalformedRequest("Malformed JSON: nested too deeply.") from None
    except ValueError as exc:  # msgspec's DecodeError, or text that is not UTF-8
        raise MalformedRequest(f"Malformed JSON: {exc}") from None


def _convert(value: Any, kind: type[T], what: str) -> T:
    if not isinstance(value, dict):
        raise InvalidRequest(f"Invalid {what}: expected a JSON object.")
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise InvalidRequest(f"Invalid {what}: {exc}") from None


async def _decode(request: Request, kind: type[T], what: str) -> T:
    return _convert(_json(await request.body()), kind, what)


def _items(body: dict[str, Any]) -> list[Any]:
    """The bets of a batch body that did not decode as one: each converted on its own, so
    a bad bet gets its own error and the others their outcomes."""
    items = body["bets"]
    if set(body) != {"bets"} or not isinstance(items, list):
        raise InvalidRequest('A batch is {"bets": [bet, ...]} and nothing else.')
    _check_size(items)
    converted: list[Any] = []
    for index, item in enumerate(items):
        try:
            converted.append(_convert(item, BetRequest, f"bet {index}"))
        except InvalidRequest as exc:
            converted.append(exc)
    return converted


def _check_size(items: list[Any]) -> None:
    if len(items) > MAX_BATCH:
        raise InvalidRequest(f"A batch holds at most {MAX_BATCH} bets, not {len(items)}.")


def _render(outcome: CommandOutcome) -> Response:
    status = 200 if outcome.ok else status_for_code(outcome.error_code)
    return json_response(outcome.body, status_code=status)


async def _outcome(answer: Future[T]) -> T:
    """Wait for the intake without blocking the event loop."""
    return await asyncio.wrap_future(answer)


def _error_body(exc: ToteError) -> dict[str, Any]:
    return {"error_code": exc.error_code, "message": exc.message}


def create_tote_app(service: ToteService) -> Starlette:
    """An ASGI app serving `service`; its lifespan starts and closes it."""
    intake = service.intake

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(service.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.close)

    async def root(request: Request) -> Response:
        return json_response({"service": "tote", "version": __version__})

    async def health(request: Request) -> Response:
        report = service.health()
        return json_response(report, status_code=200 if report["isHealthy"] else 503)

    async def bets(request: Request) -> Response:
        raw = await request.body()
        try:
            batch = _BATCH.decode(raw)
        except (ValueError, RecursionError):  # not a clean batch: `_json` says why, if at all
            body = _json(raw)
            if isinstance(body, dict) and "bets" in body:
                return await _batch(_items(body))
            bet = _convert(body, BetRequest, "bet")
            check_bet(bet)
            answer = await run_in_threadpool(intake.place_bets, [bet])
            return _render((await _outcome(answer))[0])
        return await _batch(batch.bets)

    async def _batch(items: list[Any]) -> Response:
        """Answer every bet of a batch in order: shape errors here, the rest by the intake."""
        _check_size(items)
        results: list[dict[str, Any] | None] = [None] * len(items)
        valid: list[BetRequest] = []
        places: list[int] = []
        problems = check_bets(items)
        for index, (item, problem) in enumerate(zip(items, problems, strict=True)):
            if problem is None:
                valid.append(item)
                places.append(index)
            else:
                results[index] = _error_body(problem)
        answer = await run_in_threadpool(intake.place_bets, valid)
        outcomes = await _outcome(answer)
        for index, outcome in zip(places, outcomes, strict=True):
            results[index] = outcome.body
        return Response(_ENCODE({"results": results}), media_type=JSON)

    async def cancel(request: Request) -> Response:
        bet_id = request.path_params["bet_id"]
        parts = bet_id.rsplit(":", 2)
        if len(parts) != 3 or not (parts[1].isdigit() and parts[2].isdigit()):
            return _render(failure(BET_NOT_FOUND, f"Bet {bet_id} not found."))
        return _render(await _outcome(intake.cancel_bet(parts[0], bet_id)))

    async def races(request: Request) -> Response:
        if request.method == "GET":
            return json_response(await run_in_threadpool(service.races))
        opening = await _decode(request, OpenRaceRequest, "race")
        return _render(await _outcome(intake.open_race(opening)))

    async def race(request: Request) -> Response:
        return json_response(await run_in_threadpool(service.race, request.path_params["race_id"]))

    async def action(request: Request) -> Response:
        race_id, verb = request.path_params["race_id"], request.path_params["action"]
        if verb == "close":
            answer = intake.close_race(race_id)
        elif verb == "void":
            answer = intake.void_race(race_id)
        elif verb == "scratch":
            scratch = await _decode(request, ScratchRequest, "scratching")
            answer = intake.scratch(race_id, scratch.runner)
        elif verb == "result":
            result = await _decode(request, ResultRequest, "result")
            answer = intake.declare_result(race_id, result.result)
        else:
            return json_response(
                {"error_code": 404, "message": "HTTP 404 Not Found"}, status_code=404
            )
        return _render(await _outcome(answer))

    app = Starlette(
        routes=[
            Route("/", root, methods=["GET"]),
            Route("/healthcheck", health, methods=["GET"]),
            Route("/v1/bets", bets, methods=["POST"]),
            Route("/v1/bets/{bet_id}/cancel", cancel, methods=["POST"]),
            Route("/v1/races", races, methods=["GET", "POST"]),
            Route("/v1/races/{race_id}", race, methods=["GET"]),
            Route("/v1/races/{race_id}/{action}", action, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    install_error_handlers(app)
    return app
