"""REST Proxy v3 `POST /v3/clusters/{c}/topics/-/configs:alter` (kafka-rest's
AlterMultipleTopicsConfigsBatchAction) against `tote serve rest-proxy` (sqlite): several
topics' configs altered in one call, each topic all or nothing, failures named in a 207."""

from __future__ import annotations

import httpx
from tests.proxy.helpers import create_topic, error

from tote.log.base import Log

ALTER = "/v3/clusters/tote/topics/-/configs:alter"
NOT_LONG = "Invalid value soon for configuration retention.ms: Not a number of type LONG"


def test_every_topic_takes_its_changes(client: httpx.Client, log: Log, names: str) -> None:
    first, second = f"{names}_a", f"{names}_b"
    create_topic(client, first, configs={"retention.ms": "60000"})
    create_topic(client, second)
    response = client.post(ALTER, json={"data": [
        {"topic_name": first, "configs": [{"name": "retention.ms", "operation": "DELETE"},
                                          {"name": "cleanup.policy", "value": "compact"}]},
        {"topic_name": second, "configs": [{"name": "max.message.bytes", "value": "2000"}]},
    ]})
    assert (response.status_code, response.content) == (204, b"")
    assert log.describe_topic(first).spec.configs == (("cleanup.policy", "compact"),)
    assert log.describe_topic(second).spec.configs == (("max.message.bytes", "2000"),)


def test_a_failing_topic_is_named_and_the_others_still_change(client: httpx.Client, log: Log,
                                                               names: str) -> None:
    good, bad, twice = f"{names}_good", f"{names}_bad", f"{names}_twice"
    for topic in (good, bad, twice):
        create_topic(client, topic)
    body = {"data": [
        {"topic_name": bad, "configs": [{"name": "cleanup.policy", "value": "compact"},
                                        {"name": "retention.ms", "value": "soon"}]},
        {"topic_name": good, "configs": [{"name": "cleanup.policy", "value": "compact"}]},
        {"topic_name": twice, "configs": [{"name": "segment.ms", "value": "1000"},
                                          {"name": "segment.ms", "operation": "DELETE"}]},
    ]}
    response = client.post(ALTER, json=body)
    assert response.status_code == 207
    assert response.json() == {"failures": [
        {"topic_name": bad, "error_code": 40002, "message": NOT_LONG},
        {"topic_name": twice, "error_code": 40002,
         "message": "Error due to duplicate config keys"},
    ]}
    assert log.describe_topic(good).spec.configs == (("cleanup.policy", "compact"),)
    assert log.describe_topic(bad).spec.configs == ()
    assert log.describe_topic(twice).spec.configs == ()


def test_validate_only_changes_nothing(client: httpx.Client, log: Log, names: str) -> None:
    create_topic(client, names)
    valid = {"data": [{"topic_name": names, "configs": [
        {"name": "cleanup.policy", "value": "compact"}]}], "validate_only": True}
    assert client.post(ALTER, json=valid).status_code == 204
    invalid = {"data": [{"topic_name": names, "configs": [
        {"name": "retention.ms", "value": "soon"}]}], "validate_only": True}
    response = client.post(ALTER, json=invalid)
    assert (response.status_code, response.json()) == (207, {"failures": [
        {"topic_name": names, "error_code": 40002, "message": NOT_LONG}]})
    assert log.describe_topic(names).spec.configs == ()


def test_a_topic_named_twice_takes_its_last_changes(client: httpx.Client, log: Log,
                                                    names: str) -> None:
    create_topic(client, names)
    response = client.post(ALTER, json={"data": [
        {"topic_name": names, "configs": [{"name": "retention.ms", "value": "soon"}]},
        {"topic_name": names, "configs": [{"name": "retention.ms", "value": "60000"}]},
    ]})
    assert response.status_code == 204
    assert log.describe_topic(names).spec.configs == (("retention.ms", "60000"),)


def test_an_unknown_topic_or_config_fails_the_whole_request(client: httpx.Client, log: Log,
                                                            names: str) -> None:
    create_topic(client, names)
    change = {"topic_name": names, "configs": [{"name": "cleanup.policy", "value": "compact"}]}
    unknown_topic = {"data": [change, {"topic_name": f"{names}_nope", "configs": []}]}
    assert error(client.post(ALTER, json=unknown_topic)) == (
        404, 40403, "This server does not host this topic-partition.")
    unknown_config = {"data": [change, {"topic_name": names, "configs": [
        {"name": "cleanup.policy", "value": "compact"}, {"name": "foobar", "value": "1"}]}]}
    assert error(client.post(ALTER, json=unknown_config)) == (404, 404, "HTTP 404 Not Found")
    assert log.describe_topic(names).spec.configs == ()


def test_bad_requests(client: httpx.Client) -> None:
    assert error(client.post(ALTER, content=b"", headers={"Content-Type": "application/json"})
                 ) == (422, 42206, "Payload error. Null input provided. Data is required.")
    assert error(client.post(ALTER, json={"data": [{"configs": []}]}))[:2] == (400, 400)
    assert error(client.post("/v3/clusters/nope/topics/-/configs:alter", json={"data": []})
                 ) == (404, 404, "HTTP 404 Not Found")
    response = client.post(ALTER, json={"data": []})
    assert (response.status_code, response.content) == (204, b"")
