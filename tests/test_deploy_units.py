"""README's systemd units ("Deployment at scale"), read as systemd reads them: a deployer copies them as they are."""

import re
import shlex
from configparser import ConfigParser
from pathlib import Path

import pytest

from bot.cli.run import Role

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def units() -> dict[str, ConfigParser]:
    found = {}
    for block in re.findall(r"```ini\n(.*?)```", README, flags=re.S):
        name = re.search(r"/etc/systemd/system/(\S+\.service)", block).group(1)
        parser = ConfigParser(strict=False, interpolation=None, comment_prefixes=("#",))
        parser.optionxform = str  # systemd's keys are case-sensitive
        parser.read_string(block)
        found[name] = parser
    return found


def env_example_keys() -> set[str]:
    return set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), flags=re.M))


def test_there_is_a_unit_for_each_role_of_a_split_deployment():
    assert sorted(units()) == sorted(f"apel-{role.value}@.service" for role in Role if role is not Role.ALL)


@pytest.mark.parametrize("name", sorted(units()))
def test_each_unit_runs_its_role_from_the_production_install_as_the_service_user(name):
    service = units()[name]["Service"]
    assert service["User"] == "apel"
    assert service["EnvironmentFile"] == "/etc/apel/apel.env"
    assert service["Restart"] == "always"
    command = shlex.split(service["ExecStart"])
    assert service["WorkingDirectory"] == "/srv/apel"  # the state: journals, media, the .env link
    apel = command.index("/opt/apel/venv/bin/apel")  # the production install ("Installing for production")
    role = name.removeprefix("apel-").removesuffix("@.service")
    assert command[apel + 1:] == ["run", "--role", role]


@pytest.mark.parametrize("name", sorted(units()))
def test_no_unit_sets_with_environment_what_the_environment_file_would_override(name):
    """systemd.exec: 'Settings from these files [EnvironmentFile=] override settings made with Environment='.
    The web unit's Environment=WEB_PORT=%i lost to the WEB_PORT of an apel.env made from .env.example, and
    every instance tried port 8080."""
    settings = re.findall(r"^Environment=(.*)$", README.split(f"/etc/systemd/system/{name}")[1].split("```")[0],
                          flags=re.M)
    assigned = {word.split("=", 1)[0] for line in settings for word in shlex.split(line)}
    assert assigned & env_example_keys() == set()


def test_each_web_instance_gets_the_port_of_its_instance_name():
    command = shlex.split(units()["apel-web@.service"]["Service"]["ExecStart"])
    assert command[0] == "/usr/bin/env" and "WEB_PORT=%i" in command[1:command.index("run")]
