"""Where profiles live: a per-machine cache under var/profiles and the committed reference set."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from simulator.models.names import CATALOG_VERSION

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(__file__).parent / "reference"
PROFILE_DIR_ENV = "SIMULATOR_PROFILE_DIR"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """What a profile's timings depend on; a change in any of these means new profiles."""
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "sklearn": version("scikit-learn"), "platform": sys.platform}


def fingerprint(info: dict[str, Any] | None = None) -> str:
    text = json.dumps(info or machine(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get(PROFILE_DIR_ENV) or REPO_ROOT / "var" / "profiles")


def machine_dir(root: Path | None = None) -> Path:
    """The cache folder for this machine's profiles."""
    return (root or cache_root()) / fingerprint()


def default_folder(quick: bool = False) -> Path:
    """Where built profiles go by default; quick ones never stand in for full ones, so they get
    their own subfolder."""
    return machine_dir() / "quick" if quick else machine_dir()


def save_profile(profile: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{profile['model']}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(profile, indent=1), encoding="utf-8")
    tmp.replace(path)  # atomic, so a reader never sees half a file
    return path


def read_profile(directory: Path, model_id: str) -> dict[str, Any] | None:
    path = directory / f"{model_id}.json"
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def is_current(profile: dict[str, Any] | None, quick: bool = False) -> bool:
    """True when the profile was measured on this machine and software, for the present version of
    the catalog, at the wanted detail."""
    return (profile is not None and profile.get("machine") == machine()
            and profile.get("catalog_version") == CATALOG_VERSION and bool(profile.get("quick")) == quick)


_LOADED: dict[str, tuple[dict[str, Any], str] | None] = {}


def load_profile(model_id: str) -> tuple[dict[str, Any], str] | None:
    """(profile, "cache" | "reference") for a model: this machine's full profile if cached, else
    the committed reference profile, else None. Read from disk once per process."""
    if model_id not in _LOADED:
        cached = read_profile(machine_dir(), model_id)
        if is_current(cached):
            _LOADED[model_id] = (cached, "cache")
        else:
            reference = read_profile(REFERENCE_DIR, model_id)
            _LOADED[model_id] = (reference, "reference") if reference else None
    return _LOADED[model_id]


def forget_loaded() -> None:
    """Drop profiles read into memory, so newly built ones are seen."""
    _LOADED.clear()
