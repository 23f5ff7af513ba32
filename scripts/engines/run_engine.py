"""Run a real gateway engine (new-api, one-hub, done-hub) in front of the emulator, and record through it.

    python scripts/engines/run_engine.py new-api --binary /work/engines/bin/new-api --record cassettes/engines
    python scripts/engines/run_engine.py one-hub --binary ~/one-hub/one-api -- kling-conformance run --mode live ...

It takes an engine binary that **you** built from the engine's public source, following the engine's
own README (this repository holds no engine code, no engine binary and no recipe that builds one), and:

1. starts the emulator's ``kling-official`` profile on loopback with a fresh ``AK|SK`` key pair;
2. starts the engine on loopback with a fresh SQLite database in a temporary folder;
3. configures it through its own admin API: the root account, a Kling channel whose upstream is the
   emulator (key ``AK|SK``, which the engine signs into Kling JWTs) and a user token;
4. records the whole catalog through it (``--record ROOT``: ``kling-conformance run --mode record
   --engine <repo>@<commit>`` into ``ROOT/<engine>/<gateway>/``), or runs the command after ``--`` with
   the token in the profile's key variable and ``KLING_ENGINE_BASE_URL`` set;
5. stops both processes by PID and removes the temporary folder.

By default everything runs in a new network namespace that has only a loopback interface (``unshare
--net``, as root): the engine cannot reach anything but the emulator, whatever its update, price-sync or
telemetry features try. ``--no-isolate`` skips that (the engine then listens on every interface of this
machine, since neither engine has a bind-address setting). The engine's own polling is left as it is
(new-api polls upstream every 15 s), so a record run takes minutes.

Keys never reach disk or the terminal: the AK|SK pair, the admin password and the user token are random
per run, passed through the environment and the engine's own (temporary) database only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ISOLATED_MARK = "KLING_ENGINE_ISOLATED"
#: The upstream schedule: Kling's own (the kling-official profile), not sped up, so that the engine's
#: 15-second polls see submitted/processing/succeed as they would against Kling.
UPSTREAM_TIME_SCALE = "1.0"


@dataclass(frozen=True, slots=True)
class EngineSpec:
    """One entry of ``engines.toml``."""

    name: str
    repo: str
    commit: str
    gateway: str
    admin: str
    kling_channel_type: int


def load_specs() -> dict[str, EngineSpec]:
    """Every engine of ``engines.toml``, by name."""
    data = tomllib.loads((REPO / "cassettes" / "engines" / "engines.toml").read_text(encoding="utf-8"))
    return {name: EngineSpec(name=name, **entry) for name, entry in data["engines"].items()}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 120.0) -> None:
    """Wait until ``url`` answers (any HTTP status) or ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with code {proc.returncode} before it answered (see its log)")
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit(f"{what} did not answer {url} within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes] | None, what: str) -> None:
    """Stop one process we started, by its PID: SIGTERM, then SIGKILL after 10 s."""
    if proc is None or proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    print(f"stopped {what} (pid {proc.pid})", file=sys.stderr)


# -- admin APIs ------------------------------------------------------------------------------------------


class AdminApi:
    """Configures one engine through its own admin API."""

    def __init__(self, base: str, spec: EngineSpec) -> None:
        self.base = base
        self.spec = spec
        self.http = httpx.Client(base_url=base, timeout=30.0)
        self.password = secrets.token_urlsafe(12)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One admin call; its ``data`` on ``success``, else exit naming the call."""
        response = self.http.request(method, path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise SystemExit(f"{method} {path}: HTTP {response.status_code}, not JSON") from None
        if not isinstance(body, dict) or not body.get("success", False):
            message = body.get("message") if isinstance(body, dict) else body
            raise SystemExit(f"{method} {path}: HTTP {response.status_code}: {message}")
        return body.get("data")

    def configure(self, upstream: str, channel_key: str, models: list[str]) -> str:
        """Root account, Kling channel and a user token; returns the token to use as the API key."""
        raise NotImplementedError


class NewApiAdmin(AdminApi):
    """QuantumNous/new-api: /api/setup, session login (``New-Api-User`` header), channels, tokens."""

    def configure(self, upstream: str, channel_key: str, models: list[str]) -> str:
        setup = {"username": "root", "password": self.password, "confirmPassword": self.password}
        self.call("POST", "/api/setup", json={**setup, "SelfUseModeEnabled": False, "DemoSiteEnabled": False})
        login = self.call("POST", "/api/user/login", json={"username": "root", "password": self.password})
        self.http.headers["New-Api-User"] = str(login["user"]["id"])
        self.http.headers["Authorization"] = f"{login.get('token_type') or 'Bearer'} {login['access_token']}"
        # Price every model per call, so tasks are billed as a paying reseller's would be.
        prices = dict.fromkeys(models, 0.1)
        self.call("PUT", "/api/option/", json={"key": "ModelPrice", "value": _json(prices)})
        channel = {
            "type": self.spec.kling_channel_type,
            "name": "kling-emulator",
            "key": channel_key,
            "base_url": upstream,
            "models": ",".join(models),
            "group": "default",
            "status": 1,
        }
        self.call("POST", "/api/channel/", json={"mode": "single", "channel": channel})
        token = {"name": "conformance", "remain_quota": 0, "unlimited_quota": True, "expired_time": -1}
        self.call("POST", "/api/token/", json=token)
        listing = self.call("GET", "/api/token/", params={"p": 1, "size": 10})
        items = listing["items"] if isinstance(listing, dict) else listing
        key = self.call("POST", f"/api/token/{items[0]['id']}/key")
        return "sk-" + str(key["key"] if isinstance(key, dict) else key).removeprefix("sk-")


class OneHubAdmin(AdminApi):
    """MartialBE/one-hub and deanxv/done-hub: root/123456 created at first start, session login."""

    def configure(self, upstream: str, channel_key: str, models: list[str]) -> str:
        self.call("POST", "/api/user/login", json={"username": "root", "password": "123456"})
        # Channels match the billing name kling-video_{model}_{mode}_{duration} (relay/task/kling/submit.go:122).
        models = [f"kling-video_{m}_{mode}_{d}" for m in models for mode in ("std", "pro") for d in ("5", "10")]
        channel = {
            "type": self.spec.kling_channel_type,
            "name": "kling-emulator",
            "key": channel_key,
            "base_url": upstream,
            "models": ",".join(models),
            "group": "default",
            "status": 1,
        }
        self.call("POST", "/api/channel/", json=channel)
        token = {"name": "conformance", "remain_quota": 0, "unlimited_quota": True, "expired_time": -1}
        self.call("POST", "/api/token/", json=token)
        listing = self.call("GET", "/api/token/", params={"page": 1, "size": 10})
        items = listing["data"] if isinstance(listing, dict) else listing
        return "sk-" + str(items[0]["key"]).removeprefix("sk-")


ADMINS: dict[str, type[AdminApi]] = {"newapi": NewApiAdmin, "onehub": OneHubAdmin}


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


# -- processes -------------------------------------------------------------------------------------------


def engine_env(spec: EngineSpec, workdir: Path, port: int) -> dict[str, str]:
    """The engine's environment: loopback port, SQLite in ``workdir``, every optional outbound feature off."""
    dropped = ("SQL_DSN", "REDIS_CONN_STRING", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and k.upper() not in dropped}
    env.update(
        PORT=str(port),
        SQLITE_PATH=str(workdir / "engine.db"),
        SESSION_SECRET=secrets.token_hex(16),
        CRYPTO_SECRET=secrets.token_hex(16),
        GIN_MODE="release",
        TZ="UTC",
        # Outbound features, off (they are off by default too; the network namespace is the real guard).
        CHANNEL_UPDATE_FREQUENCY="",
        CHANNEL_TEST_FREQUENCY="",
        ENABLE_PPROF="false",
        BATCH_UPDATE_ENABLED="false",
        AUTO_PRICE_UPDATES="false",
        # one-hub/done-hub download tiktoken encodings at start unless told not to (config.example.yaml).
        DISABLE_TOKEN_ENCODERS="true",
        TIKTOKEN_CACHE_DIR=str(workdir / "tiktoken"),
        USER_TOKEN_SECRET=secrets.token_hex(16),
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


@contextlib.contextmanager
def running(spec: EngineSpec, binary: Path, log_dir: Path) -> Iterator[tuple[str, str]]:
    """Emulator + engine up and configured: yields (engine base URL, user token); stops both on exit."""
    access_key, secret_key = secrets.token_hex(8), secrets.token_hex(16)
    emulator_port, engine_port = free_port(), free_port()
    emulator = engine = None
    workdir = Path(tempfile.mkdtemp(prefix=f"kling-engine-{spec.name}-"))
    try:
        env = dict(os.environ, KLING_CONFORMANCE_EMULATOR_KEYS=f"{access_key}|{secret_key}")
        emulator_cmd = [sys.executable, "-m", "conformance", "serve", "-g", "kling-official"]
        emulator_cmd += ["--port", str(emulator_port), "--time-scale", UPSTREAM_TIME_SCALE, "--seed", "1"]
        with (log_dir / "emulator.log").open("wb") as log:
            emulator = subprocess.Popen(emulator_cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        upstream = f"http://127.0.0.1:{emulator_port}/kling-official"
        wait_http(f"http://127.0.0.1:{emulator_port}/", emulator, "emulator")
        print(f"emulator kling-official at {upstream} (pid {emulator.pid})", file=sys.stderr)

        engine_cmd = [str(binary), "--port", str(engine_port), "--log-dir", str(workdir / "logs")]
        engine_environment = engine_env(spec, workdir, engine_port)
        with (log_dir / f"{spec.name}.log").open("wb") as log:
            engine = subprocess.Popen(
                engine_cmd, env=engine_environment, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
            )
        base = f"http://127.0.0.1:{engine_port}"
        wait_http(f"{base}/api/status", engine, spec.name)
        print(f"{spec.name} at {base} (pid {engine.pid}, data in {workdir})", file=sys.stderr)
        models = ["kling-v1", "kling-v1-6", "kling-v2-master", "kling-v2-6"]
        token = ADMINS[spec.admin](base, spec).configure(upstream, f"{access_key}|{secret_key}", models)
        print(f"{spec.name} configured: Kling channel -> {upstream}, one user token", file=sys.stderr)
        yield base, token
    finally:
        stop(engine, spec.name)
        stop(emulator, "emulator")
        shutil.rmtree(workdir, ignore_errors=True)


def engine_commit(spec: EngineSpec, source: Path | None, commit: str) -> str:
    """The commit the binary was built from: --commit, else the source tree's git HEAD, else engines.toml."""
    if commit:
        return commit
    if source is not None and (source / ".git").exists():
        head = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True)
        if head.returncode == 0:
            return head.stdout.strip()
    return spec.commit


def record(spec: EngineSpec, base: str, token: str, commit: str, root: Path, reports: Path) -> int:
    """``kling-conformance run --mode record`` of the engine's gateway, with engine evidence."""
    from conformance.profiles import load_builtin_profiles

    profile = load_builtin_profiles()[spec.gateway]
    out = root / spec.name
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "conformance", "run", "--mode", "record", "-g", spec.gateway]
    cmd += ["--base-url", base, "--engine", f"{spec.repo}@{commit[:12]}", "--cassettes", str(out)]
    cmd += ["--reports-dir", str(reports), "--poll-interval", "5", "--task-deadline", "300"]
    env = dict(os.environ, **{profile.auth.env: token})
    return subprocess.run(cmd, env=env, cwd=REPO).returncode


def isolate(argv: list[str]) -> int:
    """Re-run this script in a new network namespace with only loopback (root + util-linux unshare)."""
    inner = " ".join(_quote(a) for a in [sys.executable, __file__, *argv])
    script = f"ip link set lo up && exec env {ISOLATED_MARK}=1 {inner}"
    return subprocess.run(["unshare", "--net", "sh", "-c", script]).returncode


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    argv = sys.argv[1:] if argv is None else argv
    specs = load_specs()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=sorted(specs))
    parser.add_argument("--binary", type=Path, required=True, help="the engine binary you built")
    parser.add_argument("--source", type=Path, help="its source tree (to read the commit from git)")
    parser.add_argument("--commit", default="", help="the commit the binary was built from")
    parser.add_argument("--record", type=Path, metavar="ROOT", help="record into ROOT/<engine>/<gateway>/")
    parser.add_argument("--reports-dir", type=Path, default=Path(tempfile.gettempdir()) / "kling-engine-reports")
    parser.add_argument("--log-dir", type=Path, default=Path(tempfile.gettempdir()) / "kling-engine-logs")
    parser.add_argument("--no-isolate", action="store_true", help="do not run in a loopback-only namespace")
    parser.epilog = "After --: a command to run while the engine is up (key in the profile's variable)."
    ours, command = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    args = parser.parse_args(ours)
    args.command = command
    if not args.no_isolate and not os.environ.get(ISOLATED_MARK):
        if os.geteuid() != 0 or shutil.which("unshare") is None:
            parser.error("network isolation needs root and unshare; pass --no-isolate to run without it")
        return isolate(argv)
    spec = specs[args.engine]
    binary = args.binary.resolve()
    if not os.access(binary, os.X_OK):
        parser.error(f"{binary} is not an executable engine binary (build it from the engine's README)")
    commit = engine_commit(spec, args.source, args.commit)
    args.log_dir.mkdir(parents=True, exist_ok=True)
    with running(spec, binary, args.log_dir) as (base, token):
        if args.record is not None:
            return record(spec, base, token, commit, args.record.resolve(), args.reports_dir)
        if args.command:
            from conformance.profiles import load_builtin_profiles

            env_name = load_builtin_profiles()[spec.gateway].auth.env
            env = dict(os.environ, KLING_ENGINE_BASE_URL=base, **{env_name: token})
            return subprocess.run(args.command, env=env).returncode
        print(f"{spec.name} is up at {base}; Ctrl-C stops it", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
