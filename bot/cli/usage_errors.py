"""A command typed wrongly (an unknown option or command, a value that is not one of the choices or not a whole
number, a missing option or argument, a word too many) told in the CLI's language from the catalogs, on
stderr with exit code 2, instead of Typer's English box. `ApelGroup` is the class of every group of `apel`:
the root's `make_context` and `invoke` see every parse of the command line, the sub-commands' included."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.markup import escape
# Typer vendors its own Click: its errors are these, not the `click` package's.
from typer._click import exceptions as click_errors
from typer._click.core import Context
from typer.core import TyperArgument, TyperGroup

from bot.cli.config_errors import problems_language
from bot.cli.output import err, set_language
from bot.cli.typed_values import UnreadValue
from bot.texts import text

USAGE_EXIT = 2  # usage errors' conventional exit code (Click's, the shell builtins'); scripts may test for it
_WHOLE_NUMBER_ERRORS = {"int_parsing", "int_from_float", "int_type"}
_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


class _UnknownCommand(click_errors.UsageError):
    def __init__(self, name: str, ctx) -> None:
        super().__init__(f"No such command {name!r}.", ctx)
        self.name = name


class RefusedValue(click_errors.UsageError):
    """A value the command reads only once it knows what for (`apel schedule set apel 7.3o`: the field says
    it is a time), refused like one refused while parsing: exit 2, its catalog line."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class ApelGroup(TyperGroup):
    def make_context(self, *args, **kwargs):
        with _told():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _told():
            return super().invoke(ctx)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click_errors.UsageError as exc:
            # Click says it as a bare UsageError; the name is known only here.
            if type(exc) is click_errors.UsageError and args:
                raise _UnknownCommand(args[0], ctx) from None
            raise


@contextmanager
def _told() -> Iterator[None]:
    try:
        yield
    except click_errors.NoArgsIsHelpError:
        raise  # `apel` or `apel org` alone: the help, as before
    except click_errors.UsageError as exc:
        lang = problems_language()  # the settings may be what is broken; DEFAULT_LANGUAGE alone decides
        set_language(lang)
        label = text(lang, "cli.error")
        exc.ctx = _context_of(exc)
        err.print(f"[bold red]{label}[/] {escape(usage_problem(exc, lang))}", highlight=False, markup=True)
        if exc.ctx is not None:
            err.print(text(lang, "cli.usage_help", command=f"{exc.ctx.command_path} --help"),
                      highlight=False, markup=False)
        raise typer.Exit(USAGE_EXIT) from None


def _context_of(exc: click_errors.UsageError):
    """The command being parsed. Click's parser raises some errors (`--limit` without its value) without it;
    the innermost `ctx` on the way up is that command's."""
    found = exc.ctx
    tb = exc.__traceback__
    while exc.ctx is None and tb is not None:
        candidate = tb.tb_frame.f_locals.get("ctx")
        if isinstance(candidate, Context):
            found = candidate
        tb = tb.tb_next
    return found


def usage_problem(exc: click_errors.UsageError, lang: str) -> str:
    """One line naming what was typed wrong and what is accepted."""
    ctx = exc.ctx
    if isinstance(exc, RefusedValue):
        return text(lang, exc.code, **exc.params)
    if isinstance(exc, _UnknownCommand):
        commands = ctx.command.list_commands(ctx) if ctx is not None else []
        return text(lang, "cli.usage_unknown_command", name=exc.name, commands=", ".join(commands))
    if isinstance(exc, click_errors.NoSuchOption):
        line = text(lang, "cli.usage_unknown_option", option=exc.option_name, command=_command(ctx))
        if exc.possibilities:
            line += " " + text(lang, "cli.usage_did_you_mean", options=one_of(sorted(exc.possibilities), lang))
        return line
    if isinstance(exc, click_errors.BadOptionUsage):
        param = _param_named(ctx, exc.option_name)
        flag = param is not None and getattr(param, "is_flag", False)
        return text(lang, "cli.usage_flag_value" if flag else "cli.usage_needs_value", option=exc.option_name)
    if isinstance(exc, click_errors.MissingParameter) and exc.param is not None:
        choices = _choices(exc.param)
        if choices:
            return text(lang, "cli.usage_missing_choice", option=_name(exc.param), choices=one_of(choices, lang))
        return text(lang, "cli.usage_missing", option=_name(exc.param))
    if isinstance(exc, click_errors.BadParameter) and exc.param is not None:
        return _bad_value(exc, lang)
    extra = re.match(r"Got unexpected extra argument\S* \((.*)\)$", exc.message)
    if extra:
        return text(lang, "cli.usage_extra", args=extra.group(1), command=_command(ctx))
    return text(lang, "cli.usage_other", command=_command(ctx), detail=exc.format_message())


def _bad_value(exc: click_errors.BadParameter, lang: str) -> str:
    param = exc.param
    errors = exc.__cause__.errors() if isinstance(exc.__cause__, ValidationError) else []
    kind = errors[0]["type"] if errors else ""
    value = repr(errors[0]["input"]) if errors and "input" in errors[0] else None
    unread = errors[0].get("ctx", {}).get("error") if errors else None
    if isinstance(unread, UnreadValue) and value is not None:  # a date, a month (bot/cli/typed_values.py)
        return text(lang, unread.code, option=_name(param), value=value, **unread.params)
    choices = _choices(param)
    if choices:
        return text(lang, "cli.usage_choice", option=_name(param), value=value, choices=one_of(choices, lang))
    if kind in _WHOLE_NUMBER_ERRORS or kind in _RANGE_ERRORS:
        return text(lang, "cli.usage_whole_number", option=_name(param), value=value, range=_range(param, lang))
    if value is not None:
        return text(lang, "cli.usage_bad_value", option=_name(param), value=value)
    return text(lang, "cli.usage_other", command=_command(exc.ctx), detail=exc.format_message())


def one_of(values: Sequence[str], lang: str) -> str:
    """`table, csv atau json`: a list of what is accepted, in the catalog's words."""
    values = [str(v) for v in values]
    if len(values) < 2:
        return "".join(values)
    return ", ".join(values[:-1]) + f" {text(lang, 'settings.or')} " + values[-1]


def _choices(param) -> list[str]:
    annotation = param.type_descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [str(member.value) for member in annotation]
    return []


def _range(param, lang: str) -> str:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return " " + text(lang, "settings.between", low=low, high=high)
    if low is not None:
        return " " + text(lang, "settings.from", value=low)
    if high is not None:
        return " " + text(lang, "settings.up_to", value=high)
    return ""


def _name(param) -> str:
    """An option by its long name (`--format`), an argument as the usage line writes it (`NIP`)."""
    if isinstance(param, TyperArgument):
        return param.metavar or param.name.upper()
    return max(param.opts, key=len)


def _param_named(ctx, option: str):
    if ctx is None:
        return None
    return next((p for p in ctx.command.params if option in (*p.opts, *p.secondary_opts)), None)


def _command(ctx) -> str:
    return ctx.command_path if ctx is not None else "apel"
