"""``kling-conformance serve``: run the reference gateway emulator on loopback until Ctrl-C."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from conformance.errors import UsageError

if TYPE_CHECKING:
    from conformance.emulator import FaultPlan
    from conformance.profiles.model import GatewayProfile

#: ``conformance.emulator.config.DEFAULT_KEYS_ENV``, repeated here so that registering the command does
#: not import the emulator (Starlette, uvicorn): every other command starts faster.
DEFAULT_KEYS_ENV = "KLING_CONFORMANCE_EMULATOR_KEYS"


def _keys_from_env(variable: str) -> tuple[str, ...]:
    if not variable or not variable.replace("_", "").isalnum():
        raise UsageError(
            f"{variable!r} is not an environment variable name",
            where="--key-env",
            fix=f"name a variable, e.g. --key-env {DEFAULT_KEYS_ENV}",
        )
    return tuple(k.strip() for k in os.environ.get(variable, "").split(",") if k.strip())


def _check_ranges(time_scale: float, fail_share: float, port: int, max_tasks: int) -> None:
    if time_scale <= 0:
        raise UsageError(
            f"time scale {time_scale} must be > 0",
            where="--time-scale",
            fix="use e.g. 0.01 to run a 60 s schedule in 0.6 s, or 1 for real time",
        )
    if not 0 <= fail_share <= 1:
        raise UsageError(
            f"fail share {fail_share} is outside [0, 1]",
            where="--fail-share",
            fix="use a share such as 0.1 (one task in ten fails)",
        )
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port} is outside [0, 65535]", where="--port", fix="use 0 for a free port")
    if max_tasks < 1:
        raise UsageError(f"max tasks {max_tasks} must be >= 1", where="--max-tasks", fix="use e.g. 10000")


_CREDENTIAL_KINDS = ("api-key", "kling-jwt")


def _auth_overrides(values: list[str], gateways: list[str]) -> dict[str, tuple[str, ...]]:
    """``--auth GATEWAY=KIND[,KIND]`` values as {gateway: kinds}; a bad value is a :class:`UsageError`."""
    out: dict[str, tuple[str, ...]] = {}
    for value in values:
        gateway, sep, kinds_text = value.partition("=")
        kinds = tuple(k.strip() for k in kinds_text.split(",") if k.strip())
        bad = [k for k in kinds if k not in _CREDENTIAL_KINDS]
        if not sep or not gateway.strip() or not kinds or bad:
            raise UsageError(
                f"--auth {value!r} is not GATEWAY=KIND[,KIND]" + (f" (unknown kind {bad[0]!r})" if bad else ""),
                where="--auth",
                fix="write e.g. --auth newapi=api-key or --auth yibuapi=api-key,kling-jwt (kinds: api-key, kling-jwt)",
            )
        if gateway.strip() not in gateways:
            raise UsageError(
                f"--auth names gateway {gateway.strip()!r}, which is not served",
                where="--auth",
                fix=f"use one of: {', '.join(gateways)}",
            )
        out[gateway.strip()] = kinds
    return out


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""

    @app.command("serve")
    def serve(
        gateway: Annotated[
            list[str] | None, typer.Option("--gateway", "-g", metavar="ID", help="Gateway id to serve (repeatable).")
        ] = None,
        all_gateways: Annotated[bool, typer.Option("--all", help="Serve every built-in profile.")] = False,
        profile: Annotated[
            list[str] | None, typer.Option("--profile", metavar="PATH", help="Extra profile TOML (repeatable).")
        ] = None,
        host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to bind; 0 picks a free one.")] = 8787,
        time_scale: Annotated[
            float, typer.Option("--time-scale", help="Multiply every task schedule (0.01 = 100x faster).")
        ] = 1.0,
        seed: Annotated[int, typer.Option(help="Seed for ids, outcomes and probabilistic faults.")] = 0,
        faults: Annotated[
            str, typer.Option(help="Fault plan, e.g. 'latency=0.2:50ms,html502=0.1,truncated=0.05'.")
        ] = "",
        fail_share: Annotated[
            float, typer.Option("--fail-share", help="Share of tasks that fail the Kling way.")
        ] = 0.0,
        key_env: Annotated[
            str,
            typer.Option(
                "--key-env", help="Variable holding accepted keys, comma-separated; AK|SK pairs accept signed JWTs."
            ),
        ] = DEFAULT_KEYS_ENV,
        auth: Annotated[
            list[str] | None,
            typer.Option(
                "--auth",
                help="GATEWAY=KIND[,KIND]: credential kinds a gateway accepts (api-key, kling-jwt), "
                "overriding its profile's [auth] accepts (repeatable).",
            ),
        ] = None,
        rate_limit: Annotated[
            float | None, typer.Option("--rate-limit", help="Requests/s per gateway before 429.")
        ] = None,
        max_running: Annotated[
            int | None, typer.Option("--max-running", help="Running tasks per gateway before 429.")
        ] = None,
        max_tasks: Annotated[int, typer.Option("--max-tasks", help="Tasks kept in memory (oldest evicted).")] = 10_000,
        allow_remote_callbacks: Annotated[
            bool, typer.Option("--allow-remote-callbacks", help="Deliver callbacks to non-loopback hosts.")
        ] = False,
        root: Annotated[
            bool,
            typer.Option("--root", help="Serve the one --gateway at / (for clients that take only a host)."),
        ] = False,
        tls: Annotated[
            bool, typer.Option("--tls", help="Serve https with a locally generated CA (its path is printed).")
        ] = False,
        tls_dir: Annotated[
            Path | None, typer.Option("--tls-dir", help="Where --tls writes ca.pem and the server key (new temp dir).")
        ] = None,
        access_log: Annotated[
            bool, typer.Option("--access-log", help="Log every request (keys are never logged).")
        ] = False,
        list_faults: Annotated[
            bool,
            typer.Option("--list-faults", help="List the fault kinds for --faults and X-Emulator-Fault, then exit."),
        ] = False,
    ) -> None:
        """Serve gateway profiles over HTTP as a stub gateway (the reference emulator)."""
        from conformance.cli._signals import stop_server_on_signal
        from conformance.emulator import EmulatorConfig, FaultPlan
        from conformance.emulator.server import bind_socket, install_log_redaction, uvicorn_server
        from conformance.profiles import resolve_profiles

        if list_faults:
            _print_fault_kinds()
            return
        _check_ranges(time_scale, fail_share, port, max_tasks)
        plan = FaultPlan.parse(faults, where="--faults")
        keys = _keys_from_env(key_env)
        selected = ["all"] if all_gateways else list(gateway or [])
        profiles = resolve_profiles(selected, list(profile or []))
        if all_gateways:  # --all: every built-in the emulator can serve as itself
            from conformance.emulator.coverage import emulable_default

            profiles = emulable_default(profiles, {g for g in selected if g != "all"})
        accepts = _auth_overrides(list(auth or []), [p.id for p in profiles])
        if root and len(profiles) != 1:
            raise UsageError(
                f"--root serves one gateway at /, but {len(profiles)} are selected",
                where="--root",
                fix="pass exactly one --gateway (run one serve per gateway, each on its own --port)",
            )
        config = EmulatorConfig(
            keys=keys,
            auth_accepts=accepts,
            root=profiles[0].id if root else "",
            time_scale=time_scale,
            seed=seed,
            faults=plan,
            fail_share=fail_share,
            rate_limit=rate_limit,
            max_running_tasks=max_running,
            max_tasks=max_tasks,
            callback_allow_remote=allow_remote_callbacks,
        )
        try:
            sock = bind_socket(host, port)
        except OSError as exc:
            raise UsageError(
                f"cannot bind {host}:{port}: {exc.strerror or exc}",
                where="--port",
                fix="choose another port, or --port 0 for a free one",
            ) from None
        install_log_redaction(keys)
        local = None
        if tls or tls_dir is not None:
            from conformance.emulator.tls import DEFAULT_NAMES, local_tls

            names = DEFAULT_NAMES if host in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::") else (host,)
            local = local_tls(tls_dir, (*names, *DEFAULT_NAMES))
        server = uvicorn_server(
            profiles, config, access_log=access_log, log_level="info" if access_log else "warning", tls=local
        )
        try:
            # From here on a signal asks the server to stop (also during start-up) instead of raising.
            with stop_server_on_signal(server):
                scheme = "https" if local else "http"
                _announce(host, sock.getsockname()[1], profiles, accepts, keys, key_env, plan, scheme, config.root)
                if local is not None:
                    typer.echo(f"TLS: trust the local CA {local.ca_path} (e.g. SSL_CERT_FILE / NODE_EXTRA_CA_CERTS)")
                    sys.stdout.flush()
                server.run(sockets=[sock])  # uvicorn turns SIGINT/SIGTERM into a graceful shutdown
        except KeyboardInterrupt:  # the signal uvicorn re-raises after its graceful shutdown: a clean stop
            pass
        finally:
            sock.close()


def _print_fault_kinds() -> None:
    from conformance.emulator import FAULT_KINDS

    typer.echo("Fault kinds (--faults KIND[@GATEWAY][=P|=#N|=%N][:ARG], or the header X-Emulator-Fault: KIND[:ARG]):")
    for name, kind in FAULT_KINDS.items():
        argument = "" if kind.arg_help == "no argument" else f"  [ARG: {kind.arg_help}]"
        typer.echo(f"  {name:<22} {kind.summary}{argument}")


def _announce(
    host: str,
    port: int,
    profiles: list[GatewayProfile],
    accepts: dict[str, tuple[str, ...]],
    keys: tuple[str, ...],
    key_env: str,
    plan: FaultPlan,
    scheme: str = "http",
    root: str = "",
) -> None:
    shown = f"[{host}]" if ":" in host else host
    if not keys:
        typer.echo(f"${key_env} is not set: accepting any credential of an accepted kind (wrong keys pass)", err=True)
    origin = f"{scheme}://{shown}:{port}"
    typer.echo(f"kling-conformance emulator on {origin} (Ctrl-C to stop)")
    for profile in profiles:
        kinds = ", ".join(accepts.get(profile.id, profile.auth.accepted))
        where = profile.auth.describe().replace(f"<{profile.auth.credential}>", "<credential>")
        # The gateway's base URL with its path prefix: the spec's paths (/v1/...) go after it, so this is
        # the `--url` for `st run` and the base URL for a client.
        base = (origin if profile.id == root else f"{origin}/{profile.id}") + profile.path_prefix
        typer.echo(f"  {profile.id:<16} {base}    auth: {where}, accepts {kinds}")
    typer.echo(f"  health           {origin}/healthz")
    if keys:
        typer.echo(f"accepting {len(keys)} key(s) from ${key_env}")
    if plan:
        typer.echo(f"faults: {plan.render()}")
    sys.stdout.flush()
