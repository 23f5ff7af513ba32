"""Per-process plugin state: the selected profiles, the emulator, the shared budget and each gateway's target.

The emulator (``--kling-emulator``) is started at most once per process (per xdist worker), on first
use, and stopped when the session ends. One per worker rather than one shared: a worker polls only the
tasks it created, so nothing needs to be shared, it starts in about 50 ms, and no worker ever has to own
another process's server lifetime. The catalog run starts its own emulator inside the locked, once per
session harness run (see :mod:`conformance.pytest_kling.shared`).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from conformance.pytest_kling.settings import KlingSettings
from conformance.pytest_kling.shared import Budget, shared_catalog_report


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host resolves to this machine only (see :mod:`conformance.harness.address_guard`)."""
    from conformance.harness.address_guard import is_loopback_url

    return is_loopback_url(url)


class KlingSession:
    """Everything the kling fixtures and catalog items of one pytest process share."""

    def __init__(self, settings: KlingSettings, shared_dir: Path | None) -> None:
        self.settings = settings
        self._own_dir = shared_dir is None
        self.shared_dir = shared_dir or Path(tempfile.mkdtemp(prefix="kling-conformance-"))
        self.budget = Budget(self.shared_dir, self._cap())
        self._profiles: dict[str, Any] | None = None
        self._emulator: Any = None
        self._emulator_key = "kc-pytest-" + secrets.token_hex(12)
        self._emulator_pair = ("kcak" + secrets.token_hex(8), "kcsk" + secrets.token_hex(16))
        self._rooted: dict[str, Any] = {}  # gateway id -> emulator serving it alone at the root of its port
        self._tls: Any = None
        self._catalog: dict[str, Any] | None = None

    def _cap(self) -> int | None:
        """The paid-task cap: as given, else unlimited in replay/emulator/loopback and 0 on a real host."""
        s = self.settings
        if s.max_paid_tasks is not None:
            return s.max_paid_tasks
        if s.mode == "replay" or s.emulator or (s.base_url and is_loopback(s.base_url)):
            return None
        return 0

    # ------------------------------------------------------------------ profiles

    def profiles(self) -> dict[str, Any]:
        """Selected profiles by id (``--kling-gateway``, ``all``, and ``--kling-profile`` files)."""
        if self._profiles is None:
            from conformance.profiles import resolve_profiles

            s = self.settings
            chosen = resolve_profiles(s.gateways, s.profiles) if (s.gateways or s.profiles) else []
            self._profiles = {p.id: p for p in chosen}
        return self._profiles

    def gateway_ids(self) -> list[str]:
        """Ids of the selected profiles, in selection order."""
        return list(self.profiles())

    # ------------------------------------------------------------------ targets

    def emulator(self) -> Any:
        """The in-process emulator serving every selected profile (started on first use)."""
        if self._emulator is None:
            from conformance.emulator import EmulatorConfig, start_emulator

            config = EmulatorConfig(keys=self._emulator_keys(), time_scale=0.002)
            self._emulator = start_emulator(list(self.profiles().values()), config)
        return self._emulator

    def _pair(self) -> tuple[str, str]:
        """The AK/SK a client signs with: the user's own (``access-key-env``/``secret-key-env``) or a throwaway one."""
        import os

        s = self.settings
        if _has_pair(s):
            return os.environ[str(s.access_key_env)], os.environ[str(s.secret_key_env)]
        return self._emulator_pair

    def _emulator_keys(self) -> tuple[str, ...]:
        return (self._emulator_key, "|".join(self._pair()))

    def _rooted_emulator(self, profile: Any) -> Any:
        """An emulator serving ``profile`` alone at the root of its own port (https with ``tls``)."""
        if profile.id not in self._rooted:
            from conformance.emulator import EmulatorConfig, start_emulator

            if self.settings.tls and self._tls is None:
                from conformance.emulator.tls import local_tls

                self._tls = local_tls(self.shared_dir / f"tls-{secrets.token_hex(4)}")
            config = EmulatorConfig(keys=self._emulator_keys(), time_scale=0.002, root=profile.id)
            self._rooted[profile.id] = start_emulator([profile], config, tls=self._tls)
        return self._rooted[profile.id]

    def endpoint(self, profile: Any) -> Any:
        """The :class:`~conformance.pytest_kling.endpoint.KlingEndpoint` of ``profile`` in this session's mode."""
        import os

        from conformance.errors import UsageError
        from conformance.profiles.auth import Credentials
        from conformance.pytest_kling.endpoint import KlingEndpoint

        s = self.settings
        if s.emulator:
            emu = self._rooted_emulator(profile)
            ak, sk = self._pair()
            creds = Credentials(key=self._emulator_key, access_key=ak, secret_key=sk)
            return KlingEndpoint(
                gateway=profile.id,
                base_url=emu.url,
                path_prefix=profile.path_prefix,
                profile=profile,
                credentials=creds,
                ca_bundle=emu.ca_path,
                emulated=True,
            )
        if s.mode == "replay":
            raise UsageError(
                "kling_endpoint points a real client at a real server, which replay mode does not have",
                where="--kling-mode",
                fix="use --kling-emulator (loopback) or --kling-mode live with your credentials",
            )
        base, found = self.target(profile) if not (s.access_key_env and _has_pair(s)) else (self._base(profile), None)
        creds = found if isinstance(found, Credentials) else Credentials(key=str(found or ""))
        if s.access_key_env and s.secret_key_env:
            creds = Credentials(
                key=creds.key,
                access_key=os.environ.get(s.access_key_env, ""),
                secret_key=os.environ.get(s.secret_key_env, ""),
            )
        return KlingEndpoint(
            gateway=profile.id,
            base_url=base,
            path_prefix=profile.path_prefix,
            profile=profile,
            credentials=creds,
        )

    def _base(self, profile: Any) -> str:
        from conformance.errors import UsageError

        base = (self.settings.base_url or profile.base_url or "").rstrip("/")
        if not base:
            raise UsageError(
                f"profile {profile.id!r} has no base URL",
                where="--kling-base-url",
                fix="pass --kling-base-url https://your-gateway.example or use --kling-emulator",
            )
        return base

    def target(self, profile: Any) -> tuple[str, Any]:
        """(base URL, credentials: a key or :class:`~conformance.profiles.auth.Credentials`) for ``profile``."""
        from conformance.errors import MissingKeyError, UsageError

        s = self.settings
        if s.emulator:
            return self.emulator().base_url(profile.id), self._emulator_key
        base = (s.base_url or profile.base_url or "").rstrip("/")
        if s.mode == "replay":
            return base or f"https://{profile.id}.replay.invalid", None
        if not base:
            raise UsageError(
                f"profile {profile.id!r} has no base URL",
                where="--kling-base-url",
                fix="pass --kling-base-url https://your-gateway.example or use --kling-emulator",
            )
        from conformance.profiles.auth import credentials_from_env, missing_credentials_hint

        found = credentials_from_env(profile.auth)
        if not found:
            raise MissingKeyError(
                f"--kling-mode {s.mode} needs the credentials of {profile.id}, but {profile.auth.env} is not set",
                where=profile.auth.env,
                fix=f"{missing_credentials_hint(profile.auth)}, or use --kling-emulator, or --kling-mode replay",
            )
        return base, found

    def poll_policy(self, base_url: str) -> Any:
        """How ``kling_task`` waits: no sleeping in replay, fast on the emulator, gently on real hosts."""
        from conformance.pytest_kling.tasks import PollPolicy

        if self.settings.mode == "replay":
            return PollPolicy(interval=0.0, deadline=0.0)
        if self.settings.emulator:
            return PollPolicy(interval=0.01, deadline=10.0)
        return PollPolicy(interval=1.0 if is_loopback(base_url) else 10.0, deadline=900.0)

    def cassettes_root(self) -> Path:
        """Where user-test cassettes live (``cassettes`` setting, default ``<rootdir>/cassettes``)."""
        return self.settings.cassettes or self.settings.rootdir / "cassettes"

    # ------------------------------------------------------------------ catalog

    def catalog_report(self) -> dict[str, Any]:
        """The catalog run's report dict, computed once per session across all workers."""
        if self._catalog is None:
            from conformance.pytest_kling.catalog import run_catalog

            def run() -> dict[str, Any]:
                if self.settings.mode == "replay":  # nothing is spent: the recorded run's own count
                    return run_catalog(self.settings, self.budget.remaining(), self.gateway_ids())
                # Live and record: the run's money guard counts in the session's shared file, slot by slot,
                # so the catalog run and every worker's kling_task calls share one cap (also under -n 2).
                return run_catalog(self.settings, self.budget.cap, self.gateway_ids(), store=self.budget)

            self._catalog = shared_catalog_report(self.shared_dir, self.settings.key(), run)
        return self._catalog

    def close(self) -> None:
        """Stop the emulators; remove the shared directory when this process created it."""
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        for rooted in self._rooted.values():
            rooted.stop()
        self._rooted.clear()
        if self._own_dir:
            shutil.rmtree(self.shared_dir, ignore_errors=True)


def _has_pair(settings: KlingSettings) -> bool:
    """Whether the user's own AK/SK variables are named and set."""
    import os

    names = (settings.access_key_env, settings.secret_key_env)
    return all(n and os.environ.get(n) for n in names)
