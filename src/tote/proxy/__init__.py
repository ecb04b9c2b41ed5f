"""tote's REST Proxy as a library: Confluent kafka-rest's v2 API and the v3 basics.

    proxy = RestProxy(log, RegistrySchemaSource(registry))   # or HttpSchemaSource(url)
    proxy.producer.produce("bets", EmbeddedFormat.AVRO, bodies.produce_request(body))
    proxy.consumers.create("group", bodies.ConsumerConfig(format="avro"))

`produce.py` encodes per embedded format (`codecs.py`) with schemas resolved like
kafka-rest (`resolver.py`, over `tote.registry.source`); `consumers.py` manages consumer instances
and their idle expiry over the Log's groups (`readers.py`); `metadata.py` answers topic,
partition and broker questions. Nothing here knows HTTP: `tote.http.proxy_api` does.
"""

from tote.proxy.formats import EmbeddedFormat
from tote.proxy.service import RestProxy
from tote.registry.source import (
    HttpSchemaSource,
    RegistrySchemaSource,
    SchemaSource,
    schema_source_for,
)

__all__ = [
    "EmbeddedFormat",
    "HttpSchemaSource",
    "RegistrySchemaSource",
    "RestProxy",
    "SchemaSource",
    "schema_source_for",
]
