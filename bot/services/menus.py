"""The command menus per role and language (Telegram's setMyCommands; /bantuan everywhere)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.texts import LANGUAGES, text

STAFF = ("tugas", "lapor", "status", "izin", "rumah", "bahasa", "bantuan")
SUPERVISOR = ("tim", "tugaskan", "rekap", "ekspor")
ADMIN = ("undang", "umumkan", "jadwal", "libur", "roster", "jalankan", "plh")

# English speakers may type these too; the menu shows the Indonesian names in both languages.
ALIASES = {
    "tasks": "tugas", "report": "lapor", "leave": "izin", "language": "bahasa", "help": "bantuan",
    "team": "tim", "assign": "tugaskan", "digest": "rekap", "export": "ekspor", "invite": "undang", "announce": "umumkan",
    "home": "rumah", "schedule": "jadwal", "holiday": "libur", "holidays": "libur", "run": "jalankan",
    "acting": "plh",
}


@dataclass(frozen=True)
class CommandMenu:
    role: str
    language: str
    commands: list[tuple[str, str]]
    external_ids: list[str]


# An admin with nobody under them (the HR desk): /tugaskan would only refuse them; /tim lists the leave
# requests sent to the admins, /rekap DATE UNIT and /ekspor work for any admin.
TEAM_ONLY = ("tugaskan",)


def commands_for(role: str) -> tuple[str, ...]:
    if role == "admin":
        return STAFF + SUPERVISOR + ADMIN
    if role == "admin_desk":
        return STAFF + tuple(c for c in SUPERVISOR if c not in TEAM_ONLY) + ADMIN
    if role == "supervisor":
        return STAFF + SUPERVISOR
    return STAFF


def role_of(actor) -> str:
    """The menu an actor gets: their role, and for an admin whether anyone reports to them."""
    if actor.is_admin:
        return "admin" if actor.has_reports else "admin_desk"
    return "supervisor" if actor.is_supervisor else "staff"


# A command that means something else to an HR desk (nobody under them): /tim lists the admins' requests.
DESK_DESCRIPTION = {"tim": "command.tim_desk"}


def description_key(role: str, command: str) -> str:
    return (DESK_DESCRIPTION.get(command) if role == "admin_desk" else None) or f"command.{command}"


def menu(role: str, language: str, external_ids: list[str] | None = None) -> CommandMenu:
    return CommandMenu(
        role, language, [(c, text(language, description_key(role, c))) for c in commands_for(role)],
        external_ids or []
    )


def all_menus(holders: dict[tuple[str, str], list[str]]) -> list[CommandMenu]:
    """`holders`: (role, chosen language) -> external ids of the chats needing a menu of their own; a chat's
    menu is in the language its person chose in Apel, whatever their Telegram app speaks. Everyone else has
    the default menu (no external ids), one per app language."""
    menus = [menu("staff", language) for language in LANGUAGES]
    for (role, language), chats in sorted(holders.items()):
        if chats:
            menus.append(menu(role, language, chats))
    return menus


# What /bantuan writes after a command that takes words (the menu itself has no room for them); an
# admin's /rekap and /ekspor also take a unit.
USAGE = {"rekap": "usage.rekap", "ekspor": "usage.ekspor", "undang": "usage.undang", "umumkan": "usage.umumkan",
         "jadwal": "usage.jadwal", "libur": "usage.libur", "roster": "usage.roster", "jalankan": "usage.jalankan",
         "plh": "usage.plh"}
ADMIN_USAGE = {"rekap": "usage.rekap_admin", "ekspor": "usage.ekspor_admin"}


def help_lines(role: str, t) -> list[str]:
    admin = role in ("admin", "admin_desk")
    lines = []
    for c in commands_for(role):
        key = (ADMIN_USAGE.get(c) if admin else None) or USAGE.get(c)
        lines.append(f"/{c}{' ' + t(key) if key else ''} — {t(description_key(role, c))}")
    return lines
