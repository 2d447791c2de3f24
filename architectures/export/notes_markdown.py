"""The framework notes' Markdown in the reports: kept as Markdown in the .md file, rendered as safe HTML on the page.

Notes are user text. markdown-it (pinned in requirements.txt) runs with raw HTML off, so a tag typed
in a note comes out escaped as text, and its link check refuses javascript:, vbscript: and file:
addresses. Images are off too: a note cannot make a reader's browser fetch another site. Headings
in a note are pushed below the report's own (a note's "# Plan" under "### 4. Model" becomes a
level-4 heading), in both outputs, so a note cannot break the report's outline.
"""

from __future__ import annotations

import html
import re

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

NOTE_HEADING_FLOOR = 4  # notes sit under level-3 step headings
_renderer = MarkdownIt("js-default", {"html": False, "breaks": True}).disable("image")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^( {0,3})(#{1,6})(\s|$)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")  # inside one, Markdown shows text as typed, so it is left alone


def _escape_outside_code(line: str) -> str:
    parts, last = [], 0
    for match in _CODE_SPAN.finditer(line):
        parts += [html.escape(line[last:match.start()], quote=False), match.group(0)]
        last = match.end()
    return "".join(parts) + html.escape(line[last:], quote=False)


def note_html(text: str) -> SafeString:
    """A note as HTML: Markdown rendered with raw HTML escaped, line breaks kept as typed (as in the editor)."""
    tokens = _renderer.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + NOTE_HEADING_FLOOR - 1)}"
    return mark_safe(_renderer.renderer.render(tokens, _renderer.options, {}))  # noqa: S308 (raw HTML is off: see above)


def note_markdown(text: str) -> str:
    """A note for the Markdown report: its Markdown as typed, raw HTML escaped, headings pushed down, lines kept."""
    out, fenced = [], False
    for line in (text or "").splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        if fenced:
            out.append(line)
            continue
        line = _escape_outside_code(line)
        line = _HEADING.sub(lambda m: m.group(1) + "#" * min(6, len(m.group(2)) + NOTE_HEADING_FLOOR - 1) + m.group(3), line)
        # A trailing double space is a hard line break: the editor shows a note's single line breaks as breaks.
        out.append(line + "  " if line.strip() else line)
    return "\n".join(out).rstrip()
