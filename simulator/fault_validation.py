"""Validation of a board's faults and of the rules between resilience settings, located by path."""

from __future__ import annotations

from typing import Any

from simulator import catalog
from simulator.faults import COMMON_FIELDS, FAULT_TYPES, MAX_FAULTS
from simulator.fieldcheck import Collector, check_fields, is_number, join, register_id, type_name


def _a(noun: str) -> str:
    """The noun with its indefinite article."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def check_calls(edges: list[Any], out: Collector) -> None:
    """Call settings only on calls, and every fallback after a sync call it can stand in for."""
    seen_sync: set[str] = set()
    for i, edge in enumerate(edges):
        if not isinstance(edge, dict):
            continue
        mode = edge.get("mode", "sync")
        if mode == "async":
            for name in catalog.CALL_ONLY_FIELDS:
                if edge.get(name) is not None:
                    out.add(f"edges[{i}].{name}", "applies to sync and fallback calls only: nobody waits for "
                                                  "an async copy")
        elif mode == "fallback" and edge.get("source") not in seen_sync:
            out.add(f"edges[{i}].mode", f"a fallback call needs a sync call from {edge.get('source')} before it "
                                        "(in edge order) to stand in for")
        if mode == "sync":
            seen_sync.add(edge.get("source"))


def check_autoscaling(nodes: list[Any], out: Collector) -> None:
    """Bounds that hold together: min <= max, the starting replicas within them, a utilisation target <= 1."""
    for i, node in enumerate(nodes):
        kind = catalog.KINDS.get(node.get("kind")) if isinstance(node, dict) else None
        config = node.get("config") if kind is not None else None
        scaling = config.get("autoscaling") if isinstance(config, dict) else None
        if not isinstance(scaling, dict):
            continue
        full = kind.field("autoscaling").resolve(scaling)
        path = f"nodes[{i}].config"
        low, high = full["min_replicas"], full["max_replicas"]
        if low > high:
            out.add(f"{path}.autoscaling.max_replicas", f"must be at least min_replicas ({low})")
            continue
        replicas = config.get("replicas", kind.field("replicas").default)
        if not low <= replicas <= high:
            out.add(f"{path}.replicas", f"must be from min_replicas to max_replicas ({low} to {high}) with "
                                        "autoscaling: it is the count the run starts with")
        if full["metric"] == "utilization" and full["target"] > 1:
            out.add(f"{path}.autoscaling.target", "must be at most 1 for the utilization metric (a fraction)")


def _run_length_s(document: dict[str, Any]) -> float | None:
    """The run's length in seconds when the document bounds it by duration, else None."""
    traffic = document.get("traffic") if isinstance(document.get("traffic"), dict) else {}
    if traffic.get("requests") is not None:
        return None
    duration = traffic.get("duration_s", next(f.default for f in catalog.TRAFFIC_FIELDS if f.name == "duration_s"))
    return float(duration) if is_number(duration) else None


def _node_fits(fault_type: Any, node: dict[str, Any], path: str, fault: dict[str, Any], out: Collector) -> None:
    kind = catalog.KINDS.get(node.get("kind"))
    if kind is None:
        return
    if not kind.request_path:
        out.add(join(path, "target"), f"must be a component on the request path; {node['id']} is "
                                      f"{_a(kind.title)}, which takes no requests")
        return
    if fault_type.needs_field and kind.field(fault_type.needs_field) is None:
        out.add(join(path, "target"), f"must be a component with a {fault_type.needs_field} for "
                                      f"{_a(fault_type.name)} fault; {node['id']} is {_a(kind.title)}")
        return
    if kind.fault_types is not None and fault_type.name not in kind.fault_types:
        out.add(join(path, "type"), f"must be one of {', '.join(kind.fault_types)} for {_a(kind.title)}; "
                                    f"{node['id']} cannot have {_a(fault_type.name)} fault")
        return
    if fault_type.name == "replicas_down" and isinstance(fault.get("replicas"), int):
        config = node.get("config") if isinstance(node.get("config"), dict) else {}
        scaling = config.get("autoscaling")
        most = (kind.field("autoscaling").resolve(scaling)["max_replicas"] if isinstance(scaling, dict)
                else config.get("replicas", kind.field("replicas").default))
        if fault["replicas"] > most:
            out.add(join(path, "replicas"), f"must be at most the {most} replicas {node['id']} can have")


def check_faults(document: dict[str, Any], out: Collector) -> None:
    """Every fault: a known type, a target that exists and fits it, parameters in range, a window in the run."""
    faults = document.get("faults", [])
    if not isinstance(faults, list):
        out.add("faults", f"must be a list, not {type_name(faults)}")
        return
    if len(faults) > MAX_FAULTS:
        out.add("faults", f"must have at most {MAX_FAULTS} faults, not {len(faults)}")
        return
    nodes = {n["id"]: n for n in document.get("nodes", []) if isinstance(n, dict) and isinstance(n.get("id"), str)}
    edges = {e["id"]: e for e in document.get("edges", []) if isinstance(e, dict) and isinstance(e.get("id"), str)}
    run_s = _run_length_s(document)
    ids: dict[str, int] = {}
    for i, fault in enumerate(faults):
        path = f"faults[{i}]"
        if not isinstance(fault, dict):
            out.add(path, f"must be an object, not {type_name(fault)}")
            continue
        register_id(fault, "faults", i, ids, out)
        fault_type = FAULT_TYPES.get(fault.get("type")) if isinstance(fault.get("type"), str) else None
        if fault_type is None:
            out.add(join(path, "type"), f"must be one of {', '.join(FAULT_TYPES)}")
            continue
        params = {k: v for k, v in fault.items() if k not in ("id", "type", "target", "label")}
        check_fields((*COMMON_FIELDS, *fault_type.params), params, path, out, f"{_a(fault_type.name)} fault")
        if "label" in fault and (not isinstance(fault["label"], str) or len(fault["label"]) > catalog.MAX_LABEL_CHARS):
            out.add(join(path, "label"), f"must be a string of at most {catalog.MAX_LABEL_CHARS} characters")
        target = fault.get("target")
        pool = nodes if fault_type.target == "node" else edges
        if not isinstance(target, str) or target not in pool:
            out.add(join(path, "target"), f"must be the id of {_a(fault_type.target)} on the board for "
                                          f"{_a(fault_type.name)} fault, not {str(target)[:80]!r}")
        elif fault_type.target == "node":
            _node_fits(fault_type, pool[target], path, fault, out)
        at, duration = fault.get("at_s", 0.0), fault.get("duration_s", 10.0)
        if run_s is not None and is_number(at) and is_number(duration) and at + duration > run_s + 1e-9:
            out.add(join(path, "duration_s"), f"the fault ends at {at + duration:g} s, after the run's "
                                              f"{run_s:g} s: it must fit in the run")
