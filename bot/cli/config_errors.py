"""Settings that cannot work, told as one line per setting: its name and what it accepts (catalog texts)."""

from __future__ import annotations

import enum

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.domain.org_terms import Language
from bot.settings import Settings
from bot.texts import DEFAULT, text

# The settings whose own validators refuse a value: their rule in the catalog, whatever pydantic's error.
_RULES = {
    "default_timezone": "settings.timezone",
    "fake_now": "settings.fake_now",
    "whatsapp_webhook_path": "settings.webhook_path",
    "webhook_secret": "settings.webhook_secret",
    "telegram_bot_token": "settings.bot_token",
    "log_level": "settings.log_level",
    "redis_url": "settings.redis_url",
    "webhook_url": "settings.webhook_url",
    "whatsapp_number": "settings.whatsapp_number",
}
_NUMBER_ERRORS = {"int_parsing", "int_from_float", "int_type", "float_parsing", "float_type", "finite_number",
                  "greater_than", "greater_than_equal", "less_than", "less_than_equal"}
DATABASE_BACKENDS = ("sqlite", "postgresql")


class _LanguageOnly(BaseSettings):
    model_config = Settings.model_config
    default_language: Language = Language.ID


def problems_language() -> str:
    """DEFAULT_LANGUAGE when it alone is readable (another setting may be the broken one), else the default."""
    try:
        return _LanguageOnly().default_language.value
    except ValidationError:
        return DEFAULT


def settings_problems(exc: ValidationError, lang: str) -> list[str]:
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        line = _problem(field, error, lang)
        if line not in lines:
            lines.append(line)
    return lines


def _problem(field: str, error: dict, lang: str) -> str:
    key = field.upper()
    info = Settings.model_fields.get(field)
    kind = error["type"]
    if field in _RULES:
        return text(lang, _RULES[field], setting=key)
    if info is None:
        return text(lang, "settings.other", setting=key, detail=error["msg"])
    if kind == "enum" and isinstance(info.annotation, type) and issubclass(info.annotation, enum.Enum):
        values = [str(m.value) for m in info.annotation]
        choices = ", ".join(values[:-1]) + f" {text(lang, 'settings.or')} " + values[-1] if len(values) > 1 else values[0]
        return text(lang, "settings.choice", setting=key, choices=choices)
    if kind in _NUMBER_ERRORS:
        whole = info.annotation is int
        return text(lang, "settings.whole_number" if whole else "settings.number", setting=key,
                    range=_range(info.metadata, lang))
    if kind == "bool_parsing":
        return text(lang, "settings.boolean", setting=key)
    if kind in ("string_too_short", "string_too_long"):
        low = next((m.min_length for m in info.metadata if isinstance(m, MinLen)), 0)
        high = next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)
        return text(lang, "settings.length", setting=key, low=low, high=high if high is not None else "∞")
    return text(lang, "settings.other", setting=key, detail=error["msg"])


def _range(metadata: list, lang: str) -> str:
    bound = {type(m): m for m in metadata if isinstance(m, (Ge, Gt, Le, Lt))}
    if Ge in bound and Le in bound:
        return " " + text(lang, "settings.between", low=bound[Ge].ge, high=bound[Le].le)
    low = bound.get(Ge) or bound.get(Gt)
    high = bound.get(Le) or bound.get(Lt)
    low_text = (text(lang, "settings.from", value=low.ge) if isinstance(low, Ge)
                else text(lang, "settings.above", value=low.gt) if low else "")
    high_text = (text(lang, "settings.up_to", value=high.le) if isinstance(high, Le)
                 else text(lang, "settings.below", value=high.lt) if high else "")
    # Leading space included, so that a setting without bounds reads "must be a number." in the catalog.
    parts = [t for t in (low_text, high_text) if t]
    return " " + ", ".join(parts) if parts else ""


def database_url_problem(url: str, lang: str) -> str | None:
    """Why DATABASE_URL cannot open an async engine, before SQLAlchemy says it with a traceback."""
    try:
        parsed = make_url(url)
        dialect = parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        return text(lang, "settings.database_url", detail=text(lang, "settings.db_url_unreadable"))
    backend = parsed.get_backend_name()
    if backend not in DATABASE_BACKENDS:
        return text(lang, "settings.database_url", detail=text(lang, "settings.db_url_backend", backend=backend))
    if not getattr(dialect, "is_async", False):
        return text(lang, "settings.database_url",
                    detail=text(lang, "settings.db_url_sync", driver=parsed.get_driver_name()))
    return None
