"""Sending one event callback: a POST of the sealed body to the app's event URL, within Feishu's limits.

The delivery worker sends through a :class:`~shenpi.hooks.Poster`. The server's own is :class:`AiohttpPoster`:
on this path the HTTP client is most of what an event costs, and aiohttp's client takes about a sixth of httpx's
CPU per POST on a kept-alive connection (90 against 550-850 us, eight concurrent senders to a local receiver).
:class:`HttpxPoster` sends through an ``httpx.AsyncClient`` a caller hands in: a test's mock transport, say.

Either way the exchange has 2 s to connect and 3 s in all, and the answer's body is read up to ``ANSWER_BYTES``
(the worker keeps its first 200 characters for a failed attempt's reason).
"""

from __future__ import annotations

import asyncio
import urllib.parse
import urllib.request
from collections.abc import Mapping

import aiohttp
import httpx

from shenpi.hooks import Poster

__all__ = ["ANSWER_BYTES", "TIMEOUT_S", "AiohttpPoster", "HttpxPoster", "Poster"]

TIMEOUT_S = 3.0  # whole exchange, Feishu's "回调整体的超时时间为 3 秒"
CONNECT_TIMEOUT_S = 2.0  # "TCP 建联的超时时间为 2 秒"
ANSWER_BYTES = 64 * 1024


class AiohttpPoster:
    """One session for all apps, with no cap on its connections: the worker's per-app lanes bound the sends, and a
    pool shared by all apps would make one app's slow receiver a queue for everyone.

    Proxies come from the environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY``), read once, each URL's choice
    remembered: aiohttp's own ``trust_env`` reads the environment and ``~/.netrc`` again for every request, which
    cost as much CPU as the request itself."""

    def __init__(self, proxies: Mapping[str, str] | None = None) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._proxies = dict(urllib.request.getproxies_environment() if proxies is None else proxies)
        self._proxy_of: dict[str, str | None] = {}

    def proxy_for(self, url: str) -> str | None:
        """The proxy a request to ``url`` goes through, None for a direct connection."""
        if url not in self._proxy_of:
            if len(self._proxy_of) >= 1024:  # one entry per event URL: bounded all the same
                self._proxy_of.clear()
            parts = urllib.parse.urlsplit(url)
            proxy = self._proxies.get(parts.scheme)
            if proxy and urllib.request.proxy_bypass_environment(  # type: ignore[attr-defined]  # not in typeshed
                    parts.hostname or "", self._proxies):
                proxy = None
            self._proxy_of[url] = proxy or None
        return self._proxy_of[url]

    async def __call__(self, url: str, headers: Mapping[str, str], body: bytes,
                       timeout_s: float) -> tuple[int, bytes]:
        if self._session is None:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        timeout = aiohttp.ClientTimeout(total=None, connect=min(CONNECT_TIMEOUT_S, timeout_s))
        async with asyncio.timeout(timeout_s):
            async with self._session.post(url, data=body, headers=dict(headers), timeout=timeout,
                                          allow_redirects=False, proxy=self.proxy_for(url)) as resp:
                return resp.status, await resp.content.read(ANSWER_BYTES)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class HttpxPoster:
    """Sends through the caller's httpx client; ``owned`` closes it with the poster."""

    def __init__(self, client: httpx.AsyncClient, *, owned: bool = False) -> None:
        self.client, self._owned = client, owned

    async def __call__(self, url: str, headers: Mapping[str, str], body: bytes,
                       timeout_s: float) -> tuple[int, bytes]:
        # httpx's timeouts are per phase: asyncio's bounds the whole exchange
        timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))
        async with asyncio.timeout(timeout_s):
            resp = await self.client.post(url, content=body, headers=dict(headers), timeout=timeout)
        return resp.status_code, resp.content[:ANSWER_BYTES]

    async def aclose(self) -> None:
        if self._owned:
            await self.client.aclose()
