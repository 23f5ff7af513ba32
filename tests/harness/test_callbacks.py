"""The local callback receiver collects real HTTP POSTs per path."""

from __future__ import annotations

import asyncio

import httpx

from conformance.harness.callbacks import CallbackReceiver


def test_receiver_collects_posts_per_path() -> None:
    async def main() -> tuple[int, int, bytes]:
        async with CallbackReceiver() as receiver, httpx.AsyncClient() as client:
            for status in ("processing", "succeed"):
                resp = await client.post(receiver.url_for("/callback/image2video"), json={"task_status": status})
                assert resp.status_code == 200
            await client.post(receiver.url_for("/callback/text2video"), json={})
            got = receiver.deliveries("/callback/image2video")
            return len(got), len(receiver.deliveries("/callback/text2video")), got[-1].body

    count, other, last = asyncio.run(main())
    assert (count, other) == (2, 1)
    assert b'"succeed"' in last


def test_receiver_accepts_only_the_path_and_token_it_handed_out() -> None:
    """Another gateway's path, a guessed or missing token, an oversized body: refused, never stored."""
    from conformance.harness import callbacks

    async def main() -> tuple[list[int], int, int, dict[str, int]]:
        async with CallbackReceiver() as receiver, httpx.AsyncClient() as client:
            mine = receiver.url_for("/callback/gw-a/s1")
            codes = [
                (await client.post(mine, json={"ok": 1})).status_code,
                (await client.post(f"{receiver.base_url}/callback/gw-a/s1", json={})).status_code,  # no token
                (await client.post(f"{receiver.base_url}/callback/gw-a/s1/{'0' * 32}", json={})).status_code,
                (await client.post(mine.replace("gw-a", "gw-b"), json={})).status_code,  # token of another path
                (await client.post(mine, content=b"x" * (callbacks.MAX_CALLBACK_BYTES + 1))).status_code,
            ]
            return (
                codes,
                len(receiver.deliveries("/callback/gw-a/s1")),
                len(receiver.deliveries("/callback/gw-b/s1")),
                dict(receiver.refused),
            )

    codes, mine, other, refused = asyncio.run(main())
    assert codes == [200, 404, 404, 404, 413]
    assert (mine, other) == (1, 0)
    assert refused == {"unknown path or token": 3, "body too large": 1}


def test_receiver_caps_deliveries_per_task() -> None:
    from conformance.harness import callbacks

    async def main() -> tuple[int, int]:
        async with CallbackReceiver() as receiver, httpx.AsyncClient() as client:
            url = receiver.url_for("/callback/gw/s")
            for _ in range(callbacks.MAX_PER_PATH + 5):
                await client.post(url, json={})
            return len(receiver.deliveries("/callback/gw/s")), receiver.refused["over the cap"]

    kept, refused = asyncio.run(main())
    assert (kept, refused) == (callbacks.MAX_PER_PATH, 5)
