"""Typer 0.29 writes a type after every option in --help, flags included: `--dry-run <bool>`, `--help <bool>`
read as options that want a value, which they refuse (`--if-empty=ya` is a usage error). A flag shows none."""

from __future__ import annotations

from typer.core import TyperOption

_typed = TyperOption.display_type_rich


def _display_type_rich(self: TyperOption, ctx):
    if self.is_flag and not self.count:
        return None
    return _typed(self, ctx)


TyperOption.display_type_rich = _display_type_rich
