"""The program as a graph of ops, and formulas (symbolic expressions) over it."""

from __future__ import annotations

from .build import build
from .nodes import CONST, VAR, Graph, Node
from .shared import shared

__all__ = ["build", "shared", "Graph", "Node", "CONST", "VAR"]
