"""Rendering with Rich. Nothing here uses click or exits; the CLI hands in the consoles."""
