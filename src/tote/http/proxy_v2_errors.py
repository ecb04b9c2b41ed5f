"""kafka-rest's v2 words for an unknown topic or partition, in the one place the v2 API
answers them (spec §3.2, §3.3, §3.5).

The log raises `TopicNotFound` / `PartitionNotFound` in tote's own words, naming the
topic; v3, ksqlDB and the other services keep those. kafka-rest v2 names neither, and its
answer depends on the path:

* A GET under `/topics/{t}` (topic, partitions, partition, offsets) looks the topic up with
  Kafka's Admin client, which fails with UnknownTopicOrPartitionException before the
  resource's own "Topic not found." can be thrown: rest-utils maps that to 404 / 40403
  with Kafka's text (kafka-rest's MetadataApiTest asserts 40403 for an unknown topic).
  A missing partition of an existing topic is its 40402 "Partition not found.".
* Every other v2 path (produce, consumer offsets and assignments) uses kafka-rest's
  Errors wording: 40401 "Topic not found.", 40402 "Partition not found.".
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from tote.core.errors import PartitionNotFound, TopicNotFound, ToteError
from tote.http.common import tote_error_handler
from tote.proxy.errors import V2PartitionNotFound, V2TopicNotFound
from tote.proxy.v3_errors import UnknownTopicOrPartition


def v2_not_found(request: Request, error: TopicNotFound | PartitionNotFound) -> ToteError:
    """What kafka-rest v2 answers on `request`'s path instead of `error`."""
    if isinstance(error, PartitionNotFound):
        return V2PartitionNotFound()
    if request.method == "GET" and request.url.path.startswith("/topics/"):
        return UnknownTopicOrPartition()
    return V2TopicNotFound()


async def _not_found_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, (TopicNotFound, PartitionNotFound))
    if request.url.path.startswith("/v3"):
        return await tote_error_handler(request, exc)
    return await tote_error_handler(request, v2_not_found(request, exc))


def install_v2_not_found(app: Starlette) -> None:
    """Render unknown topics and partitions of v2 paths in kafka-rest's words; /v3 keeps
    tote's. Handlers for these subclasses take precedence over the generic ToteError one."""
    app.add_exception_handler(TopicNotFound, _not_found_handler)
    app.add_exception_handler(PartitionNotFound, _not_found_handler)
