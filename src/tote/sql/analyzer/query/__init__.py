"""Analysis of a persistent query's SELECT into a logical plan."""
