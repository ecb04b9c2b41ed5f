"""The `tote` command line."""
