"""`Base`'s members as plain module attributes, for code that runs per value.

Python 3.11 reads `Base.STRING` inside a function through EnumType's `__getattr__` hook
(about 850 instructions a read, where a module attribute takes a few dozen): the value
conversions of the formats compare a column's base against several members for every
value they convert, so they write `bases.STRING` instead (the very same objects).
"""

from __future__ import annotations

from tote.core.types import Base

BOOLEAN = Base.BOOLEAN
INTEGER = Base.INTEGER
BIGINT = Base.BIGINT
DOUBLE = Base.DOUBLE
DECIMAL = Base.DECIMAL
STRING = Base.STRING
BYTES = Base.BYTES
DATE = Base.DATE
TIME = Base.TIME
TIMESTAMP = Base.TIMESTAMP
ARRAY = Base.ARRAY
MAP = Base.MAP
STRUCT = Base.STRUCT
