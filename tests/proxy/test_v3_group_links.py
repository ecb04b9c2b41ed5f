"""REST Proxy v3 consumer-group links name ids as kafka-rest's UrlFactory and CrnFactory do,
against `tote serve rest-proxy` (sqlite): raw (no percent-encoding), each segment trimmed of
`/`, an empty segment dropped. Groups here hold only offsets committed through the log."""

from __future__ import annotations

from typing import Any

import httpx
from tests.proxy.helpers import create_topic

from tote.core.records import TopicPartition
from tote.log.base import Log


def ok(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_group_id_goes_into_links_raw_and_trimmed_of_slashes(
    client: httpx.Client, proxy_url: str, log: Log, names: str
) -> None:
    create_topic(client, names)
    group = f"/{names} my group/1/"
    log.commit_offsets(group, {TopicPartition(names, 0): 0})
    base = f"{proxy_url}/v3/clusters/tote"
    listed = ok(client, "/v3/clusters/tote/consumer-groups")["data"]
    (found,) = [g for g in listed if g["consumer_group_id"] == group]
    url = f"{base}/consumer-groups/{names} my group/1"
    assert found["metadata"] == {
        "self": url,
        "resource_name": f"crn:///kafka=tote/consumer-group={names} my group/1",
    }
    assert (found["consumers"], found["lag_summary"]) == (
        {"related": f"{url}/consumers"}, {"related": f"{url}/lag-summary"})


def test_an_unowned_max_lag_consumer_link_drops_the_empty_consumer_id(
    client: httpx.Client, proxy_url: str, log: Log, names: str
) -> None:
    create_topic(client, names)
    group = f"{names}_g"
    log.commit_offsets(group, {TopicPartition(names, 0): 0})
    summary = ok(client, f"/v3/clusters/tote/consumer-groups/{group}/lag-summary")
    assert summary["max_lag_consumer_id"] == ""
    assert summary["max_lag_consumer"] == {
        "related": f"{proxy_url}/v3/clusters/tote/consumer-groups/{group}/consumers"}
