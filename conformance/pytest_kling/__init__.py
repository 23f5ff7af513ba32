"""Support code of the pytest plugin (:mod:`conformance.pytest_plugin`), imported only when it is used.

- :mod:`.settings`: ``--kling-*`` flags merged over ``[tool.kling-conformance]`` (stdlib only);
- :mod:`.shared`: state shared across pytest-xdist workers (file lock, paid-task counter, catalog run);
- :mod:`.client`: ``kling_client``, a sync httpx client on the CLI's cassette machinery;
- :mod:`.tasks`: ``kling_task``, create-and-poll within the budget;
- :mod:`.catalog`: the built-in check catalog as ``test_conformance[<gateway>-<check>]`` items;
- :mod:`.session`: per-process session state (profiles, emulator, budget, targets).
"""
