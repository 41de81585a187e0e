"""Telling "the database is not there right now" from "this statement is wrong".

The first kind heals by itself (a restart, a failover, a full disk freed), so whoever hit it waits and
tries again; the second is a bug that retrying cannot fix. Callers outside storage ask this instead of
knowing SQLAlchemy's and the drivers' exception trees."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

# SQLSTATE classes and codes of a server that is away, going away or not accepting connections yet:
# 08 connection exception, 57P01-57P03 admin/crash shutdown and "the database system is starting up",
# 53300 too many connections, 40001/40P01 serialization failure and deadlock (the same transaction
# succeeds when tried again).
_AWAY_CLASSES = ("08",)
_AWAY_CODES = frozenset({"57P01", "57P02", "57P03", "53300", "40001", "40P01"})
# OSErrors that name a wrong path or permission: a configuration mistake, which waiting does not mend.
_LOCAL_MISTAKES = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError, FileExistsError)


def _chain(error: BaseException):
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        # SQLAlchemy keeps the driver's error in `.orig` (also its cause when it raised it itself).
        current = current.__cause__ or getattr(current, "orig", None) or current.__context__


def database_unavailable(error: BaseException) -> bool:
    """True when `error` means the database could not be reached or dropped the connection."""
    for link in _chain(error):
        if isinstance(link, OSError) and not isinstance(link, _LOCAL_MISTAKES):
            return True  # refused, reset, unreachable host, timeouts (TimeoutError is one), a full disk
        if isinstance(link, sa_exc.TimeoutError):  # the pool had no connection to give in time
            return True
        if isinstance(link, sa_exc.DBAPIError):
            # SQLite's "database is locked" / "unable to open database file" are OperationalErrors too.
            if link.connection_invalidated or isinstance(link, (sa_exc.OperationalError, sa_exc.InterfaceError)):
                return True
        code = getattr(link, "sqlstate", None) or getattr(link, "pgcode", None)
        if isinstance(code, str) and (code.startswith(_AWAY_CLASSES) or code in _AWAY_CODES):
            return True
    return False
