"""`transforms` and `predicates` in connector configs: each alias's keys as Connect's
`config/validate` reports them (its `type`, `predicate` / `negate`, the SMT's own keys
embedded under the alias), and create refusing what validate reports."""

from __future__ import annotations

from typing import Any

import httpx
from tests.connect.helpers import JDBC_SINK
from tests.connect.test_validate import errors, validate

T = "org.apache.kafka.connect.transforms."
P = "org.apache.kafka.connect.transforms.predicates."
BASE = {"connector.class": JDBC_SINK, "name": "s", "topics": "bets",
        "connection.url": "jdbc:sqlite:x.db"}


def entry(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in body["configs"] if c["definition"]
                and c["definition"]["name"] == name)


def test_a_valid_chain_embeds_each_alias(api: httpx.Client) -> None:
    body = validate(api, {**BASE, "transforms": "key,route", "predicates": "tomb",
                          "transforms.key.type": "ValueToKey", "transforms.key.fields": "id",
                          "transforms.key.predicate": "tomb", "transforms.key.negate": "true",
                          "transforms.route.type": T + "RegexRouter",
                          "transforms.route.regex": "(.*)",
                          "transforms.route.replacement": "x_$1",
                          "predicates.tomb.type": P + "RecordIsTombstone"})
    assert body["error_count"] == 0, errors(body)
    assert body["groups"][:6] == ["Common", "Transforms", "Predicates", "Error Handling",
                                  "Transforms: key", "Transforms: route"]
    assert "Predicates: tomb" in body["groups"]
    names = [c["definition"]["name"] for c in body["configs"] if c["definition"]
             and c["definition"]["name"].startswith("transforms.key.")]
    assert names == ["transforms.key.type", "transforms.key.fields", "transforms.key.negate",
                     "transforms.key.predicate", "transforms.key.replace.null.with.default"]
    kind = entry(body, "transforms.key.type")
    assert kind["value"]["value"] == T + "ValueToKey"
    assert (kind["definition"]["type"], kind["definition"]["group"],
            kind["definition"]["display_name"], kind["definition"]["order"]) == (
        "CLASS", "Transforms: key", "Transformation type for key", 0)
    fields = entry(body, "transforms.key.fields")["definition"]
    assert (fields["group"], fields["order"], fields["required"]) == ("Transforms: key", 1, True)
    assert entry(body, "predicates.tomb.type")["definition"]["display_name"] == (
        "Predicate type for tomb")


def test_each_alias_error_as_connect_reports_it(api: httpx.Client) -> None:
    body = validate(api, {
        **BASE, "transforms": "a,b,c,d,e,f", "predicates": "p,q",
        "transforms.a.type": "com.acme.Nope",
        "transforms.b.type": T + "ValueToKey",
        "transforms.c.type": T + "ExtractField", "transforms.c.negate": "true",
        "transforms.d.type": P + "RecordIsTombstone",
        "transforms.e.type": "RegexRouter", "transforms.e.regex": "(",
        "transforms.e.replacement": "",
        "transforms.f.type": T + "ReplaceField$Value", "transforms.f.renames": "a:b,c",
        "predicates.q.type": P + "HasHeaderKey", "predicates.q.name": ""})
    assert errors(body) == {
        "transforms.a.type": ["Invalid value com.acme.Nope for configuration transforms.a.type: "
                              "Class com.acme.Nope could not be found."],
        "transforms.b.fields": [
            "Missing required configuration \"transforms.b.fields\" which has no default value.",
            "Invalid value null for configuration fields: Empty list"],
        "transforms.c.type": [
            "Config 'transforms.c.negate' was provided but there is no config "
            "'transforms.c.predicate' defining a predicate to be negated.",
            "This class is abstract and cannot be created. Did you mean "
            f"{T}ExtractField$Key, {T}ExtractField$Value?"],
        "transforms.d.type": [f"Class class {P}RecordIsTombstone does not implement the "
                              "Transformation interface"],
        "transforms.e.regex": [
            # Java's PatternSyntaxException message: description, index, the pattern.
            "Invalid value ( for configuration regex: Invalid regex: Unclosed group near "
            "index 1\n("],
        "transforms.f.renames": ["Invalid value [a:b, c] for configuration renames: Invalid "
                                 "rename mapping: c"],
        "predicates.p.type": ["Missing required configuration \"predicates.p.type\" which has "
                              "no default value."],
        "predicates.q.name": ["Invalid value  for configuration name: String must be "
                              "non-empty"],
    }
    assert body["error_count"] == 10


def test_duplicate_aliases_are_refused(api: httpx.Client) -> None:
    body = validate(api, {**BASE, "transforms": "a,a", "transforms.a.type": "Filter"})
    assert errors(body) == {"transforms": [
        "Invalid value a,a for configuration transforms: Duplicate alias provided."]}


def test_create_refuses_a_bad_chain(api: httpx.Client) -> None:
    answer = api.post("/connectors", json={"name": "s", "config": {
        **BASE, "transforms": "k", "transforms.k.type": "ValueToKey"}})
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        "Connector configuration is invalid and contains the following 2 error(s):\n"
        "Missing required configuration \"transforms.k.fields\" which has no default value.\n"
        "Invalid value null for configuration fields: Empty list\n"
        "You can also find the above list of errors at the endpoint "
        "`/connector-plugins/{connectorType}/config/validate`")


def test_transforms_and_predicates_are_plugins(api: httpx.Client) -> None:
    everything = api.get("/connector-plugins", params={"connectorsOnly": "false"}).json()
    assert {"class": T + "ValueToKey", "type": "transformation", "version": "3.8.0"} \
        in everything
    assert {"class": P + "RecordIsTombstone", "type": "predicate", "version": "3.8.0"} \
        in everything
    assert T + "ExtractField$Key" in {p["class"] for p in everything}
    keys = api.get(f"/connector-plugins/{T}RegexRouter/config").json()
    assert [(k["name"], k["type"], k["required"]) for k in keys] == [
        ("regex", "STRING", True), ("replacement", "STRING", True)]
