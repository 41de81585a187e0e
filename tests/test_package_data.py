"""A production install is a wheel, not this source tree: every file the code reads at run time (catalogs,
the sample office, the migrations) must be declared in pyproject.toml, or `apel` installed with pip starts
without its texts or cannot migrate. Checked against the same rules setuptools applies."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
SKIPPED = {"__pycache__"}


def packages() -> set[str]:
    """What `packages.find` picks: directories with an __init__.py, matching an include pattern."""
    include = PYPROJECT["packages"]["find"]["include"]
    found = set()
    for init in ROOT.glob("*/**/__init__.py"):
        name = ".".join(init.parent.relative_to(ROOT).parts)
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in include):
            found.add(name)
    return found


def shipped(path: PurePosixPath, found: set[str]) -> bool:
    package = ".".join(path.parent.parts)
    if path.suffix == ".py" and package in found:
        return True
    for owner, patterns in PYPROJECT["package-data"].items():
        if owner in found and path.is_relative_to(PurePosixPath(*owner.split("."))):
            inside = str(path.relative_to(PurePosixPath(*owner.split("."))))
            if any(fnmatch.fnmatchcase(inside, p) and inside.count("/") == p.count("/") for p in patterns):
                return True
    return False


def test_every_file_of_the_packages_is_in_the_wheel():
    found = packages()
    tops = {name.split(".")[0] for name in found}
    files = [PurePosixPath(p.relative_to(ROOT).as_posix()) for top in tops for p in (ROOT / top).rglob("*")
             if p.is_file() and not SKIPPED & set(p.parts) and p.suffix != ".pyc"]
    assert len(files) > 100
    assert [str(f) for f in files if not shipped(f, found)] == []
