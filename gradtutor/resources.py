"""Find the data shipped with gradtutor: the grammar and the problem sets.

In an installed wheel they sit inside the package (see pyproject's
force-include); in a source checkout they sit at the repository's top level.
Everything that needs a data file asks here, so both layouts work.
"""

from __future__ import annotations

import os

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def resource_dir(name: str) -> str:
    for candidate in (os.path.join(_PACKAGE, name), os.path.join(os.path.dirname(_PACKAGE), name)):
        if os.path.isdir(candidate):
            return candidate
    raise FileNotFoundError(f"gradtutor's {name}/ folder is missing from this installation")


def grammar_path() -> str:
    return os.path.join(resource_dir("grammars"), "gradtutor.lark")


def problems_dir() -> str:
    return resource_dir("problems")
