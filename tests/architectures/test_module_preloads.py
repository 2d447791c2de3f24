"""The page's module tags: modulepreloads of the whole import tree, and the bundle only while it matches its sources."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.template import Context, Template

from architectures.templatetags.modules import BUNDLE_MANIFEST, current_bundle

ROOT = Path(__file__).resolve().parents[2]

SOURCES = {
    "app/first.js": 'import { shared } from "./shared.js";\nexport const first = shared;\n',
    "app/main.js": 'import "./shared.js";\nimport {\n  b,\n} from "./b.js";\nconst later = () => import("./lazy.js");\n',
    "app/shared.js": "export const shared = 1;\n",
    "app/b.js": "export const b = 2;\n",
    "app/lazy.js": "export const lazy = 3;\n",
}


def render(text: str) -> str:
    return Template("{% load modules %}" + text).render(Context())


def preloads(html: str) -> list[str]:
    return [line.split('href="')[1].split('"')[0] for line in html.splitlines()]


@pytest.fixture
def static_tree(tmp_path, settings):
    """A static folder of its own; DEBUG so the tags look at the files on every render, as in development."""
    for name, text in SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    settings.STATICFILES_DIRS = [tmp_path]
    settings.DEBUG = True
    return tmp_path


def build(root: Path) -> None:
    """What scripts/bundle.mjs leaves behind: the entries' files and the manifest with the sources' SHA-256."""
    (root / "build").mkdir()
    for name in ("first.js", "main.js", "chunk-A.js"):
        (root / "build" / name).write_text("// bundled\n")
    sources = {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in SOURCES if name != "app/lazy.js"}
    entries = {"app/first.js": ["build/first.js", "build/chunk-A.js"], "app/main.js": ["build/main.js", "build/chunk-A.js"]}
    (root / BUNDLE_MANIFEST).write_text(json.dumps({"entries": entries, "sources": sources}))


def test_preloads_list_each_statically_imported_module_once_first_entry_first(static_tree):
    html = render('{% module_preloads "app/first.js" "app/main.js" %}')
    # lazy.js is a dynamic import(): loaded when needed, not at start-up.
    assert preloads(html) == ["/static/app/first.js", "/static/app/shared.js", "/static/app/main.js", "/static/app/b.js"]
    assert render('{% module_src "app/main.js" %}') == "/static/app/main.js"


def test_a_bundle_matching_its_sources_is_loaded_instead_of_the_modules(static_tree):
    build(static_tree)
    assert render('{% module_src "app/main.js" %}') == "/static/build/main.js"
    assert preloads(render('{% module_preloads "app/first.js" "app/main.js" %}')) == [
        "/static/build/first.js", "/static/build/chunk-A.js", "/static/build/main.js"]


def test_a_source_changed_since_the_build_loads_the_modules_themselves(static_tree):
    build(static_tree)
    (static_tree / "app/b.js").write_text("export const b = 22;\n")
    assert current_bundle() is None
    assert render('{% module_src "app/main.js" %}') == "/static/app/main.js"
    assert preloads(render('{% module_preloads "app/main.js" %}')) == ["/static/app/main.js", "/static/app/shared.js", "/static/app/b.js"]


def test_a_deleted_source_loads_the_modules_themselves(static_tree):
    build(static_tree)
    (static_tree / "app/shared.js").unlink()
    assert current_bundle() is None


@pytest.mark.skipif(not (ROOT / "static" / BUNDLE_MANIFEST).exists(), reason="no bundle built here (scripts/frontend needs Node.js)")
def test_the_built_editor_bundle_matches_the_sources():
    """scripts/test builds the bundle before the tests; a source edited since shows here (run scripts/frontend)."""
    bundle = current_bundle()
    assert bundle is not None, "static/build is older than the editor's sources: run scripts/frontend"
    assert set(bundle) == {"editor/startup.js", "editor/main.js"}
    assert all((ROOT / "static" / name).is_file() for files in bundle.values() for name in files)
