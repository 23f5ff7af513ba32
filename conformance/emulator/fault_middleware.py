"""ASGI middleware that injects faults from the plan or from the ``X-Emulator-Fault`` request header."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.emulator.fault_kinds import FAULT_KINDS, FaultCall
from conformance.emulator.faults import FaultPlan, FaultSelector

FAULT_HEADER = b"x-emulator-fault"


class FaultMiddleware:
    """Wraps the emulator; on requests without a fault it adds one header scan and nothing else."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        plan: FaultPlan,
        seed: int,
        gateways: Iterable[str],
        error_body: Callable[[str, str], tuple[int, bytes]],
    ) -> None:
        self.app = app
        self._plan = plan
        self._selector = FaultSelector(plan, seed)
        self._gateways = frozenset(gateways)
        self._error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        requested = next((v for k, v in scope["headers"] if k == FAULT_HEADER), None)
        faults: list[tuple[str, Any]]
        if requested is not None:
            try:
                faults = _from_header(requested.decode("latin-1"))
            except ValueError as exc:
                await _plain(send, 400, f"X-Emulator-Fault: {exc}")
                return
        elif self._plan:
            gateway = scope["path"].lstrip("/").split("/", 1)[0]
            if gateway not in self._gateways:
                await self.app(scope, receive, send)
                return
            faults = [
                (rule.kind, FAULT_KINDS.get(rule.kind).parse_arg(rule.arg)) for rule in self._selector.select(gateway)
            ]
        else:
            await self.app(scope, receive, send)
            return
        main = None
        for kind_name, arg in faults:
            kind = FAULT_KINDS.get(kind_name)
            call = FaultCall(scope, receive, send, self.app, arg, self._error_body)
            if kind.delays_only:
                await kind.run(call)
            elif main is None:
                main = (kind, call)
        if main is None:
            await self.app(scope, receive, send)
        else:
            await main[0].run(main[1])


def _from_header(value: str) -> list[tuple[str, Any]]:
    faults: list[tuple[str, Any]] = []
    for item in value.split(","):
        name, _, arg = item.strip().partition(":")
        if name not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {name!r}; kinds: {', '.join(FAULT_KINDS.names())}")
        faults.append((name, FAULT_KINDS.get(name).parse_arg(arg)))
    return faults


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
