"""Gunicorn's settings for the web tier (`./scripts/run` and the benchmarks start it with this file).

    gunicorn -c whiteboard/gunicorn.conf.py whiteboard.asgi:application

Read from the environment with the same checks as Django's settings (README, "Configuration").
"""

import os

from whiteboard.env import env_bool, env_int

bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{env_int('PORT', 8000, minimum=1, maximum=65535)}"]
# One process per core: one Python process runs on one core at a time (the GIL).
workers = env_int("WEB_PROCESSES", os.cpu_count() or 1, minimum=1, maximum=256)
worker_class = "whiteboard.web.Worker"
# A worker whose event loop is stuck this long is killed and replaced.
timeout = env_int("WEB_WORKER_TIMEOUT_S", 60, minimum=5, maximum=3600)
# Stopping: requests in flight may finish this long; WebSockets are closed at once (1012).
graceful_timeout = env_int("WEB_GRACEFUL_TIMEOUT_S", 8, minimum=1, maximum=600)
# A listening socket per worker (SO_REUSEPORT), the kernel spreading new connections over them:
# with one shared socket, the worker that woke first took most of a burst of connections and kept
# them (HTTP keep-alive, WebSockets) while the other sat idle (seen in benchmarks/load.py).
reuse_port = True
keepalive = 5
# X-Forwarded-For and -Proto are believed from these addresses only (the proxy in front).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-" if env_bool("WEB_ACCESS_LOG", True) else None
errorlog = "-"
loglevel = "info"
proc_name = "whiteboard-web"
# gunicorn's control socket has one fixed path per user: a second instance on this machine would clash.
control_socket_disable = True
