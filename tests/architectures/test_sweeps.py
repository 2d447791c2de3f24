"""Load curves and right-sizing fan runs out to a real worker and join them with a chord."""

from __future__ import annotations

import math
import time

import pytest
from rest_framework.test import APIClient

from architectures.instance_choice import MAX_INSTANCES_TRIED, answer_ms, instance_trials
from architectures.models import SimulationRun
from architectures.services import board_create
from simulator.instances import INSTANCE_TYPES
from simulator.models.llm import llm_profile
from tests.access import BoardTokenClient
from tests.architectures.test_runs_api import stable_board

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def wait_for_sweep(api: APIClient, sweep_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sweep = api.get(f"/api/sweeps/{sweep_id}/").json()
        if sweep["status"] != "running":
            return sweep
        time.sleep(0.3)
    raise AssertionError(f"sweep still running after {timeout} s: {sweep}")


def test_load_curve_over_three_levels_returns_three_points_with_p99_rising(celery_worker, document):
    api = BoardTokenClient()
    board = board_create(document=stable_board(document, rps=300))
    response = api.post(f"/api/boards/{board.pk}/sweeps/", {"levels": [900, 150, 600], "requests": 20_000,
                                                             "seed": 5}, format="json")
    assert response.status_code == 202
    sweep = wait_for_sweep(api, response.json()["id"])
    assert sweep["status"] == "succeeded", sweep
    points = sweep["result"]["points"]
    assert [p["rps"] for p in points] == [150, 600, 900]
    p99 = [p["p99_ms"] for p in points]
    assert p99[0] < p99[1] < p99[2]
    # The highest level meeting the board's 200 ms P99 SLO is reported.
    passing = [p["rps"] for p in points if p["p99_ms"] <= 200 and p["drop_rate"] <= 0.001]
    assert sweep["result"]["max_rps_meeting_slo"] == max(passing)


def test_auto_levels_span_ten_to_one_hundred_fifty_percent_of_target(api, document, redis_url):
    board = board_create(document=stable_board(document, rps=400))
    response = api.post(f"/api/boards/{board.pk}/sweeps/", {"requests": 4_000}, format="json")  # 10 s at 400 req/s: past the 5 s warm-up
    assert response.json()["params"]["levels"] == [40, 100, 200, 300, 400, 500, 600]


@pytest.mark.parametrize("levels,path", [([], "levels"), ([100, -1], "levels[1]"), ("many", "levels")])
def test_bad_levels_are_400_with_path(api, document, levels, path):
    board = board_create(document=stable_board(document))
    response = api.post(f"/api/boards/{board.pk}/sweeps/", {"levels": levels}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path


def test_rightsizing_returns_counts_whose_own_run_meets_the_slo(celery_worker, document):
    api = BoardTokenClient()
    doc = stable_board(document, rps=300)
    doc["requirements"]["p99_ms"] = 60
    for node in doc["nodes"]:  # generously over-provisioned to begin with
        if node["kind"] in ("gateway", "feature_store", "model_server"):
            node.setdefault("config", {})["replicas"] = 12
    board = board_create(document=doc)
    response = api.post(f"/api/boards/{board.pk}/rightsize/", {"requests": 20_000, "seed": 11}, format="json")
    assert response.status_code == 202
    sweep = wait_for_sweep(api, response.json()["id"])
    assert sweep["status"] == "succeeded", sweep
    result = sweep["result"]
    assert result["p99_ms"] <= 60
    assert sum(result["replicas"].values()) < 3 * 12  # it found something cheaper than the start
    # The configuration's own run, stored with its exact document, meets the SLO with no unstable node.
    run = SimulationRun.objects.get(pk=result["run_id"])
    configured = {n["id"]: n["config"]["replicas"] for n in run.document["nodes"] if n["id"] in result["replicas"]}
    assert configured == result["replicas"]
    assert run.results["latency_ms"]["p99"] <= 60
    assert not [w for w in run.results["warnings"] if w.get("code") == "unstable"]


def test_rightsize_without_a_p99_slo_is_400(api, document):
    doc = stable_board(document)
    doc["requirements"]["p99_ms"] = None
    board = board_create(document=doc)
    response = api.post(f"/api/boards/{board.pk}/rightsize/", {}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "p99_ms"


def llm_board(instance: str, replicas: int) -> dict:
    """A gateway in front of an 8B LLM server at 4 req/s of short streamed chats, P99 (time to first token) SLO 1 s."""
    return {"schema_version": 1, "title": "Chat",
            "requirements": {"peak_rps": 4, "p99_ms": 1000, "monthly_budget_usd": None},
            "traffic": {"rps": 4, "warmup_s": 10, "streaming": True,
                        "prompt_tokens": {"dist": "uniform", "low": 200, "high": 600},
                        "output_tokens": {"dist": "constant", "mean": 100}},
            "nodes": [{"id": "gw", "kind": "gateway", "position": {"x": 0, "y": 0}, "config": {}},
                      {"id": "l", "kind": "llm_server", "position": {"x": 200, "y": 0},
                       "config": {"replicas": replicas, "instance": instance}}],
            "edges": [{"id": "e0", "source": "gw", "target": "l"}]}


def test_rightsizing_an_llm_server_on_an_oversized_gpu_proposes_a_cheaper_instance_meeting_the_slo(celery_worker):
    api = BoardTokenClient()
    board = board_create(document=llm_board("g6e.xlarge", 3))
    # 2,000 requests at 4 req/s: 500 simulated seconds, a fraction of a second per run.
    response = api.post(f"/api/boards/{board.pk}/rightsize/", {"requests": 2_000, "seed": 3}, format="json")
    assert response.status_code == 202
    sweep = wait_for_sweep(api, response.json()["id"])
    assert sweep["status"] == "succeeded", sweep
    result = sweep["result"]
    assert result["start_instances"] == {"l": "g6e.xlarge"} and result["start"] == {"gw": 2, "l": 3}
    # Three L40S machines at $1.861/h are far more than 4 short chats a second need. One L4 (g6.xlarge,
    # $0.8048/h) answers their first tokens within the second; an A10G (g5.xlarge, $1.006/h) is dearer,
    # and a T4 (g4dn.xlarge, 16 GB) cannot hold the 16 GB of fp16 weights, so it is never tried.
    assert result["instances"] == {"l": "g6.xlarge"}
    # Nothing runs on fewer than one replica: 1 x $0.8048/h x 730 h = $587.50 for the LLM, plus the
    # gateway shrunk from 2 to 1 x $0.085/h x 730 h = $62.05, is $649.55 a month.
    assert result["replicas"] == {"gw": 1, "l": 1}
    assert result["monthly_usd"] == pytest.approx(1 * 0.8048 * 730 + 1 * 0.085 * 730)
    tried = {trial["instance"] for trial in result["instance_trials"]}
    assert "g4dn.xlarge" not in tried and {"g6e.xlarge", "g6.xlarge", "g5.xlarge"} <= tried
    assert len(result["instance_trials"]) <= 13  # the board as it is, then four machines at three counts at most
    assert result["p99_ms"] <= 1000
    # The proposal's own run, with its exact document, runs the LLM on the proposed machine and count.
    run = SimulationRun.objects.get(pk=result["run_id"])
    llm = next(n for n in run.document["nodes"] if n["id"] == "l")["config"]
    assert (llm["instance"], llm["replicas"]) == ("g6.xlarge", result["replicas"]["l"])
    assert run.results["latency_ms"]["p99"] <= 1000
    assert not [w for w in run.results["warnings"] if w.get("code") in ("unstable", "overloaded")]
    # Its cost is replicas x hourly price x 730 hours for each node: the LLM's line and the total.
    by_node = run.results["cost"]["by_node"]
    assert by_node["l"]["monthly_usd"] == pytest.approx(result["replicas"]["l"] * 0.8048 * 730)
    assert by_node["gw"]["monthly_usd"] == pytest.approx(result["replicas"]["gw"] * 0.085 * 730)
    assert result["monthly_usd"] == pytest.approx(by_node["l"]["monthly_usd"] + by_node["gw"]["monthly_usd"])
    # Against the start: 3 x $1.861/h x 730 h = $4,075.59 a month for the LLM alone.
    assert result["monthly_usd"] < 3 * 1.861 * 730
    # It is the cheapest passing configuration of the machine round for the L4, and no cheaper machine passed.
    passing = [trial for trial in result["instance_trials"] if trial["meets_slo"]]
    assert min(passing, key=lambda trial: trial["monthly_usd"])["instance"] == "g6.xlarge"


def test_instance_trials_put_each_gpu_at_the_counts_its_capacity_makes_equally_busy():
    config = {"model_class": "llm_8b", "precision": "fp16", "instance": "g6e.xlarge", "tensor_parallel": 1,
              "max_num_seqs": 256}
    trials = instance_trials(config, 3, rps=20, prompt=400, output=100)
    machines = list(dict.fromkeys(instance for instance, _ in trials))
    assert trials[0] == ("g6e.xlarge", 3)  # the board as it is comes first
    assert len(machines) <= MAX_INSTANCES_TRIED and len(trials) <= 3 * MAX_INSTANCES_TRIED + 1
    assert "g4dn.xlarge" not in machines  # 16 GB of fp16 weights do not fit its 16 GB T4
    assert not [m for m in machines if INSTANCE_TYPES[m]["family"] != "gpu"]
    # A replica on one of a g6e.12xlarge's four L40S runs as on a g6e.xlarge, at over five times the price.
    assert "g6e.12xlarge" not in machines and "g5.12xlarge" not in machines
    # Each machine at the replicas that 20 answers a second keep 100%, 50% and 25% busy, by its answer time.
    for machine in ("g6e.xlarge", "g6.xlarge"):
        busy = 20 * answer_ms(llm_profile("llm_8b", "fp16", machine), 256, 400, 100) / 1000
        expected = sorted({math.ceil(busy * factor) for factor in (1, 2, 4)})
        assert [c for m, c in trials[1:] if m == machine] == [c for c in expected if (machine, c) != trials[0]]
    # The L4 is slower than the L40S, so it takes more replicas for the same load.
    assert max(c for m, c in trials if m == "g6.xlarge") > max(c for m, c in trials[1:] if m == "g6e.xlarge")
    # An 8B model on one CPU core would need more than the 1,000-replica limit even fully busy: only the
    # board as it is runs on it, beside the GPU machines.
    cpu = instance_trials({**config, "instance": "c6i.xlarge", "precision": "int4"}, 1, rps=20, prompt=400, output=100)
    assert [t for t in cpu if t[0] == "c6i.xlarge"] == [("c6i.xlarge", 1)] and len(cpu) > 1
    # Two GPUs per replica rule out the one-GPU machines.
    two = instance_trials({**config, "tensor_parallel": 2, "instance": "g6e.12xlarge"}, 1, rps=20, prompt=400, output=100)
    assert {m for m, _ in two} <= {"g5.12xlarge", "g6e.12xlarge", "p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge"}
