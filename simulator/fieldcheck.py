"""Checks of single values against catalog fields, shared by the document and fault validation.

Every problem is collected with the path of the value it is about, so a client is told exactly
where to look (`nodes[3].config.replicas: must be an integer from 1 to 1000`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from simulator import catalog
from simulator.catalog import Field

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]+$")
MAX_REPORTED_ERRORS = 100


@dataclass(frozen=True)
class Issue:
    """One problem in a document: where it is and what is wrong."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Collector:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str) -> None:
        if len(self.issues) < MAX_REPORTED_ERRORS:
            self.issues.append(Issue(path, message))


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def range_text(f: Field) -> str:
    low, high = f.minimum, f.maximum
    if low is not None and high is not None:
        if f.exclusive_minimum:
            return f" greater than {num(low)} and at most {num(high)}"
        return f" from {num(low)} to {num(high)}"
    if low is not None:
        return f" greater than {num(low)}" if f.exclusive_minimum else f" of at least {num(low)}"
    if high is not None:
        return f" of at most {num(high)}"
    return ""


def num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_field(f: Field, value: Any, path: str, out: Collector) -> None:
    if value is None:
        if not f.nullable:
            out.add(path, "must not be empty")
        return
    if f.type in (catalog.INTEGER, catalog.NUMBER):
        noun = "an integer" if f.type == catalog.INTEGER else "a number"
        ok = is_integer(value) if f.type == catalog.INTEGER else is_number(value)
        if not (ok and in_range(f, value)):
            out.add(path, f"must be {noun}{range_text(f)}" + ("" if ok else f", not {type_name(value)}"))
    elif f.type == catalog.ENUM:
        if not isinstance(value, str) or value not in f.choices:
            out.add(path, f"must be one of {', '.join(f.choices)}")
    elif f.type == catalog.STRING:
        if not isinstance(value, str):
            out.add(path, f"must be a string, not {type_name(value)}")
        elif len(value) > catalog.MAX_LABEL_CHARS:
            out.add(path, f"must be at most {catalog.MAX_LABEL_CHARS} characters")
    elif f.type == catalog.BOOLEAN:
        if not isinstance(value, bool):
            out.add(path, f"must be true or false, not {type_name(value)}")
    elif f.type == catalog.SERVICE_TIME:
        check_service_time(value, path, out)
    elif f.type == catalog.TOKEN_COUNT:
        check_token_count(value, path, out)
    elif f.type == catalog.OBJECT:
        check_fields(f.fields, value, path, out, f"{f.name}")


def in_range(f: Field, value: float) -> bool:
    if f.minimum is not None:
        if value < f.minimum or (f.exclusive_minimum and value == f.minimum):
            return False
    return f.maximum is None or value <= f.maximum


def _dist_of(value: Any, choices: tuple[str, ...], path: str, out: Collector) -> str | None:
    """The `dist` of a distribution object, or None (with the located error) when there is none to check."""
    if not isinstance(value, dict):
        out.add(path, f"must be an object with a dist, not {type_name(value)}")
        return None
    dist = value.get("dist")
    if dist not in choices:
        out.add(join(path, "dist"), f"must be one of {', '.join(choices)}")
        return None
    return dist


def check_token_count(value: Any, path: str, out: Collector) -> None:
    """A distribution of whole token counts from 1 to MAX_TOKENS, its parameters by its kind."""
    dist = _dist_of(value, catalog.TOKEN_DISTRIBUTIONS, path, out)
    if dist is None:
        return
    wanted = {"constant": ("mean",), "uniform": ("low", "high"), "lognormal": ("median", "p99"),
              "empirical": ("samples",)}[dist]
    for key in value:
        if key != "dist" and key not in wanted:
            out.add(join(path, key), f"is not a parameter of a {dist} token count (it takes {', '.join(wanted)})")

    def count(key: str, number: Any) -> int | None:
        if not is_integer(number) or not 1 <= number <= catalog.MAX_TOKENS:
            out.add(join(path, key), f"must be a whole number of tokens from 1 to {catalog.MAX_TOKENS}")
            return None
        return int(number)

    if dist == "empirical":
        samples = value.get("samples")
        if not isinstance(samples, list) or not 1 <= len(samples) <= catalog.MAX_EMPIRICAL_SAMPLES:
            out.add(join(path, "samples"), f"must be a list of 1 to {catalog.MAX_EMPIRICAL_SAMPLES} token counts")
            return
        for i, sample in enumerate(samples):
            if count(f"samples[{i}]", sample) is None:
                break
        return
    numbers = [count(key, value.get(key)) for key in wanted]
    if None in numbers or len(numbers) < 2:
        return
    if dist == "uniform" and numbers[0] > numbers[1]:
        out.add(join(path, "high"), "must be at least low")
    if dist == "lognormal" and numbers[0] >= numbers[1]:
        out.add(join(path, "p99"), "must be greater than median")


def check_service_time(value: Any, path: str, out: Collector) -> None:
    dist = _dist_of(value, catalog.SERVICE_DISTRIBUTIONS, path, out)
    if dist is None:
        return
    allowed = {"dist", "mean_ms", "median_ms", "p99_ms", "samples_ms"}
    for key in value:
        if key not in allowed:
            out.add(join(path, key), "is not a service time field")

    def positive(key: str) -> float | None:
        number = value.get(key)
        if not is_number(number) or not 0 <= number <= 600_000:
            out.add(join(path, key), f"must be a number from 0 to 600000 (ms) for {dist}")
            return None
        return float(number)

    if dist in ("exponential", "constant"):
        positive("mean_ms")
    elif dist == "lognormal":
        median, p99 = positive("median_ms"), positive("p99_ms")
        if median is not None and p99 is not None and not (0 < median < p99):
            out.add(join(path, "p99_ms"), "must be greater than median_ms, which must be greater than 0")
    else:
        samples = value.get("samples_ms")
        if not isinstance(samples, list) or not 1 <= len(samples) <= catalog.MAX_EMPIRICAL_SAMPLES:
            out.add(join(path, "samples_ms"),
                    f"must be a list of 1 to {catalog.MAX_EMPIRICAL_SAMPLES} measured times in ms")
            return
        for i, sample in enumerate(samples):
            if not is_number(sample) or not 0 <= sample <= 600_000:
                out.add(join(join(path, "samples_ms"), i), "must be a number from 0 to 600000 (ms)")
                break


def check_fields(fields: Iterable[Field], data: Any, path: str, out: Collector, what: str) -> None:
    if not isinstance(data, dict):
        out.add(path, f"must be an object, not {type_name(data)}")
        return
    known = {f.name: f for f in fields}
    for key in data:
        if key not in known:
            out.add(join(path, key), f"is not a field of {what}")
    for name, f in known.items():
        if name in data:
            check_field(f, data[name], join(path, name), out)


def check_string(value: Any, path: str, out: Collector, limit: int, required: bool = True) -> bool:
    if value is None and not required:
        return True
    if not isinstance(value, str):
        out.add(path, f"must be a string, not {type_name(value)}")
        return False
    if len(value) > limit:
        out.add(path, f"must be at most {limit} characters, not {len(value)}")
        return False
    return True


def check_id(value: Any, path: str, out: Collector) -> bool:
    if not isinstance(value, str) or not value:
        out.add(path, "must be a non-empty string")
        return False
    if len(value) > catalog.MAX_ID_CHARS or not ID_PATTERN.match(value):
        out.add(path, f"must be 1 to {catalog.MAX_ID_CHARS} letters, digits or _ . : -")
        return False
    return True


def register_id(item: dict, collection: str, i: int, index: dict[str, int], out: Collector) -> None:
    """Check an item's id and record it in `index`, reporting a duplicate against the first."""
    path = f"{collection}[{i}].id"
    if "id" not in item:
        out.add(path, "is required")
    elif check_id(item["id"], path, out):
        if item["id"] in index:
            out.add(path, f"duplicates the id of {collection}[{index[item['id']]}]")
        else:
            index[item["id"]] = i


