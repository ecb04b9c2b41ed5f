"""Running a script as ksqlDB does: splitting, `${variable}` substitution, DEFINE/UNDEFINE,
RUN SCRIPT.

ksqlDB first parses a whole request, so one malformed statement stops all of them, with
`${name}` references still in place. It then takes the statements one at a time: it
substitutes the variables defined so far into the statement's text, parses that text
again and runs it. A DEFINE therefore affects the statements after it in the same script.
`run_script` reproduces this order; the caller runs each statement as it is yielded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass

from tote.core.errors import SqlError
from tote.sql.ast.commands import DefineVariable, RunScript, UndefineVariable
from tote.sql.ast.statements import Statement
from tote.sql.lexer import EOF, Token, tokenize
from tote.sql.parser import check_syntax, parse_statement

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_@]*)\}")
_MAX_SCRIPT_DEPTH = 16

# Reads the file named by RUN SCRIPT and returns its text.
ScriptReader = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class StatementText:
    """One statement of a script as written: from its first token through its `;`."""

    text: str
    line: int
    column: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ScriptStatement:
    """A statement ready to run: parsed after substitution, with the text as written."""

    statement: Statement
    original_text: str
    warning: str | None = None


class Variables(MutableMapping[str, str]):
    """Session variables. Names are case-insensitive, as in ksqlDB; the first spelling
    of a name is kept for listing."""

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        for name, value in (initial or {}).items():
            self[name] = value

    def __getitem__(self, name: str) -> str:
        return self._items[name.upper()][1]

    def __setitem__(self, name: str, value: str) -> None:
        spelled = self._items.get(name.upper(), (name, ""))[0]
        self._items[name.upper()] = (spelled, value)

    def __delitem__(self, name: str) -> None:
        del self._items[name.upper()]

    def __iter__(self) -> Iterator[str]:
        return iter([spelled for spelled, _ in self._items.values()])

    def __len__(self) -> int:
        return len(self._items)

    def apply(self, statement: Statement) -> str | None:
        """Carry out a DEFINE or UNDEFINE; returns ksqlDB's warning for undefining an
        unknown variable. Other statements are ignored."""
        if isinstance(statement, DefineVariable):
            self[statement.name] = statement.value
        elif isinstance(statement, UndefineVariable):
            if statement.name not in self:
                return f"Cannot undefine variable '{statement.name}' which was never defined"
            del self[statement.name]
        return None


def split_statements(sql: str) -> list[StatementText]:
    """The statements of a script, split at each `;` that is not inside a string, a quoted
    identifier or a comment. A last statement without `;` is included; nothing is parsed."""
    result: list[StatementText] = []
    first: Token | None = None
    last_end = 0
    for token in tokenize(sql):
        if token.type == EOF:
            break
        if first is None:
            first = token
        if token.type == "SEMICOLON":
            result.append(_text(sql, first, token.end))
            first = None
            continue
        last_end = token.end
    if first is not None:
        result.append(_text(sql, first, last_end))
    return result


def _text(sql: str, first: Token, end: int) -> StatementText:
    return StatementText(sql[first.start : end], first.line, first.column, first.start, end)


def _escape(value: str) -> str:
    """A value as ksqlDB writes it into string literals: quotes doubled, or if the value is
    itself a quoted string, re-quoted with its inner quotes doubled."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return "'" + value[1:-1].replace("'", "''") + "'"
    return value.replace("'", "''")


def substitute(sql: str, variables: Mapping[str, str]) -> str:
    """`sql` with each `${name}` of a defined variable replaced by its value.

    A bare `${name}` (an identifier or a literal) becomes the value as written; inside a
    string literal the value's quotes are escaped. Undefined references are left alone,
    as are references in comments and quoted identifiers.
    """
    known = Variables(variables) if not isinstance(variables, Variables) else variables
    if not known or "${" not in sql:
        return sql
    pieces: list[str] = []
    position = 0
    for token in tokenize(sql):
        if token.type == "VARIABLE":
            name = token.text[2:-1]
            if name in known:
                pieces.extend((sql[position : token.start], known[name]))
                position = token.end
        elif token.type == "STRING" and "${" in token.text:
            pieces.append(sql[position : token.start])
            pieces.append(_REFERENCE.sub(lambda m: _in_string(m, known), token.text))
            position = token.end
    pieces.append(sql[position:])
    return "".join(pieces)


def _in_string(match: re.Match[str], variables: Variables) -> str:
    name = match.group(1)
    return _escape(variables[name]) if name in variables else match.group(0)


def run_script(
    sql: str,
    variables: Variables | None = None,
    *,
    read_file: ScriptReader | None = None,
    substitution: bool = True,
    _depth: int = 0,
) -> Iterator[ScriptStatement]:
    """Yield the statements of a script one by one, ready to run (see the module doc).

    DEFINE and UNDEFINE are applied to `variables` before they are yielded. RUN SCRIPT
    'path' is replaced by the statements of `read_file(path)`; without `read_file` the
    RunScript statement itself is yielded.
    """
    if variables is None:
        variables = Variables()
    check_syntax(sql)
    for piece in split_statements(sql):
        text = substitute(piece.text, variables) if substitution else piece.text
        statement = parse_statement(text)
        if isinstance(statement, RunScript) and read_file is not None:
            if _depth >= _MAX_SCRIPT_DEPTH:
                raise SqlError(
                    f"RUN SCRIPT nested more than {_MAX_SCRIPT_DEPTH} deep: {statement.path}",
                    statement_text=text,
                )
            yield from run_script(
                read_file(statement.path),
                variables,
                read_file=read_file,
                substitution=substitution,
                _depth=_depth + 1,
            )
            continue
        warning = variables.apply(statement)
        yield ScriptStatement(statement, piece.text, warning)
