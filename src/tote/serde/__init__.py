"""Serialisation: Confluent wire format, Avro/JSON/Protobuf schemas and ksqlDB's formats.

The only package that imports fastavro. The registry builds on `schemas` (parse,
canonical text, compatibility); the proxy on `avro`/`avro_json`; the SQL engine on
`ksql_schemas`, `ksql_avro`, `json_format`, `kafka_format` and `delimited`.
"""
