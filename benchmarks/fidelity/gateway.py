"""The reference stack's gateway: reads a feature row from Redis, calls the model server, logs asynchronously.

    python benchmarks/fidelity/gateway.py --port P --redis-url redis://127.0.0.1:R/0 --model-url http://127.0.0.1:M

POST /score takes {"id": k}. The gateway reads the feature row `features:{k}` from Redis (the
feature store; a JSON list stored by the harness), posts {"id": k, "features": row} to the model
server over a keep-alive connection pool, answers {"id": k, "score": s, "t": [...], "model": {...}}
and, off the request path, appends the prediction to the Redis stream `predictions` (the
logging hop: a task the answer does not wait for). `t` holds the CLOCK_MONOTONIC times at which
the handler began, the feature read returned, the model answered and the answer was built;
`model` is the model server's own answer with its times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web

JSON = "application/json"
STREAM = "predictions"
REDIS_CONNECTIONS = 512
MODEL_CONNECTIONS = 512
STREAM_MAXLEN = 100_000  # the log is trimmed (approximately) so a long run keeps its memory bounded


def build_app(redis_url: str, model_url: str) -> web.Application:
    logging_tasks: set[asyncio.Task] = set()

    async def log_prediction(store: aioredis.Redis, key: int, score: float) -> None:
        await store.xadd(STREAM, {"id": key, "score": score}, maxlen=STREAM_MAXLEN, approximate=True)

    async def score(request: web.Request) -> web.Response:
        began = time.monotonic()
        key = int(json.loads(await request.read())["id"])
        app = request.app
        row = await app["store"].get(f"features:{key}")
        if row is None:
            raise web.HTTPNotFound(text=f"no feature row for id {key}")
        fetched = time.monotonic()
        payload = b'{"id":%d,"features":%s}' % (key, row)
        async with app["session"].post(model_url + "/predict", data=payload, headers={"Content-Type": JSON}) as reply:
            if reply.status != 200:
                raise web.HTTPBadGateway(text=f"model server answered {reply.status}")
            answer = json.loads(await reply.read())
        scored = time.monotonic()
        task = asyncio.create_task(log_prediction(app["store"], key, answer["score"]))
        logging_tasks.add(task)
        task.add_done_callback(logging_tasks.discard)
        body = {"id": key, "score": answer["score"], "model": answer, "t": [began, fetched, scored, time.monotonic()]}
        return web.Response(body=json.dumps(body).encode(), content_type=JSON)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def open_clients(app: web.Application) -> None:
        # A request waits for a free Redis connection rather than failing when a burst has them all
        # busy (redis-py's default pool raises); the pool is far larger than the stack ever needs.
        app["store"] = aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(
            redis_url, max_connections=REDIS_CONNECTIONS, timeout=10))
        # Far more connections to the model server than requests in flight below its capacity: the
        # gateway forwards every request at once and the model server's own queue is where requests
        # wait, as on the board (the cap keeps the model server's descriptors within select(2)'s).
        app["session"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=MODEL_CONNECTIONS))

    async def close_clients(app: web.Application) -> None:
        if logging_tasks:
            await asyncio.gather(*logging_tasks, return_exceptions=True)
        await app["session"].close()
        await app["store"].aclose(close_connection_pool=True)

    app = web.Application()
    app.router.add_post("/score", score)
    app.router.add_get("/health", health)
    app.on_startup.append(open_clients)
    app.on_cleanup.append(close_clients)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--model-url", required=True)
    args = parser.parse_args(argv)
    web.run_app(build_app(args.redis_url, args.model_url), host="127.0.0.1", port=args.port,
                access_log=None, print=None)


if __name__ == "__main__":
    main()
