"""ASGI entry point: HTTP through Django, WebSockets through Channels routing."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whiteboard.settings")
django.setup(set_prefix=False)

# Imported after Django is set up: the routing imports consumers, which import models.
from whiteboard.asgi_http import PooledHTTPHandler  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from architectures.routing import websocket_urlpatterns  # noqa: E402

django_asgi_app = PooledHTTPHandler()

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    # The session identifies a logged-in board owner; link tokens come as a subprotocol (architectures/access.py).
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
