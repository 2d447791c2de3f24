"""Two web server instances behind HAProxy on loopback, sharing PostgreSQL and Redis; one is stopped mid-load and nothing acknowledged may be lost.

The arrangement of docs/deploy.md on one machine: a private PostgreSQL (`scripts/postgres`),
Redis, one Celery worker, two independent web server instances (each its own gunicorn process
group with `--processes` uvicorn workers, default 1, on a port of its own, started exactly as
`./scripts/run` starts its server) and HAProxy from Debian's package (`scripts/haproxy` installs
it as root) in front, balancing by least connections, with health checks every second and
connection failures sent to the other instance. Every client talks to HAProxy only.

The load is `load.py`'s (same options, same defaults: 200 HTTP users on 50 boards, 50 WebSocket
editors on 10 boards, so co-editors of a board are spread over both instances), with editors that
reopen their socket through the proxy when the server closes it, as the editor page does. At a
third of `--duration` instance A is stopped (SIGTERM: it finishes requests in flight and closes its
WebSockets with 1012); at two thirds it is started again. Afterwards `load.py`'s check: every
acknowledged save and live edit is in the stored boards, and each board's version is 1 + the
acknowledged writes (requests cut off by the stop may or may not have been stored; they are counted
apart). Exits 1 on a lost write or an error outside the stop.

    .venv/bin/python benchmarks/instances.py                     # 60 s, the default load
    .venv/bin/python benchmarks/instances.py --duration 30 --clients 50 --editors 10 --boards 13 --live-boards 2
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

from load import add_load_arguments, check_load_arguments, drive, report
from stack import ROOT, Stack, cpu_seconds, group_cpu_seconds, load_average
from tests.early_env import free_port
from tests.processes import WebServerProcess, http_answers, wait_until

HAPROXY_CONFIG = """\
global
    # Within the open-file limit of a shell here (two descriptors per proxied connection).
    maxconn 4000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # An open WebSocket may sit idle much longer than a request.
    timeout tunnel 1h
    # A connection that failed is tried again on the other instance; a request that reached an
    # instance is never sent twice (a save is not idempotent).
    retries 3
    option redispatch 1
    retry-on conn-failure
    # A fresh connection to an instance per request: a kept one may be closed by a stopping
    # instance just as a request is sent on it, and that request could not be retried.
    option http-server-close

frontend web
    bind 127.0.0.1:{port}
    default_backend instances

backend instances
    balance leastconn
    option httpchk GET /api/component-kinds/
    http-check expect status 200
    # Refused connections (a stopped instance) count at once; a slow answer on a loaded machine
    # must not take the last instance out, which would answer every request 503.
    timeout check 5s
    default-server inter 1s fall 3 rise 2
{servers}
"""


class HAProxy:
    """HAProxy in the foreground, in a process group of its own, in front of `instances`."""

    def __init__(self, *, port: int, instances: list[WebServerProcess], folder: Path):
        self.port, self.instances, self.folder = port, instances, folder
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "HAProxy":
        binary = subprocess.run(["bash", "scripts/haproxy"], cwd=ROOT, check=True, capture_output=True,
                                text=True).stdout.strip()
        servers = "\n".join(f"    server {chr(ord('a') + index)} 127.0.0.1:{instance.port} check"
                            for index, instance in enumerate(self.instances))
        config = self.folder / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=self.port, servers=servers))
        self.proc = subprocess.Popen([binary, "-db", "-f", str(config)], start_new_session=True,
                                     stdout=open(self.folder / "haproxy.log", "ab"), stderr=subprocess.STDOUT)
        wait_until(lambda: http_answers(f"{self.url}/api/component-kinds/") or self.proc.poll() is not None, 30,
                   "haproxy did not answer")
        if self.proc.poll() is not None:
            raise RuntimeError(f"haproxy exited with {self.proc.returncode}; see {self.folder / 'haproxy.log'}")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_load_arguments(parser)
    parser.add_argument("--processes", type=int, default=1, help="uvicorn workers per instance (default 1)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL (one machine only)")
    args = parser.parse_args()
    check_load_arguments(parser, args)

    print(f"load average before: {load_average():.2f}; starting PostgreSQL, Redis, a Celery worker, "
          f"two web server instances and HAProxy...", flush=True)
    with Stack("instances", postgres=not args.sqlite) as stack:
        stack.start(workers=1, web=False)
        instances = [WebServerProcess(port=free_port(), env=stack.env, processes=args.processes,
                                      log=stack.dir / f"web-{name}.log") for name in "ab"]
        proxy = HAProxy(port=free_port(), instances=instances, folder=stack.dir)
        try:
            for instance in instances:
                instance.start()
            proxy.start()
            print(f"serving {proxy.url} through HAProxy: instances on ports {instances[0].port} and "
                  f"{instances[1].port}, {args.processes} process(es) each; load for {args.duration:g} s...", flush=True)
            events: list[str] = []
            started = time.monotonic()

            async def stop_and_restart_a() -> None:
                await asyncio.sleep(args.duration / 3)
                events.append(f"{time.monotonic() - started:5.1f} s  instance A stopped (SIGTERM)")
                await asyncio.to_thread(instances[0].stop)
                events.append(f"{time.monotonic() - started:5.1f} s  instance A gone")
                await asyncio.sleep(max(0.0, args.duration * 2 / 3 - (time.monotonic() - started)))
                await asyncio.to_thread(instances[0].start)
                events.append(f"{time.monotonic() - started:5.1f} s  instance A started again and answering")

            meters = {"instance A": lambda: group_cpu_seconds(instances[0].proc.pid),
                      "instance B": lambda: group_cpu_seconds(instances[1].proc.pid),
                      "HAProxy": lambda: cpu_seconds(proxy.proc.pid)}
            before = {name: meter() for name, meter in meters.items()}
            own = time.process_time()
            tally, problems, elapsed = asyncio.run(drive(proxy.url, args, reconnect=True, during=stop_and_restart_a))
            cpu = {name: meter() - before[name] for name, meter in meters.items()}
            cpu["this script"] = time.process_time() - own
            print("\n".join(events))
            print("(instance A's CPU counts its second run only)")
            stack.keep_files = bool(tally.errors or problems)
        finally:
            proxy.stop()
            for instance in instances:
                instance.stop()
    return report(tally, problems, elapsed, cpu, args)


if __name__ == "__main__":
    sys.exit(main())
