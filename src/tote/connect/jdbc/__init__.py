"""The JDBC sink: the only code in tote that talks to sink databases.

`sink.py` is the connector and its task; `writer.py` plans statements, `structure.py`
creates and evolves tables, `offsets.py` keeps consumed offsets in the target database
(exactly once), `dialect*.py` hold what differs between PostgreSQL, MySQL/MariaDB and
SQLite, and `urls.py` maps JDBC URLs to Python drivers.
"""
