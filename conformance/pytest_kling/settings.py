"""The plugin's settings: ``--kling-*`` flags merged over ``[tool.kling-conformance]`` in pyproject.toml.

Standard library only (this module is imported while pytest configures every session of every user).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODES = ("replay", "live", "record")
SECTION = "kling-conformance"

#: pyproject key -> settings attribute (dashes and underscores both accepted).
_FILE_KEYS = {
    "gateway": "gateways",
    "gateways": "gateways",
    "mode": "mode",
    "base-url": "base_url",
    "profile": "profiles",
    "profiles": "profiles",
    "max-paid-tasks": "max_paid_tasks",
    "emulator": "emulator",
    "cassettes": "cassettes",
    "catalog": "catalog",
    "access-key-env": "access_key_env",
    "secret-key-env": "secret_key_env",
    "tls": "tls",
}


class SettingsError(Exception):
    """A bad ``[tool.kling-conformance]`` value or ``--kling-*`` flag (shown as a pytest usage error)."""


@dataclass(slots=True, kw_only=True)
class KlingSettings:
    """What the plugin does. ``sources`` says where each value came from (``flag``/``pyproject``/``default``)."""

    gateways: list[str] = field(default_factory=list)
    mode: str = "replay"
    base_url: str | None = None
    profiles: list[str] = field(default_factory=list)
    max_paid_tasks: int | None = None
    emulator: bool = False
    cassettes: Path | None = None
    catalog: bool = True
    access_key_env: str | None = None  # NAME of the variable holding the user's own Kling AK (never the AK)
    secret_key_env: str | None = None  # NAME of the variable holding the user's own Kling SK
    tls: bool = False  # kling_endpoint: serve the emulator over https with a local CA
    rootdir: Path = Path(".")
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether any kling setting was given (else the plugin leaves the session alone)."""
        return any(source != "default" for source in self.sources.values())

    @property
    def collects_catalog(self) -> bool:
        """Whether the built-in catalog is collected as tests (a gateway is selected and catalog not off)."""
        return bool(self.gateways or self.profiles) and self.catalog

    def key(self) -> str:
        """A stable text identifying what a catalog run depends on (shared across xdist workers)."""
        return repr(
            (
                self.gateways,
                self.mode,
                self.base_url,
                self.profiles,
                self.max_paid_tasks,
                self.emulator,
                str(self.cassettes or ""),
            )
        )


def read_pyproject(rootdir: Path) -> tuple[dict[str, Any], Path | None]:
    """The ``[tool.kling-conformance]`` table of ``rootdir/pyproject.toml`` (``{}`` when absent)."""
    path = rootdir / "pyproject.toml"
    if not path.is_file():
        return {}, None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}, None  # not ours to judge: a user's broken pyproject must not break their other tests
    table = data.get("tool", {}).get(SECTION, {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.{SECTION}] must be a table")
    return table, path


def _as_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise SettingsError(f"{where}: expected a string or a list of strings, got {value!r}")


def _from_file(table: dict[str, Any], where: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        attr = _FILE_KEYS.get(key)
        label = f"{where}: [tool.{SECTION}] {raw_key}"
        if attr is None:
            known = ", ".join(sorted({k for k in _FILE_KEYS if k not in ("gateways", "profiles")}))
            raise SettingsError(f"{label}: unknown key (known keys: {known})")
        if attr in ("gateways", "profiles"):
            out[attr] = _as_list(value, label)
        elif attr in ("emulator", "catalog", "tls"):
            if not isinstance(value, bool):
                raise SettingsError(f"{label}: expected true or false, got {value!r}")
            out[attr] = value
        elif attr == "max_paid_tasks":
            if not isinstance(value, int) or isinstance(value, bool):
                raise SettingsError(f"{label}: expected an integer, got {value!r}")
            out[attr] = value
        else:
            if not isinstance(value, str):
                raise SettingsError(f"{label}: expected a string, got {value!r}")
            out[attr] = value
    return out


def merge_settings(flags: dict[str, Any], rootdir: Path) -> KlingSettings:
    """Merge ``--kling-*`` flags (``None`` = not given) over the pyproject table over the defaults."""
    table, where = read_pyproject(rootdir)
    from_file = _from_file(table, where)
    settings = KlingSettings(rootdir=rootdir)
    defaults = {
        name: getattr(settings, name)
        for name in (
            "gateways",
            "mode",
            "base_url",
            "profiles",
            "max_paid_tasks",
            "emulator",
            "cassettes",
            "catalog",
            "access_key_env",
            "secret_key_env",
            "tls",
        )
    }
    # Precedence, lowest to highest: built-in defaults < [tool.kling-conformance] in pyproject.toml
    # < --kling-* command-line flags. A flag that was not given (None, or an empty repeatable) leaves the
    # file's value in place; a flag that was given replaces it entirely (lists are not concatenated).
    for name, default in defaults.items():
        value, source = default, "default"
        if name in from_file:
            value, source = from_file[name], "pyproject"
        flag = flags.get(name)
        if name == "catalog" and flags.get("no_catalog"):
            flag = False
            value, source = False, "flag"
        elif flag is not None and flag != [] and flag is not False:
            value, source = flag, "flag"
        setattr(settings, name, value)
        settings.sources[name] = source
    if isinstance(settings.cassettes, str):
        settings.cassettes = Path(settings.cassettes)
    if settings.cassettes is not None and not settings.cassettes.is_absolute():
        settings.cassettes = rootdir / settings.cassettes
    settings.profiles = [p if Path(p).is_absolute() else str(rootdir / p) for p in settings.profiles]
    _validate(settings)
    return settings


MAX_BUDGET = 1_000_000  # conformance.harness.budget.MAX_BUDGET (not imported: the plugin stays light)


def _validate(settings: KlingSettings) -> None:
    for name in ("access_key_env", "secret_key_env"):
        value = getattr(settings, name)
        if value is not None and not (value.replace("_", "").isalnum() and not value[:1].isdigit()):
            raise SettingsError(
                f"--kling-{name.replace('_', '-')} / {name.replace('_', '-')}: {value!r} is not the NAME of an "
                "environment variable (put the key in the variable, and its name here)"
            )
    if (settings.access_key_env is None) != (settings.secret_key_env is None):
        raise SettingsError("access-key-env and secret-key-env go together: name both variables (AK and SK)")
    if settings.mode not in MODES:
        raise SettingsError(f"--kling-mode / mode: {settings.mode!r} is not one of {', '.join(MODES)}")
    if settings.max_paid_tasks is not None and not 0 <= settings.max_paid_tasks <= MAX_BUDGET:
        raise SettingsError(f"--kling-max-paid-tasks / max-paid-tasks must be between 0 and {MAX_BUDGET}")
    if settings.emulator and settings.base_url:
        raise SettingsError("--kling-emulator and --kling-base-url both choose the target host: use one")
    if settings.base_url and not settings.base_url.startswith(("http://", "https://")):
        raise SettingsError(f"--kling-base-url / base-url: {settings.base_url!r} is not an absolute http(s) URL")
    if settings.emulator and settings.mode == "replay" and settings.sources.get("mode") == "default":
        settings.mode = "live"  # --kling-emulator means live calls against the in-process emulator
