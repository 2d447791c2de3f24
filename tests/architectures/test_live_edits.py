"""Edit operations applied to a board document: merge patches per field, deletes, refusals with located paths."""

from __future__ import annotations

import pytest

from architectures.live_edits import EditRefused, apply_ops


def test_update_merges_only_the_fields_it_names(document):
    result = apply_ops(document, [{"op": "node.update", "id": "gw", "patch": {
        "config": {"replicas": 4, "service_time": {"dist": "constant", "mean_ms": None, "value_ms": 1}}}}])
    gateway = result["nodes"][0]
    assert gateway["config"] == {"replicas": 4, "concurrency": 1, "instance": "c6i.large",
                                 "service_time": {"dist": "constant", "value_ms": 1}}
    assert gateway["label"] == "API gateway"
    assert document["nodes"][0]["config"]["replicas"] == 2  # the input is left alone


def test_board_update_changes_sections_by_field_and_null_removes_a_key(document):
    result = apply_ops(document, [{"op": "board.update", "patch": {
        "title": "Renamed", "notes": {"data": "logs"}, "requirements": {"p99_ms": None}}}])
    assert result["title"] == "Renamed"
    assert result["notes"]["data"] == "logs" and result["notes"]["requirements"] == "2k QPS at peak"
    assert result["requirements"] == {"peak_rps": 2000, "monthly_budget_usd": 8000}


def test_deleting_a_node_takes_its_edges_and_deleting_it_again_is_harmless(document):
    ops = [{"op": "node.delete", "id": "fs"}]
    once = apply_ops(document, ops)
    assert [edge["id"] for edge in once["edges"]] == ["e3"]
    assert apply_ops(once, ops) == once


def test_added_items_go_last_in_order(document):
    result = apply_ops(document, [
        {"op": "node.add", "node": {"id": "db", "kind": "database"}},
        {"op": "edge.add", "edge": {"id": "e4", "source": "ms", "target": "db", "mode": "sync"}}])
    assert [node["id"] for node in result["nodes"]][-1] == "db"
    assert [edge["id"] for edge in result["edges"]] == ["e1", "e2", "e3", "e4"]


@pytest.mark.parametrize("ops,path", [
    ([], "ops"),
    ([{"op": "node.move", "id": "gw"}], "ops[0].op"),
    ([{"op": "node.add", "node": {"id": "gw", "kind": "cache"}}], "ops[0].node.id"),
    ([{"op": "node.update", "id": "gw", "patch": {"id": "other"}}], "ops[0].patch.id"),
    ([{"op": "edge.update", "id": "e1", "patch": "sync"}], "ops[0].patch"),
    ([{"op": "board.update", "patch": {"title": "x"}}, {"op": "board.update", "patch": {"edges": []}}],
     "ops[1].patch.edges"),
    ([{"op": "edge.delete", "id": "e9"}, {"op": "edge.update", "id": "e9", "patch": {"mode": "async"}}], "ops[1].id"),
])
def test_malformed_or_stale_operations_are_refused_where_they_are(document, ops, path):
    with pytest.raises(EditRefused) as refused:
        apply_ops(document, ops)
    assert refused.value.errors[0]["path"] == path


OUTAGE = {"id": "f1", "type": "outage", "target": "fs", "at_s": 5, "duration_s": 10}
SPIKE = {"id": "f2", "type": "latency_spike", "target": "e2", "at_s": 5, "duration_s": 10, "added_ms": 20}


def test_faults_are_added_updated_and_deleted_by_id(document):
    added = apply_ops(document, [{"op": "fault.add", "fault": OUTAGE}, {"op": "fault.add", "fault": SPIKE}])
    assert added["faults"] == [OUTAGE, SPIKE]
    updated = apply_ops(added, [{"op": "fault.update", "id": "f2", "patch": {"added_ms": 50}}])
    assert updated["faults"][1] == {**SPIKE, "added_ms": 50} and updated["faults"][0] == OUTAGE
    assert apply_ops(updated, [{"op": "fault.delete", "id": "f1"}])["faults"] == [updated["faults"][1]]
    with pytest.raises(EditRefused) as refused:
        apply_ops(added, [{"op": "fault.add", "fault": OUTAGE}])
    assert refused.value.errors[0]["path"] == "ops[0].fault.id"


def test_deleting_a_component_takes_the_faults_on_it_and_on_its_connections(document):
    # Someone else may have added a fault to the component meanwhile: the delete still applies
    # and leaves no fault without its target.
    with_faults = apply_ops(document, [{"op": "fault.add", "fault": OUTAGE}, {"op": "fault.add", "fault": SPIKE}])
    assert apply_ops(with_faults, [{"op": "node.delete", "id": "ms"}])["faults"] == [OUTAGE]
    assert apply_ops(with_faults, [{"op": "edge.delete", "id": "e2"}])["faults"] == [OUTAGE]
    assert apply_ops(with_faults, [{"op": "node.delete", "id": "fs"}])["faults"] == []
