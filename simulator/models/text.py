"""Harmful content detection: hashed word and bigram features with a logistic regression."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score
from sklearn.pipeline import make_pipeline

from simulator.models.tabular import Workshop
from simulator.models.trained import Trained, rows_cutter, timed_fit

THRESHOLD = 0.5


def _at_threshold(y: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    precision = precision_score(y, flagged, zero_division=0.0)
    recall = recall_score(y, flagged, zero_division=0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision_at_0_5": float(precision), "recall_at_0_5": float(recall), "f1_at_0_5": float(f1)}


def harmful_text_linear(shop: Workshop) -> Trained:
    """Raw post text in, probability of harmful out; vectorising is part of every predict call."""
    d = shop.data("text")
    model = make_pipeline(HashingVectorizer(n_features=2 ** 18, ngram_range=(1, 2), alternate_sign=False),
                          LogisticRegression(C=20.0, max_iter=1000))
    _, seconds = timed_fit(lambda: model.fit(d.train, d.y_train))

    def predict(posts: list[str]) -> np.ndarray:
        return model.predict_proba(posts)[:, 1]

    quality = _at_threshold(d.y_test, predict(d.test) >= THRESHOLD)
    # Trivial baseline: flag every post (recall 1, precision = share of harmful posts).
    baseline = _at_threshold(d.y_test, np.ones(len(d.y_test), bool))
    return Trained(predict, rows_cutter(d.test), quality, baseline, len(d.train), seconds, model)
