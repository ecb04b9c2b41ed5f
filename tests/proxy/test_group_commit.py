"""Concurrent produce requests share log commits (group commit) yet stay separate: each
is answered with its own offsets only once its records are on the log, and a request
that fails writes nothing while the ones committed beside it land."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from tests.proxy.helpers import AVRO, BET_SCHEMA, create_topic, error, post, register

from tote.core.records import TopicPartition
from tote.log.base import Log
from tote.serde.avro import AvroCodec
from tote.serde.avro_schema import AvroSchema
from tote.serde.wire import unframe

GOOD = 60


def bet(runner: int) -> dict[str, Any]:
    return {"RUNNER_ID": {"int": runner}, "RACE_ID": {"int": 7}, "AMOUNT": {"double": 1.5}}


async def _post_all(url: str, bodies: list[tuple[str, dict[str, Any]]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post(path, content=json.dumps(body).encode(), headers={"Content-Type": AVRO})
                for path, body in bodies
            )
        )


def test_concurrent_requests_get_their_own_offsets_and_failures_write_nothing(
    client: httpx.Client, log: Log, names: str, proxy_url: str, registry_url: str
) -> None:
    create_topic(client, names)
    schema_id = register(registry_url, f"{names}-value", BET_SCHEMA)
    topic = f"/topics/{names}"
    good = [
        (topic, {"value_schema_id": schema_id, "records": [{"value": bet(i)}]}) for i in range(GOOD)
    ]
    wrong_type = (
        topic,
        {
            "value_schema_id": schema_id,
            "records": [{"value": bet(1000)}, {"value": {"RUNNER_ID": "x"}}],
        },
    )
    no_partition = (
        f"{topic}/partitions/3",
        {"value_schema_id": schema_id, "records": [{"value": bet(2000)}]},
    )
    bodies = [*good[:20], wrong_type, *good[20:40], no_partition, *good[40:]]

    responses = asyncio.run(_post_all(proxy_url, bodies))

    answers = [r for r in responses if r.status_code == 200]
    assert len(answers) == GOOD, [r.text for r in responses if r.status_code != 200]
    assert error(responses[20])[:2] == (422, 42203)
    assert error(responses[41])[:2] == (404, 40402)
    offsets = {}
    for (_, body), response in zip(bodies, responses, strict=True):
        if response.status_code == 200:
            (landed,) = response.json()["offsets"]
            assert response.json()["value_schema_id"] == schema_id
            offsets[landed["offset"]] = body["records"][0]["value"]["RUNNER_ID"]["int"]
    assert sorted(offsets) == list(range(GOOD))
    codec = AvroCodec(AvroSchema.parse(BET_SCHEMA))
    on_log = {
        r.offset: codec.decode(unframe(r.value or b"")[1])["RUNNER_ID"]
        for r in log.read(TopicPartition(names, 0), 0)
    }
    assert on_log == offsets


def test_a_topic_deleted_or_recreated_through_the_proxy_is_seen_at_once(
    client: httpx.Client, names: str, registry_url: str
) -> None:
    create_topic(client, names)
    schema_id = register(registry_url, f"{names}-value", BET_SCHEMA)
    body = {"value_schema_id": schema_id, "records": [{"value": bet(1)}]}
    assert post(client, f"/topics/{names}", body, AVRO).status_code == 200
    assert client.delete(f"/v3/clusters/tote/topics/{names}").status_code == 204
    create_topic(client, names, partitions=2)
    response = post(client, f"/topics/{names}/partitions/1", body, AVRO)
    assert response.status_code == 200, response.text
    assert response.json()["offsets"][0]["partition"] == 1
    assert client.delete(f"/v3/clusters/tote/topics/{names}").status_code == 204
    assert error(post(client, f"/topics/{names}", body, AVRO)) == (
        404,
        40401,
        "Topic not found.",
    )
