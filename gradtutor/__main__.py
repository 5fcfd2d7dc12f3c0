"""`python -m gradtutor` runs the command-line interface."""

from .cli import run

run()
