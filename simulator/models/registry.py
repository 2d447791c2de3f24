"""The model catalog: which real small models exist, what case study each serves, how each is trained."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from threadpoolctl import threadpool_limits

from simulator.models import datasets, search, tabular, text
from simulator.models.trained import Trained

SEED = 20240601


@dataclass(frozen=True)
class ModelSpec:
    id: str
    title: str
    case_study: str
    family: str  # linear, trees, knn or embedding: picks the GPU speed-up estimate
    train: Callable[["Workshop"], Trained]
    distilled_from: str | None = None

    @property
    def description(self) -> str:
        return (self.train.__doc__ or "").strip()


MODELS: dict[str, ModelSpec] = {spec.id: spec for spec in (
    ModelSpec("ctr_logreg", "CTR logistic regression (hashed features)", "ad click prediction", "linear",
              tabular.ctr_logreg),
    ModelSpec("ctr_gbdt", "CTR gradient-boosted trees (300)", "ad click prediction", "trees", tabular.ctr_gbdt),
    ModelSpec("ctr_gbdt_distilled", "CTR trees distilled (30)", "ad click prediction", "trees",
              tabular.ctr_gbdt_distilled, distilled_from="ctr_gbdt"),
    ModelSpec("ranking_gbdt", "Ranking gradient-boosted trees (300)", "event and video recommendation", "trees",
              tabular.ranking_gbdt),
    ModelSpec("ranking_gbdt_distilled", "Ranking trees distilled (30)", "event and video recommendation",
              "trees", tabular.ranking_gbdt_distilled, distilled_from="ranking_gbdt"),
    ModelSpec("retrieval_dot", "Embedding retrieval, dot-product top-10", "video recommendation", "embedding",
              search.retrieval_dot),
    ModelSpec("visual_knn_brute", "Visual search k-NN, brute force", "visual search", "knn",
              search.visual_knn_brute),
    ModelSpec("visual_knn_tree", "Visual search k-NN, k-d tree index", "visual search", "knn",
              search.visual_knn_tree),
    ModelSpec("harmful_text_linear", "Harmful content text classifier", "harmful content detection", "linear",
              text.harmful_text_linear),
)}

_DATA: dict[str, Callable[[np.random.Generator], Any]] = {
    "ctr": datasets.ctr_data,
    "ranking": datasets.ranking_data,
    "interactions": datasets.interaction_data,
    "digits": datasets.digit_images,
    "text": datasets.text_data,
}


def model_ids() -> list[str]:
    return list(MODELS)


class Workshop:
    """Trains catalog models once each, sharing data sets and teachers between them."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self._data: dict[str, Any] = {}
        self._models: dict[str, Trained] = {}

    def data(self, name: str) -> Any:
        if name not in self._data:
            # Each data set has its own stream derived from the seed and its name, so training
            # a subset of the catalog gives the same data as training all of it.
            self._data[name] = _DATA[name](np.random.default_rng([self.seed, sorted(_DATA).index(name)]))
        return self._data[name]

    def model(self, model_id: str) -> Trained:
        if model_id not in self._models:
            # One thread, as one model-server replica with concurrency 1 runs; it also keeps
            # OpenMP from spinning against other work on a shared machine.
            with threadpool_limits(limits=1):
                self._models[model_id] = MODELS[model_id].train(self)
        return self._models[model_id]
