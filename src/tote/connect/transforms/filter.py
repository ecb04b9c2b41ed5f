"""`Filter`: drops every record it sees — used with a predicate (say, drop tombstones
with `RecordIsTombstone`, or keep only some topics with `TopicNameMatches`)."""

from __future__ import annotations

from typing import ClassVar

from tote.connect.configdef import ConfigDef
from tote.connect.data import SinkRecord
from tote.connect.transforms.base import Transformation, register
from tote.connect.transforms.support import PACKAGE


@register(f"{PACKAGE}.Filter", "Filter")
class Filter(Transformation):
    """Drops all records, filtering them from subsequent transformations in the chain."""

    config_def: ClassVar[ConfigDef] = ConfigDef()

    def apply(self, record: SinkRecord) -> None:
        return None
