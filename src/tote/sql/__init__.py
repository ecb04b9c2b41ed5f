"""tote's ksqlDB-dialect SQL engine. This package's front end turns SQL text into the AST
of `tote.sql.ast`: `parse` (a script), `parse_statement`, `parse_expression`, `parse_type`.
"""

from tote.sql.parser import check_syntax, parse, parse_expression, parse_statement, parse_type

__all__ = ["check_syntax", "parse", "parse_expression", "parse_statement", "parse_type"]
