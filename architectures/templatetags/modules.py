"""`{% module_src "editor/main.js" %}` and `{% module_preloads ... %}`: a page's entry modules, bundled when the bundle is current."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from functools import lru_cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html_join

register = template.Library()

# Static imports only (`import ... from "./x.js"`, `import "./x.js"`); a dynamic import() is loaded on demand on purpose.
IMPORT = re.compile(r"""^\s*(?:import|export)\s[^;]*?\bfrom\s*["'](\.{1,2}/[^"']+)["']|^\s*import\s*["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)

# Written by scripts/bundle.mjs (run by scripts/frontend): each entry's bundled files and the sources' SHA-256.
BUNDLE_MANIFEST = "build/manifest.json"


def module_graph(entry: str) -> list[str]:
    """Every static module `entry` imports, directly or not, as paths under the static root, in discovery order."""
    seen: list[str] = []
    pending = [entry]
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        path = finders.find(name)
        if not path:
            raise template.TemplateSyntaxError(f"module_preloads: no static file {name!r} (imported by the page's modules)")
        seen.append(name)
        with open(path, encoding="utf-8") as source:
            text = source.read()
        for match in IMPORT.finditer(text):
            relative = match.group(1) or match.group(2)
            pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), relative)))
    return seen


def _digest(name: str) -> str | None:
    path = finders.find(name)
    if not path:
        return None
    with open(path, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()


def current_bundle() -> dict[str, list[str]] | None:
    """{entry: [its bundled file, the chunks it imports...]} when a bundle exists and every source file it was
    built from is unchanged since; otherwise None, and pages load the modules themselves. A source edited after
    the last build is so never hidden behind an old bundle."""
    path = finders.find(BUNDLE_MANIFEST)
    if not path:
        return None
    with open(path, encoding="utf-8") as file:
        manifest = json.load(file)
    if any(_digest(name) != digest for name, digest in manifest["sources"].items()):
        return None
    return manifest["entries"]


def entry_files(entry: str) -> list[str]:
    """The files that load `entry`, the one to run first: its bundle and chunks, or the module and all it imports."""
    bundle = current_bundle()
    if bundle and entry in bundle:
        return bundle[entry]
    return module_graph(entry)


@lru_cache(maxsize=8)
def _cached_files(entry: str) -> tuple[str, ...]:
    return tuple(entry_files(entry))


def _files(entry: str) -> tuple[str, ...]:
    # Outside DEBUG the static files change only with a deployment, which restarts the server.
    return tuple(entry_files(entry)) if settings.DEBUG else _cached_files(entry)


@register.simple_tag
def module_src(entry: str) -> str:
    """The URL of the script to load for `entry` (a `<script type="module" src>`)."""
    return static(_files(entry)[0])


@register.simple_tag
def module_preloads(*entries: str) -> str:
    """Without these links the browser finds a module's imports only once it has fetched and parsed the module,
    one level of the import tree per round trip; with them it fetches the whole tree at once. With several entries
    the first one's files come first (the browser asks for them in that order) and none is listed twice."""
    names: dict[str, None] = {}
    for entry in entries:
        names.update(dict.fromkeys(_files(entry)))
    return format_html_join("\n", '<link rel="modulepreload" href="{}">', ((static(name),) for name in names))
