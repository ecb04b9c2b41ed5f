"""SHOW PROPERTIES lists values as ksqlDB's KsqlConfig does: a function's config
(`ksql.functions.*`, server or session) and a PASSWORD-typed config are `[hidden]`, and
a flag ksqlDB 8 no longer declares (`ksql.rowpartition.rowoffset.enabled`) is not listed.
A real server on a free port."""

from __future__ import annotations

from tests.ksql.conftest import Ksql, serving


def _listed(ksql: Ksql, sql: str) -> dict[str, str]:
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    return {p["name"]: p["value"] for p in response.json()[-1]["properties"]}


def test_function_and_password_configs_are_hidden() -> None:
    with serving({"ksql.functions.f.secret": "s3cr3t",
                  "ksql.streams.ssl.key.password": "pw",
                  "ksql.streams.commit.interval.ms": "100"}) as ksql:
        listed = _listed(ksql, "SET 'ksql.functions.g.token'='t0k3n'; SHOW PROPERTIES;")
    assert listed["ksql.functions.f.secret"] == "[hidden]"
    assert listed["ksql.functions.g.token"] == "[hidden]"
    assert listed["ksql.streams.ssl.key.password"] == "[hidden]"
    assert listed["ksql.streams.commit.interval.ms"] == "100"


def test_a_removed_flag_is_not_listed(ksql: Ksql) -> None:
    listed = _listed(ksql, "SHOW PROPERTIES;")
    assert "ksql.rowpartition.rowoffset.enabled" not in listed
    assert listed["ksql.headers.columns.enabled"] == "true"
