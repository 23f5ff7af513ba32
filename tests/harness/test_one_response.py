"""Extra bytes after a response never answer the next request (the connection is closed instead)."""

from __future__ import annotations

import asyncio

import httpx

from conformance.harness.one_response import install

FAKE = b'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"fake": 1}\n'


async def _two_requests() -> tuple[str, str, int]:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        count = 0
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                count += 1
                body = b'{"n": %d}' % count
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body + FAKE)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with httpx.AsyncClient() as client:
        first = (await client.get(f"http://127.0.0.1:{port}/a")).text
        second = (await client.get(f"http://127.0.0.1:{port}/b")).text
    server.close()
    return first, second, connections


def test_a_second_response_on_the_connection_is_discarded() -> None:
    install()
    first, second, connections = asyncio.run(_two_requests())
    assert first == '{"n": 1}'
    assert second == '{"n": 1}', "the next request was answered by the extra bytes of the previous one"
    assert connections == 2  # the connection holding extra bytes was closed; the next one is fresh


def test_the_sync_client_is_guarded_too() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n{"n": 1}' + FAKE)

    install()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client() as client:
            url = f"http://127.0.0.1:{server.server_address[1]}/x"
            answers = [client.get(url).text for _ in range(2)]
    finally:
        server.shutdown()
        server.server_close()
    assert answers == ['{"n": 1}', '{"n": 1}']
