"""The registry over the kafka backend, against the real (Tansu) broker the suite starts.

The broker is shared by the session, so each test uses its own `_schemas` topic name.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from tests.registry.schemas import OTHER, USER_BAD, USER_V1, USER_V2, avro_record

from tote.core.errors import ToteError
from tote.log.base import Log
from tote.registry import Registry

pytestmark = pytest.mark.kafka


@pytest.fixture
def kafka_log(kafka_bootstrap: str) -> Iterator[Log]:
    from tote.log.kafka import KafkaLog

    log = KafkaLog(kafka_bootstrap)
    yield log
    log.close()


@pytest.fixture
def topic() -> str:
    return f"_schemas-{uuid.uuid4().hex[:12]}"


def test_register_then_read_at_once_on_another_registry(kafka_log: Log, topic: str) -> None:
    with Registry(kafka_log, topic=topic) as a, Registry(kafka_log, topic=topic) as b:
        assert a.register("users-value", USER_V1).id == 1
        assert b.get_version("users-value", "latest").schema == USER_V1
        assert b.register("users-value", USER_V2).version == 2
        assert a.versions("users-value") == [1, 2]
        with pytest.raises(ToteError) as excinfo:
            a.register("users-value", USER_BAD)
        assert excinfo.value.error_code == 409
        assert b.delete_subject("users-value") == [1, 2]
        assert a.subjects() == []
        assert a.delete_subject("users-value", permanent=True) == [1, 2]
        assert b.register("other-value", OTHER).id == 3


def test_alternating_writers_then_replay(kafka_log: Log, topic: str) -> None:
    with Registry(kafka_log, topic=topic) as a, Registry(kafka_log, topic=topic) as b:
        ids = [(a if n % 2 else b).register(f"c{n}", avro_record(f"C{n}", ("f", "int"))).id
               for n in range(6)]
        assert ids == [1, 2, 3, 4, 5, 6]
        a.set_config("c0", "NONE")
    with Registry(kafka_log, topic=topic) as again:
        assert again.subjects() == [f"c{n}" for n in range(6)]
        assert again.get_config("c0").compatibility_level == "NONE"
        assert again.register("next", OTHER).id == 7
