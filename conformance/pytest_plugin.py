"""pytest plugin of kling-conformance (entry point ``pytest11: kling_conformance``).

Options (each also settable in ``[tool.kling-conformance]`` of pyproject.toml; flags win)::

    --kling-gateway ID        gateway to test (repeatable, or ``all``)          gateway = "yibuapi" | [..]
    --kling-mode MODE         replay (default) | live | record                  mode = "replay"
    --kling-base-url URL      point the profile(s) at another host              base-url = "..."
    --kling-profile PATH      a user profile TOML (repeatable)                  profile = "my.toml" | [..]
    --kling-max-paid-tasks N  cap on task-creating calls across the session     max-paid-tasks = 3
    --kling-emulator          run against the in-process emulator (no key)      emulator = true
    --kling-no-catalog        do not collect the check catalog                  catalog = false
    --kling-access-key-env N  variable holding your own Kling AK                access-key-env = "MY_KLING_AK"
    --kling-secret-key-env N  variable holding your own Kling SK                secret-key-env = "MY_KLING_SK"
    --kling-tls               kling_endpoint over https with a local CA         tls = true
                                                                                cassettes = "tests/cassettes"

Fixtures: ``kling_gateway`` (the loaded profile), ``kling_client`` (httpx client on the gateway, with
auth, recording/replaying through the CLI's cassettes), ``kling_task`` (create + poll to a terminal
state within the budget → normalized final state), ``kling_normalize`` (the normalizer for the gateway),
``kling_endpoint`` (base URL, credentials as headers or as AK/SK, CA bundle: point any third-party client
at the emulator, served at the root of its own port, or at a live gateway).
With a gateway selected, the built-in catalog is collected as ``test_conformance[<gateway>-<check>]``.

The plugin leaves every other test alone: without a kling flag or setting it adds no items, no
fixtures run unless a test asks for one, and this module imports only pytest and the standard library
(schemathesis, hypothesis, starlette, httpx and the harness load only when a kling feature is used).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from conformance.pytest_kling.session import KlingSession
    from conformance.pytest_kling.settings import KlingSettings

_SETTINGS = pytest.StashKey["KlingSettings"]()
_SESSION = pytest.StashKey["KlingSession"]()
_CONTROLLER_DIR = pytest.StashKey[Path]()
SHARED_DIR_KEY = "kling_conformance_shared_dir"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--kling-*`` options (see the module docstring)."""
    group = parser.getgroup("kling-conformance", "Kling gateway conformance (kling-conformance)")
    group.addoption(
        "--kling-gateway",
        action="append",
        dest="kling_gateway",
        default=None,
        metavar="ID",
        help="Gateway profile to test (repeatable, or 'all'); collects the built-in check catalog.",
    )
    group.addoption(
        "--kling-mode",
        dest="kling_mode",
        default=None,
        choices=("replay", "live", "record"),
        help="replay (cassettes, offline; default) | live | record (live + write cassettes).",
    )
    group.addoption(
        "--kling-base-url",
        dest="kling_base_url",
        default=None,
        metavar="URL",
        help="Point the gateway profile(s) at another host (live/record).",
    )
    group.addoption(
        "--kling-profile",
        action="append",
        dest="kling_profile",
        default=None,
        metavar="PATH",
        help="A user gateway profile TOML (repeatable).",
    )
    group.addoption(
        "--kling-max-paid-tasks",
        dest="kling_max_paid_tasks",
        default=None,
        type=int,
        metavar="N",
        help="Cap on task-creating calls in the session (default: 0 on real hosts).",
    )
    group.addoption(
        "--kling-emulator",
        dest="kling_emulator",
        action="store_true",
        default=False,
        help="Run against the in-process Kling gateway emulator (loopback, no key).",
    )
    group.addoption(
        "--kling-no-catalog",
        dest="kling_no_catalog",
        action="store_true",
        default=False,
        help="Do not collect the built-in check catalog (only your own tests use the kling fixtures).",
    )
    group.addoption(
        "--kling-access-key-env",
        dest="kling_access_key_env",
        default=None,
        metavar="NAME",
        help="Variable holding your own Kling access key (AK) for clients that sign their own JWT.",
    )
    group.addoption(
        "--kling-secret-key-env",
        dest="kling_secret_key_env",
        default=None,
        metavar="NAME",
        help="Variable holding your own Kling secret key (SK).",
    )
    group.addoption(
        "--kling-tls",
        dest="kling_tls",
        action="store_true",
        default=False,
        help="kling_endpoint on the emulator: serve https with a local CA (endpoint.ca_bundle).",
    )


def _settings(config: pytest.Config) -> KlingSettings:
    return config.stash[_SETTINGS]


def pytest_configure(config: pytest.Config) -> None:
    """Merge flags over pyproject settings (cheap: stdlib only); nothing else happens here."""
    from conformance.pytest_kling.settings import SettingsError, merge_settings

    flags = {
        "gateways": config.getoption("kling_gateway"),
        "mode": config.getoption("kling_mode"),
        "base_url": config.getoption("kling_base_url"),
        "profiles": config.getoption("kling_profile"),
        "max_paid_tasks": config.getoption("kling_max_paid_tasks"),
        "emulator": config.getoption("kling_emulator") or None,
        "no_catalog": config.getoption("kling_no_catalog"),
        "access_key_env": config.getoption("kling_access_key_env"),
        "secret_key_env": config.getoption("kling_secret_key_env"),
        "tls": config.getoption("kling_tls") or None,
    }
    try:
        inipath = config.inipath
        project = inipath.parent if inipath is not None and inipath.name == "pyproject.toml" else config.rootpath
        config.stash[_SETTINGS] = merge_settings(flags, Path(project))
    except SettingsError as exc:
        raise pytest.UsageError(f"kling-conformance: {exc}") from None
    if config.stash[_SETTINGS].active:
        config.addinivalue_line("markers", "kling: a kling-conformance catalog check or consumer contract test")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist controller: give every worker the same shared directory (budget, catalog run)."""
    config = node.config
    if not _settings(config).active:
        return
    if _CONTROLLER_DIR not in config.stash:
        import tempfile

        config.stash[_CONTROLLER_DIR] = Path(tempfile.mkdtemp(prefix="kling-conformance-xdist-"))
    node.workerinput[SHARED_DIR_KEY] = str(config.stash[_CONTROLLER_DIR])


def _session(config: pytest.Config) -> KlingSession:
    if _SESSION not in config.stash:
        from conformance.pytest_kling.session import KlingSession

        worker_input = getattr(config, "workerinput", None)
        shared = worker_input.get(SHARED_DIR_KEY) if isinstance(worker_input, dict) else None
        config.stash[_SESSION] = KlingSession(_settings(config), Path(shared) if shared else None)
    return config.stash[_SESSION]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the emulator and remove the session's shared directory."""
    if _SESSION in config.stash:
        config.stash[_SESSION].close()
    if _CONTROLLER_DIR in config.stash:
        import shutil

        shutil.rmtree(config.stash[_CONTROLLER_DIR], ignore_errors=True)


def _usage_failure(exc: Exception) -> NoReturn:
    render = getattr(exc, "render", None)
    pytest.fail(f"kling-conformance: {render() if render else exc}", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """With a gateway selected, add ``test_conformance[<gateway>-<check>]`` for every catalog check."""
    settings = _settings(config)
    if not settings.collects_catalog:
        return
    from conformance.errors import UsageError
    from conformance.pytest_kling.catalog import NODE_NAME, CatalogCollector, CatalogItem, catalog_check_ids

    kling = _session(config)
    try:
        gateways = kling.gateway_ids()
    except UsageError as exc:
        raise pytest.UsageError(f"kling-conformance: {exc.render()}") from None
    parent = CatalogCollector.from_parent(session, name=NODE_NAME, path=Path(config.rootpath), nodeid=NODE_NAME)
    checks = catalog_check_ids()
    added: list[pytest.Item] = []
    for gateway in gateways:
        for check_id, description in checks:
            item = CatalogItem.from_parent(
                parent,
                name=f"test_conformance[{gateway}-{check_id}]",
                gateway=gateway,
                check=check_id,
                description=description,
                runner=kling.catalog_report,
            )
            item.add_marker("kling")
            added.append(item)
    items.extend(added)
    # Report them as collected (the terminal's "collected N items" counts collect reports).
    config.hook.pytest_collectreport(report=pytest.CollectReport(NODE_NAME, "passed", None, list(added)))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests using a kling fixture run once per selected gateway when several are selected."""
    if "_kling_gateway_id" not in metafunc.fixturenames:
        return
    settings = _settings(metafunc.config)
    if not settings.gateways and not settings.profiles:
        return
    ids = _session(metafunc.config).gateway_ids()
    if len(ids) > 1:
        metafunc.parametrize("_kling_gateway_id", ids, indirect=True, ids=ids)


@pytest.fixture
def _kling_gateway_id(request: pytest.FixtureRequest) -> str:
    """The gateway id this test runs against."""
    param = getattr(request, "param", None)
    if isinstance(param, str):
        return param
    from conformance.errors import UsageError

    try:
        ids = _session(request.config).gateway_ids()
    except UsageError as exc:
        _usage_failure(exc)
    if not ids:
        pytest.fail(
            "kling-conformance: this test uses a kling fixture but no gateway is selected; pass "
            "--kling-gateway ID (e.g. --kling-gateway kling-official --kling-emulator) or set "
            'gateway = "..." in [tool.kling-conformance] of pyproject.toml',
            pytrace=False,
        )
    return ids[0]


@pytest.fixture
def kling_gateway(_kling_gateway_id: str, request: pytest.FixtureRequest) -> Any:
    """The loaded :class:`~conformance.profiles.model.GatewayProfile` of the gateway under test."""
    return _session(request.config).profiles()[_kling_gateway_id]


@pytest.fixture
def kling_client(kling_gateway: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An httpx client on the gateway (auth added for you), recording/replaying through cassettes."""
    from conformance.errors import UsageError
    from conformance.pytest_kling.client import build_client, finish_recording, scenario_for

    kling = _session(request.config)
    try:
        base_url, key = kling.target(kling_gateway)
    except UsageError as exc:
        _usage_failure(exc)
    client, recording, cassette_file = build_client(
        profile=kling_gateway,
        mode=kling.settings.mode,
        base_url=base_url,
        key=key,
        cassettes_root=kling.cassettes_root(),
        scenario=scenario_for(request.node.nodeid),
        emulator=kling.settings.emulator,
    )
    if kling.settings.mode == "replay" and not cassette_file.is_file():
        client.close()
        pytest.fail(
            f"kling-conformance: no cassette {cassette_file} for this test (replay mode). Record it once with "
            f"--kling-mode record (with {kling_gateway.auth.env} set, or --kling-emulator).",
            pytrace=False,
        )
    try:
        yield client
    finally:
        client.close()
        finish_recording(recording, cassette_file)


@pytest.fixture
def kling_task(kling_client: Any, request: pytest.FixtureRequest) -> Any:
    """Factory: ``kling_task("text2video", body)`` creates a task, polls it to the end, returns the normalized state."""
    from conformance.pytest_kling.tasks import TaskFactory

    kling = _session(request.config)
    free = kling.settings.mode == "replay"
    return TaskFactory(
        client=kling_client,
        policy=kling.poll_policy(str(kling_client.base_url)),
        spend=(lambda: True) if free else kling.budget.spend,
    )


@pytest.fixture
def kling_normalize(kling_gateway: Any) -> Any:
    """``kling_normalize(response_or_body)`` → normalized view, read the way this gateway's profile says."""
    from conformance.normalize import normalize

    def run(value: Any, status_code: int | None = None) -> Any:
        content = getattr(value, "content", None)
        if content is not None and hasattr(value, "status_code"):
            return normalize(content, status_code=value.status_code, profile=kling_gateway)
        return normalize(value, status_code=status_code, profile=kling_gateway)

    return run


@pytest.fixture
def kling_endpoint(kling_gateway: Any, request: pytest.FixtureRequest) -> Any:
    """Where and how a third-party client reaches the gateway (a ``pytest_kling.endpoint.KlingEndpoint``).

    ``base_url`` (scheme://host[:port], the gateway at its root), ``api_base`` (with the path prefix,
    where ``/v1`` lives), ``headers``/``params`` with the credential placed as the profile says,
    ``api_key``, ``access_key``/``secret_key`` for clients that sign their own JWT, and ``ca_bundle``
    (the local CA with ``--kling-tls``). With ``--kling-emulator`` the gateway is served alone at the
    root of its own port; in live mode it is the real gateway with your credentials.
    """
    from conformance.errors import UsageError

    kling = _session(request.config)
    try:
        return kling.endpoint(kling_gateway)
    except UsageError as exc:
        _usage_failure(exc)
