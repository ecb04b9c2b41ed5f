"""Errors with Confluent-style codes, so every layer fails the way the real service would.

`error_code` follows Confluent's convention: the first three digits are the HTTP status
(40401 -> 404); three-digit codes are the status itself. Nothing here knows HTTP: the
apps render `{"error_code", "message"}` from these attributes.
"""

from __future__ import annotations


class ToteError(Exception):
    """Base of every error tote reports to a user."""

    error_code: int = 50001

    def __init__(self, message: str, error_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if error_code is not None:
            self.error_code = error_code

    @property
    def http_status(self) -> int:
        code = self.error_code
        while code >= 1000:
            code //= 10
        return code

    def __str__(self) -> str:
        return self.message


class NotFound(ToteError):
    error_code = 40400


class BadRequest(ToteError):
    error_code = 40000


class Conflict(ToteError):
    error_code = 40900


class Unprocessable(ToteError):
    error_code = 42200


class Timeout(ToteError):
    error_code = 50002


# --- log errors (codes as Confluent REST Proxy reports them) -------------------------------


class TopicNotFound(NotFound):
    error_code = 40401

    def __init__(self, topic: str) -> None:
        super().__init__(f"Topic '{topic}' not found.")
        self.topic = topic


class PartitionNotFound(NotFound):
    error_code = 40402

    def __init__(self, topic: str, partition: int) -> None:
        super().__init__(f"Partition {partition} of topic '{topic}' not found.")


class GroupNotFound(NotFound):
    error_code = 40403

    def __init__(self, group: str) -> None:
        super().__init__(f"Consumer group '{group}' not found.")


class TopicExists(Conflict):
    error_code = 40902

    def __init__(self, topic: str) -> None:
        super().__init__(f"Topic '{topic}' already exists.")


class InvalidTopic(BadRequest):
    error_code = 40002


class InvalidPartitions(BadRequest):
    error_code = 40003


class InvalidConfig(BadRequest):
    error_code = 40004


class OffsetOutOfRange(Unprocessable):
    error_code = 42202


class RecordTooLarge(ToteError):
    error_code = 41301

    def __init__(self, size: int, limit: int, topic: str) -> None:
        super().__init__(
            f"The record of {size} bytes is larger than max.message.bytes={limit} "
            f"of topic '{topic}'."
        )


class TransactionError(ToteError):
    """A transaction was used after it ended, or could not commit."""

    error_code = 50001


class Fenced(TransactionError):
    """Another member or producer took over; this one must stop (Kafka's zombie fencing)."""

    error_code = 40901


class TransactionConflict(TransactionError):
    """Another writer appended to a partition this transaction appends to, so the positions
    `Transaction.append` promised no longer hold. Retriable: abort, re-read, redo."""

    error_code = 40904


# --- SQL errors (ksqlDB) -----------------------------------------------------------------


class SqlError(ToteError):
    """A statement ksqlDB would reject: a syntax error or a semantic one found later.

    `line` and `column` are 1-based and `span` is the (start, end) offsets of the offending
    text within `source`, the text that was parsed. `message` is what ksqlDB reports
    (e.g. "line 1:8: Syntax Error\\nExpecting ..."); `statement_text` is what it echoes as
    `statementText`.
    """

    error_code = 40001

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        span: tuple[int, int] | None = None,
        source: str = "",
        statement_text: str = "",
        error_code: int | None = None,
    ) -> None:
        super().__init__(message, error_code)
        self.line = line
        self.column = column
        self.span = span
        self.source = source
        self.statement_text = statement_text

    @property
    def detailed_message(self) -> str:
        """The message followed by the statement, as ksqlDB's unlogged details read."""
        if not self.statement_text:
            return self.message
        return f"{self.message}\nStatement: {self.statement_text}"

    def highlight(self) -> str:
        """The offending source line with the span underlined (`^~~~`), or "" if unknown."""
        if not self.source or self.line is None or self.column is None:
            return ""
        lines = self.source.split("\n")
        if not 1 <= self.line <= len(lines):
            return ""
        text = lines[self.line - 1].rstrip("\r")
        width = 1
        if self.span is not None:
            width = max(1, self.span[1] - self.span[0])
        width = max(1, min(width, len(text) - (self.column - 1)))
        # Keep the line's tabs so the caret lines up however tabs are displayed.
        indent = "".join(ch if ch == "\t" else " " for ch in text[: self.column - 1])
        return f"{text}\n{indent}^{'~' * (width - 1)}"
