"""`{% module_preloads "editor/main.js" %}`: modulepreload links for every module a page's entry modules import."""

from __future__ import annotations

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


@lru_cache(maxsize=8)
def _cached_graph(entry: str) -> tuple[str, ...]:
    return tuple(module_graph(entry))


@register.simple_tag
def module_preloads(*entries: str) -> str:
    """Without these links the browser finds a module's imports only once it has fetched and parsed the module,
    one level of the import tree per round trip; with them it fetches the whole tree at once. With several entries
    the first one's modules come first (the browser asks for them in that order) and none is listed twice."""
    names: dict[str, None] = {}
    for entry in entries:
        names.update(dict.fromkeys(module_graph(entry) if settings.DEBUG else _cached_graph(entry)))
    return format_html_join("\n", '<link rel="modulepreload" href="{}">', ((static(name),) for name in names))
