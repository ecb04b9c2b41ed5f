"""Schema references: resolution for parsing, `referencedby`, and 42206 on deleting a target."""

from __future__ import annotations

import json

import pytest

from tote.core.errors import ToteError
from tote.registry import Registry, SchemaRequest
from tote.serde.schemas import Reference

ADDRESS = json.dumps({"type": "record", "name": "Address", "namespace": "com.acme",
                      "fields": [{"name": "street", "type": "string"}]}, separators=(",", ":"))
PERSON = json.dumps({"type": "record", "name": "Person", "namespace": "com.acme",
                     "fields": [{"name": "home", "type": "com.acme.Address"}]},
                    separators=(",", ":"))
COMPANY = json.dumps({"type": "record", "name": "Company", "namespace": "com.acme",
                      "fields": [{"name": "boss", "type": "com.acme.Person"}]},
                     separators=(",", ":"))
ADDRESS_REF = Reference("com.acme.Address", "address-value", 1)


def error_of(excinfo: pytest.ExceptionInfo[ToteError]) -> tuple[int, str]:
    return excinfo.value.error_code, excinfo.value.message


@pytest.fixture
def people(registry: Registry) -> Registry:
    registry.register("address-value", ADDRESS)
    registry.register("person-value", SchemaRequest(PERSON, references=(ADDRESS_REF,)))
    return registry


def test_reference_is_stored_and_served(people: Registry) -> None:
    person = people.get_version("person-value", 1)
    assert (person.id, person.references) == (2, (ADDRESS_REF,))
    assert people.get_schema(2).references == (ADDRESS_REF,)
    assert people.referenced_by("address-value", 1) == [2]
    assert people.referenced_by("address-value", "latest") == [2]
    assert people.referenced_by("person-value", 1) == []


def test_unknown_type_without_reference_is_invalid(registry: Registry) -> None:
    with pytest.raises(ToteError) as excinfo:
        registry.register("person-value", PERSON)
    assert excinfo.value.error_code == 42201


def test_missing_reference_target_is_42201(registry: Registry) -> None:
    with pytest.raises(ToteError) as excinfo:
        registry.register("person-value", SchemaRequest(PERSON, references=(ADDRESS_REF,)))
    assert error_of(excinfo) == (
        42201, 'Invalid schema of type AVRO, details: No schema reference found for subject '
               '"address-value" and version 1')


def test_latest_reference_is_pinned_to_a_number(registry: Registry) -> None:
    registry.register("address-value", ADDRESS)
    latest = Reference("com.acme.Address", "address-value", -1)
    registered = registry.register("person-value", SchemaRequest(PERSON, references=(latest,)))
    assert registered.references == (ADDRESS_REF,)


def test_transitive_references_resolve(people: Registry) -> None:
    person_ref = Reference("com.acme.Person", "person-value", 1)
    company = people.register("company-value", SchemaRequest(COMPANY, references=(person_ref,)))
    assert company.id == 3
    assert people.lookup("company-value", SchemaRequest(COMPANY, references=(person_ref,))).id == 3


def test_referenced_schema_cannot_be_deleted(people: Registry) -> None:
    with pytest.raises(ToteError) as subject:
        people.delete_subject("address-value")
    assert error_of(subject) == (
        42206, "One or more references exist to the schema "
               "{magic=1,keytype=SCHEMA,subject=address-value,version=1}.")
    with pytest.raises(ToteError) as version:
        people.delete_version("address-value", 1)
    assert version.value.error_code == 42206
    # Once the referrer is soft-deleted, the target can be soft-deleted...
    people.delete_subject("person-value")
    assert people.referenced_by("address-value", 1) == []
    assert people.delete_subject("address-value") == [1]
    # ...but not hard-deleted while a (soft-deleted) referrer still exists.
    with pytest.raises(ToteError) as hard:
        people.delete_subject("address-value", permanent=True)
    assert hard.value.error_code == 42206
    people.delete_subject("person-value", permanent=True)
    assert people.delete_subject("address-value", permanent=True) == [1]
