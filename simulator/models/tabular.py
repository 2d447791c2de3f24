"""Tabular catalog models: ad click prediction and ranking, each with a big and a distilled variant."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression

from simulator.models.trained import Trained, click_quality, ndcg_at_10, rows_cutter, timed_fit

BIG_TREES = 300
DISTILLED_TREES = 30


class Workshop(Protocol):
    seed: int

    def data(self, name: str) -> Any: ...

    def model(self, model_id: str) -> Trained: ...


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _click_baseline(y_train: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    """Every impression gets the training click rate: no ranking skill at all."""
    return click_quality(y_test, np.full(len(y_test), y_train.mean()))


def ctr_logreg(shop: Workshop) -> Trained:
    """Logistic regression on hashed one-hot fields and two crosses."""
    d = shop.data("ctr")
    model = LogisticRegression(C=0.3, max_iter=300)
    _, seconds = timed_fit(lambda: model.fit(d.hashed_train, d.y_train))

    def predict(x: Any) -> np.ndarray:
        return model.predict_proba(x)[:, 1]
    return Trained(predict, rows_cutter(d.hashed_test), click_quality(d.y_test, predict(d.hashed_test)),
                   _click_baseline(d.y_train, d.y_test), d.hashed_train.shape[0], seconds, model)


def ctr_gbdt(shop: Workshop) -> Trained:
    """Gradient-boosted trees (300) on the field codes (as ordinal numbers) and engagement numbers;
    a low learning rate and large leaves keep them from memorising the few clicks."""
    d = shop.data("ctr")
    model = HistGradientBoostingClassifier(max_iter=BIG_TREES, learning_rate=0.02, max_leaf_nodes=7,
                                           min_samples_leaf=300, l2_regularization=10.0,
                                           early_stopping=False,
                                           random_state=shop.seed)
    _, seconds = timed_fit(lambda: model.fit(d.dense_train, d.y_train))

    def predict(x: np.ndarray) -> np.ndarray:
        return model.predict_proba(x)[:, 1]
    return Trained(predict, rows_cutter(d.dense_test), click_quality(d.y_test, predict(d.dense_test)),
                   _click_baseline(d.y_train, d.y_test), len(d.dense_train), seconds, model)


def ctr_gbdt_distilled(shop: Workshop) -> Trained:
    """30 trees fitted to the 300-tree model's log-odds on the training rows (distillation)."""
    d = shop.data("ctr")
    teacher = shop.model("ctr_gbdt").artefact
    target = teacher.decision_function(d.dense_train)
    model = HistGradientBoostingRegressor(max_iter=DISTILLED_TREES, learning_rate=0.1, max_leaf_nodes=7,
                                          early_stopping=False,
                                          random_state=shop.seed)
    _, seconds = timed_fit(lambda: model.fit(d.dense_train, target))

    def predict(x: np.ndarray) -> np.ndarray:
        return _sigmoid(model.predict(x))
    return Trained(predict, rows_cutter(d.dense_test), click_quality(d.y_test, predict(d.dense_test)),
                   _click_baseline(d.y_train, d.y_test), len(d.dense_train), seconds, model)


def _ranking_baseline(shop: Workshop, d: Any) -> dict[str, float]:
    """Candidates left in random order."""
    scores = np.random.default_rng(shop.seed).random(len(d.y_test))
    return {"ndcg_at_10": ndcg_at_10(d.y_test, scores, d.group_size)}


def ranking_gbdt(shop: Workshop) -> Trained:
    """Pointwise gradient-boosted trees (300) scoring each candidate's relevance grade."""
    d = shop.data("ranking")
    model = HistGradientBoostingRegressor(max_iter=BIG_TREES, learning_rate=0.05, max_leaf_nodes=31,
                                          early_stopping=False, random_state=shop.seed)
    _, seconds = timed_fit(lambda: model.fit(d.x_train, d.y_train))
    quality = {"ndcg_at_10": ndcg_at_10(d.y_test, model.predict(d.x_test), d.group_size)}
    return Trained(model.predict, rows_cutter(d.x_test), quality, _ranking_baseline(shop, d),
                   len(d.x_train), seconds, model)


def ranking_gbdt_distilled(shop: Workshop) -> Trained:
    """30 trees fitted to the 300-tree ranker's scores (distillation)."""
    d = shop.data("ranking")
    teacher = shop.model("ranking_gbdt").artefact
    target = teacher.predict(d.x_train)
    model = HistGradientBoostingRegressor(max_iter=DISTILLED_TREES, learning_rate=0.2, max_leaf_nodes=31,
                                          early_stopping=False, random_state=shop.seed)
    _, seconds = timed_fit(lambda: model.fit(d.x_train, target))
    quality = {"ndcg_at_10": ndcg_at_10(d.y_test, model.predict(d.x_test), d.group_size)}
    return Trained(model.predict, rows_cutter(d.x_test), quality, _ranking_baseline(shop, d),
                   len(d.x_train), seconds, model)
