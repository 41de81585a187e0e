"""Configuration from the environment and `.env` (every key is in `.env.example`)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.org_cells import CellError, parse_timezone
from bot.domain.org_terms import Language


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
REDIS_SCHEMES = ("redis", "rediss", "unix")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./apel.db"
    database_schema: str | None = None
    redis_url: str | None = None
    # Prefix of Apel's Redis keys, so that several deployments (or test runs) can share one Redis.
    redis_key_prefix: str = Field(default="apel", min_length=1, max_length=64)

    telegram_bot_token: SecretStr | None = None
    telegram_bot_username: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)

    whatsapp_phone_id: str | None = None
    whatsapp_number: str | None = None
    whatsapp_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_webhook_path: str = "/whatsapp"
    graph_api_url: str = "https://graph.facebook.com"
    graph_api_version: str = "23.0"
    # Approved message templates sent outside the 24-hour window (README lists them for Meta).
    whatsapp_template_language: str = "id"
    whatsapp_template_briefing: str = "apel_briefing"
    whatsapp_template_reminder: str = "apel_pengingat"
    whatsapp_template_digest: str = "apel_rekap_siap"
    whatsapp_template_approval: str = "apel_perlu_persetujuan"
    whatsapp_template_notice: str = "apel_pesan_baru"

    # The outbox's senders (DESIGN.md "The outbox"): Telegram allows ~30/s in all; bulk stays below
    # so replies to people's own taps always have headroom. Paid broadcasts allow up to 1000/s.
    telegram_bulk_rate: float = Field(default=25.0, gt=0, le=1000)
    telegram_total_rate: float = Field(default=28.0, gt=0, le=1000)
    telegram_paid_broadcast: bool = False  # sends bulk with allow_paid_broadcast (Telegram Stars are charged)
    sender_concurrency: int = Field(default=64, ge=1, le=1024)  # messages in flight per sender process
    # A send without an answer by then counts as uncertain (it may have arrived) and is retried once.
    telegram_send_timeout: float = Field(default=60.0, ge=0.1, le=300)
    # A sender's local record of its sends, read back at its restart (bot/outbox/journal.py); blank: none.
    sender_journal: Path | None = Path("outbox-sender.journal")
    whatsapp_rate: float = Field(default=80.0, gt=0, le=1000)  # Cloud API: 80 messages/s per number

    media_dir: Path = Path("./media")
    default_timezone: str = "Asia/Jakarta"
    default_language: Language = Language.ID
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    log_level: str = "INFO"
    digest_pictures: bool = True  # a card and a screenshot collage with each digest (~0.2 s per supervisor)
    home_radius_m: int = Field(default=200, ge=10, le=5000)  # a home geofence without its own radius
    routine_tick_seconds: int = Field(default=60, ge=0, le=3600)  # 0: this process runs no routine clock
    # UU PDP: raw location fixes and original images are purged after this many days (summaries stay).
    retention_days: int = Field(default=90, ge=1, le=3650)
    presence_check_secret: SecretStr | None = None  # seeds the presence checks' moments (bot/domain/check_moments.py)
    # Keys strangers' pseudonyms in the audit log; unset: a key made once in MEDIA_DIR (storage/pseudonym_key.py).
    pseudonym_secret: SecretStr | None = None
    # Evidence checks (README "Evidence checks").
    evidence_max_mb: int = Field(default=20, ge=1, le=2000)  # Telegram's getFile limit is 20 MB
    media_max_pixels: int = Field(default=40_000_000, ge=1_000_000, le=500_000_000)  # decompression bombs
    duplicate_distance: int = Field(default=4, ge=0, le=4)  # bits of 64; 4 is the band lookup's limit
    exif_max_age_hours: float = Field(default=24, gt=0)
    exif_max_distance_km: float = Field(default=2, ge=0)
    # The import holds every row until the last (all or nothing): a sheet beyond this is refused unread.
    org_import_max_rows: int = Field(default=200_000, ge=1, le=5_000_000)
    fake_now: dt.datetime | None = None  # tests and demos only: the clock starts here and runs on

    @field_validator(
        "database_schema",
        "redis_url",
        "telegram_bot_token",
        "telegram_bot_username",
        "webhook_url",
        "webhook_secret",
        "whatsapp_phone_id",
        "whatsapp_number",
        "whatsapp_token",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        "fake_now",
        "presence_check_secret",
        "pseudonym_secret",
        "sender_journal",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value):
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator(
        "telegram_api_url",
        "web_host",
        "graph_api_url",
        "graph_api_version",
        "whatsapp_template_language",
        "whatsapp_template_briefing",
        "whatsapp_template_reminder",
        "whatsapp_template_digest",
        "whatsapp_template_approval",
        "whatsapp_template_notice",
        "media_dir",
        mode="before",
    )
    @classmethod
    def _blank_is_default(cls, value, info: ValidationInfo):
        # `KEY=` left in .env meant '' as it stood: WEB_HOST= listened on every interface, MEDIA_DIR= wrote
        # evidence into the working directory, GRAPH_API_VERSION= made URLs like /v/…; it means the default.
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name].default
        return value

    @field_validator("whatsapp_webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/") or value == "/":
            raise ValueError("WHATSAPP_WEBHOOK_PATH must start with / and not be / alone, e.g. /whatsapp")
        return value.rstrip("/")

    @field_validator("default_timezone")
    @classmethod
    def _indonesian_zone(cls, value: str) -> str:
        try:
            return parse_timezone(value)
        except CellError:
            raise ValueError("DEFAULT_TIMEZONE must be Asia/Jakarta, Asia/Pontianak, Asia/Makassar or Asia/Jayapura "
                             "(or WIB, WITA, WIT)") from None

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value):
        level = str(value).strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError("LOG_LEVEL must be " + ", ".join(LOG_LEVELS))
        return level

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and value.split("://", 1)[0] not in REDIS_SCHEMES:
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        scheme, _, rest = (value or "").partition("://")
        if value is not None and (scheme not in ("https", "http") or not rest.split("/", 1)[0]):
            raise ValueError("WEBHOOK_URL must be a URL like https://apel.example.go.id/telegram/webhook")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for setWebhook's secret_token; checked here, not by aiogram at the first webhook start.
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        # aiogram's own check (digits, ':', the secret half), which otherwise fails with a traceback.
        if value is not None:
            bot_id, colon, rest = value.get_secret_value().partition(":")
            if not (colon and bot_id.isdigit() and rest) or any(c.isspace() for c in rest):
                raise ValueError("TELEGRAM_BOT_TOKEN must look like 123456789:AAE... (from @BotFather)")
        return value

    @field_validator("whatsapp_number")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        # wa.me links take the digits with the country code; letters or a local 0812… made dead invite links.
        if value is not None:
            digits = re.sub(r"[\s().-]", "", value).removeprefix("+")
            if not re.fullmatch(r"[1-9][0-9]{7,14}", digits):
                raise ValueError("WHATSAPP_NUMBER must be the number in E.164, e.g. +6281234567890")
        return value

    @field_validator("telegram_bot_username")
    @classmethod
    def _no_at(cls, value: str | None) -> str | None:
        return value.lstrip("@") if value else value

    @field_validator("fake_now")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("FAKE_NOW needs a time zone, e.g. 2026-11-23T09:00:00+07:00")
        return value
