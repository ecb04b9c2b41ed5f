"""A runner for ksqlDB's query translation tests (QTT): `run_files` and the CLI
`tote qtt FILE...`. The file format is described in ../shared/qtt/README.md."""

from tote.sql.qtt.report import Report, run_files
from tote.sql.qtt.runner import CaseResult, Outcome, run_case

__all__ = ["CaseResult", "Outcome", "Report", "run_case", "run_files"]
