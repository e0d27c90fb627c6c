"""Who is at the keyboard: an operator (may change things) or a read-only operator.

A read-only operator is set per user by `DROPDECK_ROLE=readonly` or by `role = "readonly"`
in the config file (`DROPDECK_CONFIG`, default `~/.config/dropdeck/config.toml`); `dropdeck
--readonly` makes one console session read-only. Read-only means: the CLI refuses every
changing command with one line (exit 1), the console hides its actions and starts no
worker, and the database is opened read-only, so a write is refused by the database too.
This guards against mistakes; against a person, give them a read-only database role
(README: "Read-only operators").
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from .errors import UsageError

ROLES = ("operator", "readonly")


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    configured = env.get("DROPDECK_CONFIG")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_config_dir("dropdeck")) / "config.toml"


def _checked(role: object, where: str) -> str:
    if role not in ROLES:
        raise UsageError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
    return str(role)


def operator_role(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """('operator' or 'readonly', where that was set): DROPDECK_ROLE, else the config file,
    else 'operator'. A config file that cannot be read is a usage error, not 'operator'."""
    env = os.environ if environ is None else environ
    if env.get("DROPDECK_ROLE"):
        role = env["DROPDECK_ROLE"].strip().lower()
        return _checked(role, "DROPDECK_ROLE"), f"DROPDECK_ROLE={role}"
    path = config_path(env)
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "operator", "default"
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read the config file {path}: {exc}") from None
    role = config.get("role", "operator")
    return _checked(role, str(path)), f"role in {path}"


def is_readonly(environ: Mapping[str, str] | None = None) -> bool:
    return operator_role(environ)[0] == "readonly"
