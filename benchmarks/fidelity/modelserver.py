"""The reference stack's model server: one worker running a catalog model over HTTP, FIFO or dynamically batched.

    python benchmarks/fidelity/modelserver.py --port P --model ctr_gbdt [--max-batch 8 --delay-ms 2]

The model is trained at start-up by the catalog's own Workshop (seeded, nothing downloaded) and
serves `Trained.predict`, what the catalog's profiles time. The layout follows Triton's: an
asyncio HTTP front end (aiohttp) parses requests and puts them in the scheduler's queue, and one
model instance (a single worker thread) runs batches. With `--max-batch 1` the instance serves
one request at a time in arrival order; above that the scheduler applies Triton's dynamic
batching rules: when the instance is free it takes up to max-batch waiting requests in arrival
order, and if fewer are waiting it waits until the oldest has waited `--delay-ms` (or the batch
fills) before running what it has.

POST /predict takes {"id": k, "features": [...]} and answers {"id": k, "score": s, "batch": b,
"t": [in, queued, start, end, out]}: the CLOCK_MONOTONIC times (seconds, comparable between the
processes of the stack) at which the handler began, the request joined the queue, its batch
started and ended predict, and the answer was built. They let the harness split each
request's latency into its parts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import selectors
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import numpy as np
from aiohttp import web

JSON = "application/json"


class Scheduler:
    """A request queue in front of one model instance, with Triton's dynamic batching rules.

    The instance runs predict on the event loop's own thread (`in_thread=False`, the default) or
    on one worker thread. On a single core the worker thread only adds the operating system's
    scheduling between the two threads: a request arriving during a batch waits for the loop
    thread to be scheduled (up to a 4 ms tick here) instead of for the batch to end, and it is
    served no sooner either way, since the instance is busy. Running predict on the loop thread
    makes the one core do one thing at a time; after each batch the loop reads every request
    that arrived during it (`_drain`) before the next batch is formed, so batches see the same
    waiting requests as an instance with its own front-end threads would.
    """

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray], *, max_batch: int, delay_s: float,
                 in_thread: bool = False) -> None:
        self.predict = predict
        self.max_batch = max_batch
        self.delay_s = delay_s
        self.queue: deque[tuple[float, list[float], asyncio.Future]] = deque()
        # At most one thread is the one model instance: batches never overlap.
        self.instance = ThreadPoolExecutor(max_workers=1, thread_name_prefix="instance") if in_thread else None
        self._wake: asyncio.Future | None = None
        self.batches = 0

    def submit(self, features: list[float]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.queue.append((time.monotonic(), features, future))
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)
        return future

    async def _wait(self, deadline: float | None) -> None:
        """Until a request arrives or, when given, the deadline (loop time = time.monotonic) passes."""
        loop = asyncio.get_running_loop()
        self._wake = loop.create_future()
        timer = None
        if deadline is not None:
            timer = loop.call_at(deadline, lambda w=self._wake: w.done() or w.set_result(None))
        try:
            await self._wake
        finally:
            self._wake = None
            if timer is not None:
                timer.cancel()

    async def _drain(self) -> None:
        """Let the loop read and queue the requests that arrived while predict held it.

        Reading a socket, parsing the request and running its handler up to `submit` take a
        few loop iterations; stop once two iterations in a row queued nothing new.
        """
        quiet = 0
        while quiet < 2:
            before = len(self.queue)
            await asyncio.sleep(0)
            quiet = quiet + 1 if len(self.queue) == before else 0

    def _run_batch(self, rows: list[list[float]]) -> tuple[np.ndarray, float, float]:
        start = time.monotonic()
        scores = self.predict(np.asarray(rows, dtype=np.float64))
        return scores, start, time.monotonic()

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self.queue:
                await self._wait(None)
                continue
            if len(self.queue) < self.max_batch and self.delay_s > 0:
                deadline = self.queue[0][0] + self.delay_s
                if time.monotonic() < deadline:
                    await self._wait(deadline)
                    continue
            batch = [self.queue.popleft() for _ in range(min(self.max_batch, len(self.queue)))]
            rows = [features for _, features, _ in batch]
            if self.instance is not None:
                scores, start, end = await loop.run_in_executor(self.instance, self._run_batch, rows)
            else:
                scores, start, end = self._run_batch(rows)
            self.batches += 1
            for (queued, _, future), score in zip(batch, scores):
                if not future.done():
                    future.set_result((float(score), queued, start, end, len(batch)))
            if self.instance is None:
                await self._drain()


def build_app(scheduler: Scheduler) -> web.Application:
    async def predict(request: web.Request) -> web.Response:
        began = time.monotonic()
        body = json.loads(await request.read())
        score, queued, start, end, size = await scheduler.submit(body["features"])
        answer = {"id": body["id"], "score": score, "batch": size,
                  "t": [began, queued, start, end, time.monotonic()]}
        return web.Response(body=json.dumps(answer).encode(), content_type=JSON)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"batches": scheduler.batches})

    async def start_scheduler(app: web.Application) -> None:
        app["scheduler_task"] = asyncio.create_task(scheduler.serve())

    async def stop_scheduler(app: web.Application) -> None:
        app["scheduler_task"].cancel()
        if scheduler.instance is not None:
            scheduler.instance.shutdown(wait=True)

    app = web.Application()
    app.router.add_post("/predict", predict)
    app.router.add_get("/health", health)
    app.on_startup.append(start_scheduler)
    app.on_cleanup.append(stop_scheduler)
    return app


def load_model(model_id: str) -> Callable[[np.ndarray], Any]:
    """The catalog model's predict function, trained here by the project's Workshop on one thread."""
    from threadpoolctl import threadpool_limits

    from simulator.models.registry import Workshop

    # One thread, as the catalog profiles are measured (one replica with concurrency 1); the
    # limit stays on for the process so predict in the instance thread runs the same way.
    threadpool_limits(limits=1)
    return Workshop().model(model_id).predict


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--max-batch", type=int, default=1)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--instance", choices=("loop", "thread"), default="loop",
                        help="run predict on the event loop's thread or on a worker thread")
    args = parser.parse_args(argv)
    predict = load_model(args.model)
    # The model and its data are loaded: freeze what exists so the collector never walks it again
    # (a full collection over the training data would be a pause of its own in the tail).
    gc.collect()
    gc.freeze()
    scheduler = Scheduler(predict, max_batch=args.max_batch, delay_s=args.delay_ms / 1000.0,
                          in_thread=args.instance == "thread")
    # asyncio's default epoll loop rounds every timeout up to a whole millisecond, so a batch waiting
    # for its 2 ms delay ran 0.3 ms late at the median and 1-2 ms at the P99; select(2) takes
    # microseconds, as Triton's max_queue_delay_microseconds does. It needs descriptors below 1024:
    # the load generator and the gateway open at most 900 and 512 connections.
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    web.run_app(build_app(scheduler), host="127.0.0.1", port=args.port, access_log=None, print=None,
                handle_signals=True, loop=loop)


if __name__ == "__main__":
    main()
