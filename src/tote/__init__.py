"""tote: the Confluent stack behind event-sourced tote betting pools, in one pip install."""

__version__ = "0.1.0"
