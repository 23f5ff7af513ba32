"""The local callback receiver collects real HTTP POSTs per path."""

from __future__ import annotations

import asyncio

import httpx

from conformance.harness.callbacks import CallbackReceiver


def test_receiver_collects_posts_per_path() -> None:
    async def main() -> tuple[int, int, bytes]:
        async with CallbackReceiver() as receiver, httpx.AsyncClient() as client:
            for status in ("processing", "succeed"):
                resp = await client.post(f"{receiver.base_url}/callback/image2video", json={"task_status": status})
                assert resp.status_code == 200
            await client.post(f"{receiver.base_url}/callback/text2video", json={})
            got = receiver.deliveries("/callback/image2video")
            return len(got), len(receiver.deliveries("/callback/text2video")), got[-1].body

    count, other, last = asyncio.run(main())
    assert (count, other) == (2, 1)
    assert b'"succeed"' in last
