"""A runner for ksqlDB's REST QTT cases (`tote qtt --rest FILE...`), through the HTTP API."""

from tote.sql.qtt_rest.cases import RestCase, expand_rest
from tote.sql.qtt_rest.runner import Host, run_case, run_rest_files

__all__ = ["Host", "RestCase", "expand_rest", "run_case", "run_rest_files"]
