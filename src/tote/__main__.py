"""`python -m tote ...` is the `tote` command (the stack starts its services this way)."""

from tote.cli.main import app

if __name__ == "__main__":
    app()
