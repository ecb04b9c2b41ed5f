"""ksqlDB's value semantics (Java numbers, CAST, date/time text), shared by the function
library and the expression compiler, which sits above it."""
