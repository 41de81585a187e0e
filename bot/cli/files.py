"""Files the CLI writes (--out, --output): checked before any work, put in place only when complete."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from bot.cli.output import current_language
from bot.services.errors import ServiceError
from bot.texts import text

# The OS's own words are English and terse; the common cases get the catalog's.
_REASONS = {
    errno.ENOENT: "oserror.no_folder",
    errno.ENOTDIR: "oserror.no_folder",
    errno.EACCES: "oserror.no_permission",
    errno.EPERM: "oserror.no_permission",
    errno.EISDIR: "oserror.is_folder",
    errno.ENOSPC: "oserror.disk_full",
    errno.EDQUOT: "oserror.disk_full",
    errno.EROFS: "oserror.read_only",
}


def os_reason(exc: OSError) -> str:
    key = _REASONS.get(exc.errno)
    if key:
        return text(current_language(), key)
    return exc.strerror or type(exc).__name__


def cannot_write(path: Path, exc: OSError) -> ServiceError:
    return ServiceError("export.cannot_write", path=str(path), reason=os_reason(exc))


class ReplacedFile:
    """`path` is replaced only by a complete file: the content goes to a temporary file beside it, created
    on entering the block, so that a missing folder or a missing permission is found before the command
    changes anything (issues codes, writes the audit). `put_in_place()` ends it; leaving the block without
    it (an error) removes the temporary file and leaves `path` as it was."""

    def __init__(self, path: Path, *, private: bool = False):
        if private and str(path) == "-":
            # `--out -` is stdout for `apel export`; here it would quietly leave codes or personal data in a
            # file named "-" while the script waits for them on stdout.
            raise ServiceError("cli.private_not_stdout")
        self.path = path
        self.private = private
        self.tmp: Path | None = None

    def __enter__(self) -> ReplacedFile:
        try:
            if self.path.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(self.path))
            fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError as exc:
            raise cannot_write(self.path, exc) from None
        os.close(fd)
        self.tmp = Path(name)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)

    def write(self, content: bytes) -> None:
        try:
            with open(self.tmp, "wb") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise cannot_write(self.path, exc) from None

    def put_in_place(self) -> None:
        try:
            # mkstemp made the file 0600: right for secret codes, while anything else gets the usual mode.
            if not self.private:
                os.chmod(self.tmp, 0o666 & ~_umask())
            os.replace(self.tmp, self.path)
        except OSError as exc:
            raise cannot_write(self.path, exc) from None
        self.tmp = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
