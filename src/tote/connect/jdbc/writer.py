"""From sink records to statements: tables, columns, rows, in record order per table.

Records are bucketed by destination table (`table.name.format`), and each table's
records are cut into runs whose schemas and operation (write or delete) stay the same,
as Confluent's `BufferedRecords` flushes on a schema change or a switch between upsert
and delete. Each run becomes one bulk statement per `batch.size` rows. Rows are tuples
built by precompiled getters: for the common case (all columns are value fields, no
conversions) one `itemgetter` call per record. A `SinkRecordBatch` (a poll decoded into
rows) that needs nothing per record becomes one run whose plain inserts take the
decoded rows as they are (`Dialect.insert_rows`), without building its records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from tote.connect.batch import SinkRecordBatch
from tote.connect.data import SinkRecord, Struct
from tote.connect.errors import ConnectException
from tote.connect.jdbc.config import InsertMode, JdbcSinkConfig, PkMode
from tote.connect.jdbc.dialect import ColumnSpec, Dialect, TableId
from tote.connect.jdbc.fields import FieldsMetadata, extract

Getter = Callable[[SinkRecord], Any]
Reject = Callable[[SinkRecord, ConnectException], None]
WRITE, DELETE = "write", "delete"


@dataclass
class Run:
    """Consecutive records of one table with the same columns and operation."""

    table: TableId
    fields: FieldsMetadata
    op: str  # WRITE or DELETE
    records: Sequence[SinkRecord]  # a list, or a whole SinkRecordBatch


class RecordError(ConnectException):
    """One record cannot be written (e.g. a tombstone with delete.enabled=false)."""


class RecordWriter:
    """Plans and executes the statements for a batch of records."""

    def __init__(self, dialect: Dialect, config: JdbcSinkConfig) -> None:
        self.dialect = dialect
        self.config = config
        self._fields: dict[tuple[str, int, int], tuple[Any, Any, FieldsMetadata]] = {}
        self._rows: dict[tuple[int, str], Callable[[SinkRecord], tuple[Any, ...]]] = {}
        self._tables: dict[str, str] = {}

    # -- planning -------------------------------------------------------------------------

    def table_for(self, topic: str) -> str:
        return self.config.table_name_format.replace("${topic}", topic)

    def check(self, record: SinkRecord) -> None:
        """Connect's RecordValidator: raise RecordError for a record the sink cannot take."""
        config = self.config
        if record.value is None:
            if not config.delete_enabled:
                raise RecordError(
                    f"Sink connector '{config.connector}' is configured with "
                    f"'delete.enabled=false' and 'pk.mode={config.pk_mode.value}' and therefore "
                    "requires records with a non-null Struct value and non-null Struct schema, "
                    f"but found record at (topic='{record.topic}',partition={record.partition},"
                    f"offset={record.offset},timestamp={record.timestamp}) with a null value "
                    "and null value schema.")
        elif record.value_schema is None or not isinstance(record.value, Struct):
            raise RecordError(
                f"Sink connector '{config.connector}' is configured with "
                f"'delete.enabled={str(config.delete_enabled).lower()}' and "
                f"'pk.mode={config.pk_mode.value}' and therefore requires records with a "
                "non-null Struct value and non-null Struct schema, but found record at "
                f"(topic='{record.topic}',partition={record.partition},offset={record.offset},"
                f"timestamp={record.timestamp}) with a {type(record.value).__name__} value and "
                f"{'null' if record.value_schema is None else record.value_schema.describe()} "
                "value schema.")
        if (config.pk_mode is PkMode.RECORD_KEY or config.delete_enabled) and record.key is None:
            raise RecordError(
                f"Sink connector '{config.connector}' is configured with "
                f"'pk.mode={config.pk_mode.value}' and therefore requires records with a "
                "non-null key and non-null Struct or primitive key schema, but found record at "
                f"(topic='{record.topic}',partition={record.partition},offset={record.offset},"
                f"timestamp={record.timestamp}) with a null key.")

    def fields_for(self, table: str, record: SinkRecord) -> FieldsMetadata:
        key_schema, value_schema = record.key_schema, record.value_schema
        if record.value is None:
            value_schema = None
        cache_key = (table, id(key_schema), id(value_schema))
        cached = self._fields.get(cache_key)
        if cached is not None:
            return cached[2]
        fields = extract(table, self.config, key_schema, value_schema)
        self._fields[cache_key] = (key_schema, value_schema, fields)
        return fields

    def plan(self, records: Sequence[SinkRecord], reject: Reject | None = None) -> list[Run]:
        """Runs per table, in record order within each table.

        Consecutive records with the same topic and schemas are taken as one slice (the
        common case is a whole poll). A record the sink cannot take goes to `reject`;
        without one, its error is raised.
        """
        if isinstance(records, SinkRecordBatch) and records:
            whole = self._plan_batch(records)
            if whole is not None:
                return [whole]
        by_table: dict[str, list[Run]] = {}
        needs_key = self.config.pk_mode is PkMode.RECORD_KEY or self.config.delete_enabled
        start, count = 0, len(records)
        while start < count:
            first = records[start]
            end = start + 1
            topic, key_schema, value_schema = first.topic, first.key_schema, first.value_schema
            if type(first.value) is Struct and not (needs_key and first.key is None):
                while end < count:
                    record = records[end]
                    if (record.value_schema is not value_schema
                            or record.key_schema is not key_schema or record.topic != topic
                            or type(record.value) is not Struct
                            or (needs_key and record.key is None)):
                        break
                    end += 1
            chunk = records[start:end]
            start = end
            try:
                if type(first.value) is not Struct or (needs_key and first.key is None):
                    self.check(first)
                name = self._tables.get(topic)
                if name is None:
                    name = self._tables[topic] = self.table_for(topic)
                fields = self.fields_for(name, first)
            except ConnectException as exc:
                if reject is None:
                    raise
                for record in chunk:
                    reject(record, exc)
                continue
            op = DELETE if first.value is None else WRITE
            runs = by_table.setdefault(name, [])
            last = runs[-1] if runs else None
            if last is not None and last.fields is fields and last.op == op \
                    and isinstance(last.records, list):
                last.records.extend(chunk)
            else:
                runs.append(Run(TableId.parse(name), fields, op, list(chunk)))
        return [run for runs in by_table.values() for run in runs]

    def _plan_batch(self, batch: SinkRecordBatch) -> Run | None:
        """The whole batch as one run, when no record needs a look of its own: one topic
        and value schema by construction; keys of one schema, present if needed. None: plan
        record by record (which also reports any error the way it always does)."""
        needs_key = self.config.pk_mode is PkMode.RECORD_KEY or self.config.delete_enabled
        if not batch.keys_share_schema() or (needs_key and batch.has_null_key()):
            return None
        name = self._tables.get(batch.topic)
        if name is None:
            name = self._tables[batch.topic] = self.table_for(batch.topic)
        try:
            fields = self.fields_for(name, batch[0])
        except ConnectException:
            return None
        return Run(TableId.parse(name), fields, WRITE, batch)

    def whole_run(self, records: Sequence[SinkRecord]) -> Run | None:
        """A batch as the one run `plan` would make of it, when that is what it makes;
        None otherwise. Never rejects a record."""
        if isinstance(records, SinkRecordBatch) and records:
            return self._plan_batch(records)
        return None

    def copy_rows(self, run: Run) -> tuple[list[ColumnSpec], list[tuple[Any, ...]]] | None:
        """A run that is a plain insert of a batch's decoded rows: its columns and rows,
        for a bulk load of them as they are. None: any other run."""
        if (run.op != WRITE or self.config.insert_mode is not InsertMode.INSERT
                or not isinstance(run.records, SinkRecordBatch)):
            return None
        sql, columns = self.columns_for(run)
        if sql or not columns:
            return None
        rows = self.batch_rows(run.fields, columns, run.records)
        if rows is None:
            return None
        return [run.fields.spec(c) for c in columns], rows

    # -- rows -----------------------------------------------------------------------------

    def _getter(self, name: str, fields: FieldsMetadata) -> Getter:
        config = self.config
        spec = fields.spec(name)
        source: Getter
        if config.pk_mode is PkMode.KAFKA and name in fields.key_fields:
            position = fields.key_fields.index(name)
            source = (lambda r: r.topic, lambda r: r.partition, lambda r: r.offset)[position]
        elif config.pk_mode is PkMode.RECORD_KEY and name in fields.key_fields:
            if spec.schema.type.primitive:
                def source(r: SinkRecord) -> Any:
                    return r.key
            else:
                def source(r: SinkRecord, n: str = name) -> Any:
                    return r.key.get(n) if r.key is not None else None
        else:
            def source(r: SinkRecord, n: str = name) -> Any:
                return r.value.values.get(n) if r.value is not None else None
        default = spec.schema.default if config.replace_null_with_default else None
        bind = self.dialect.binder(spec.schema)
        if default is None and bind is None:
            return source

        def converted(r: SinkRecord) -> Any:
            value = source(r)
            if value is None:
                value = default
            return bind(value) if bind is not None and value is not None else value
        return converted

    def _value_columns(self, fields: FieldsMetadata, columns: Sequence[str]) -> bool:
        """Whether every column is a value field taken as it is (no default replacing
        a null): the columns can then be picked from the value alone."""
        return all(
            (c in fields.non_key_fields or self.config.pk_mode is PkMode.RECORD_VALUE)
            and (fields.spec(c).schema.default is None
                 or not self.config.replace_null_with_default) for c in columns)

    def batch_rows(self, fields: FieldsMetadata, columns: Sequence[str],
                   batch: SinkRecordBatch) -> list[tuple[Any, ...]] | None:
        """The batch's decoded rows in `columns` order, or None if a column needs more
        than the value (a key, a kafka coordinate, a default)."""
        values = batch.values
        if not self._value_columns(fields, columns):
            return None
        if tuple(columns) == values.names:
            return values.rows
        try:
            positions = [values.names.index(c) for c in columns]
        except ValueError:
            return None
        pick = itemgetter(*positions)
        if len(positions) == 1:
            return [(pick(row),) for row in values.rows]
        return [pick(row) for row in values.rows]

    def row_builder(self, fields: FieldsMetadata, columns: Sequence[str]
                    ) -> Callable[[SinkRecord], tuple[Any, ...]]:
        """Records → tuples of `columns`, compiled once per (fields, column order)."""
        cache_key = (id(fields), ",".join(columns))
        found = self._rows.get(cache_key)
        if found is not None:
            return found
        getters = [self._getter(c, fields) for c in columns]
        plain = self._value_columns(fields, columns) and all(
            self.dialect.binder(fields.spec(c).schema) is None for c in columns)

        def generic(record: SinkRecord) -> tuple[Any, ...]:
            return tuple(g(record) for g in getters)

        build = generic
        if plain and columns:
            pick = itemgetter(*columns)
            single = len(columns) == 1

            def fast(record: SinkRecord) -> tuple[Any, ...]:
                try:
                    picked = pick(record.value.values)
                except (KeyError, AttributeError):
                    return generic(record)
                return (picked,) if single else picked
            build = fast
        self._rows[cache_key] = build
        return build

    # -- statements -----------------------------------------------------------------------

    def columns_for(self, run: Run) -> tuple[str, list[str]]:
        """The SQL of a run and the order of its row values."""
        fields, table, dialect = run.fields, run.table, self.dialect
        keys, others = list(fields.key_fields), list(fields.non_key_fields)
        if run.op == DELETE:
            return dialect.delete_sql(table, keys), keys
        mode = self.config.insert_mode
        if mode is InsertMode.UPSERT:
            if not keys:
                raise ConnectException(
                    f"Write to table '{table.name}' in UPSERT mode requires key field names to "
                    "be known, check the primary key configuration")
            return dialect.upsert_sql(table, keys, others), [*keys, *others]
        if mode is InsertMode.UPDATE:
            if not keys:
                raise ConnectException(
                    f"Write to table '{table.name}' in UPDATE mode requires key field names to "
                    "be known, check the primary key configuration")
            if not others:
                return "", []
            return dialect.update_sql(table, keys, others), [*others, *keys]
        return "", [*keys, *others]

    def chunks(self, rows: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
        size = self.config.batch_size or len(rows) or 1
        for start in range(0, len(rows), size):
            yield rows[start:start + size]

    def execute(self, cursor: Any, run: Run) -> None:
        """Run the statements of one run on the open transaction's cursor."""
        sql, columns = self.columns_for(run)
        if not columns:
            return
        if not sql and isinstance(run.records, SinkRecordBatch):
            decoded = self.batch_rows(run.fields, columns, run.records)
            if decoded is not None:
                specs = [run.fields.spec(c) for c in columns]
                for chunk in self.chunks(decoded):
                    self.dialect.insert_rows(cursor, run.table, specs, chunk)
                return
        build = self.row_builder(run.fields, columns)
        rows = [build(r) for r in run.records]
        for chunk in self.chunks(rows):
            if sql:
                cursor.executemany(sql, chunk)
            else:
                self.dialect.bulk_insert(cursor, run.table, columns, chunk)
