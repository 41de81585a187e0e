"""How --help writes options and arguments. Typer 0.29 writes a type after every option, flags included:
`--dry-run <bool>`, `--help <bool>` read as options that want a value, which they refuse (`--if-empty=ya` is a
usage error). A flag shows none."""

from __future__ import annotations

from typer.core import TyperArgument, TyperOption

_typed = TyperOption.display_type_rich


def _display_type_rich(self: TyperOption, ctx):
    if self.is_flag and not self.count:
        return None
    return _typed(self, ctx)


TyperOption.display_type_rich = _display_type_rich


# Arguments came out as `{file}` and `file` in --help, while the usage errors and the README write them as
# Click always did, FILE and NEW ("Gagal: NEW wajib diisi."): a required one is NAME, an optional [NAME].
TyperArgument.display_name_raw = property(lambda self: self.metavar or self.name.upper())


def _usage_display_name(self: TyperArgument) -> str:
    name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
    return name + ("..." if self.nargs != 1 else "")


TyperArgument._usage_display_name = _usage_display_name
