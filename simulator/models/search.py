"""Retrieval catalog models: embedding dot-product top-k and k-NN visual search over digit images."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.neighbors import NearestNeighbors

from simulator.models.tabular import Workshop
from simulator.models.trained import Trained, recall_at_k, rows_cutter, timed_fit

TOP_K = 10
EMBEDDING_DIM = 32
IMAGE_EMBEDDING_DIM = 16
HELD_OUT_DIGITS = 300  # originals (with all their shifted copies) kept out of the index as queries
INDEX_SIZES = (1000, 4000)  # then the whole index


def retrieval_dot(shop: Workshop) -> Trained:
    """Users and items embedded by a truncated SVD of the interaction matrix; top-10 by dot product,
    skipping items the user already has."""
    d = shop.data("interactions")
    svd = TruncatedSVD(EMBEDDING_DIM, random_state=shop.seed)
    users, seconds = timed_fit(lambda: svd.fit_transform(d.train))
    items = np.ascontiguousarray(svd.components_.T, dtype=np.float32)
    users = users.astype(np.float32)
    seen = d.train

    def predict(user_ids: np.ndarray) -> np.ndarray:
        scores = users[user_ids] @ items.T
        rows, cols = seen[user_ids].nonzero()
        scores[rows, cols] = -np.inf
        top = np.argpartition(-scores, TOP_K, axis=1)[:, :TOP_K]
        return top

    all_users = np.arange(seen.shape[0])
    popular = np.argsort(-np.asarray(seen.sum(axis=0)).ravel())
    baseline = [np.setdiff1d(popular[:TOP_K + 30], seen[u].indices)[:TOP_K] for u in all_users]
    return Trained(predict, rows_cutter(all_users),
                   {"recall_at_10": recall_at_k(predict(all_users), d.held_out)},
                   {"recall_at_10": recall_at_k(np.array(baseline), d.held_out)},
                   seen.shape[0], seconds, (users, items), {"items": seen.shape[1]})


def _digit_split(shop: Workshop) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(index images, index labels, query images, query labels): queries are unshifted held-out digits."""
    images, labels = shop.data("digits")
    originals = len(images) // 9
    base = np.arange(len(images)) % originals
    held = np.random.default_rng(shop.seed).choice(originals, HELD_OUT_DIGITS, replace=False)
    in_index = ~np.isin(base, held)
    return images[in_index], labels[in_index], images[held], labels[held]


def _visual(shop: Workshop, algorithm: str) -> Trained:
    index, index_labels, queries, query_labels = _digit_split(shop)
    rng = np.random.default_rng(shop.seed)
    order = rng.permutation(len(index))
    index, index_labels = index[order], index_labels[order]

    def fit(images: np.ndarray) -> tuple[PCA, NearestNeighbors]:
        pca = PCA(IMAGE_EMBEDDING_DIM, random_state=shop.seed).fit(images)
        knn = NearestNeighbors(n_neighbors=TOP_K, algorithm=algorithm).fit(pca.transform(images))
        return pca, knn

    (pca, knn), seconds = timed_fit(lambda: fit(index))

    def predict(batch: np.ndarray) -> np.ndarray:
        return knn.kneighbors(pca.transform(batch), return_distance=False)

    found = predict(queries)
    exact = NearestNeighbors(n_neighbors=TOP_K, algorithm="brute").fit(index)
    truth = list(exact.kneighbors(queries, return_distance=False))
    random_found = np.array([rng.choice(len(index), TOP_K, replace=False) for _ in queries])
    quality = {"recall_at_10": recall_at_k(found, truth),
               "label_precision_at_10": float((index_labels[found] == query_labels[:, None]).mean())}
    baseline = {"recall_at_10": recall_at_k(random_found, truth),
                "label_precision_at_10": float((index_labels[random_found] == query_labels[:, None]).mean())}

    def growth() -> dict[str, dict[str, float]]:
        """Median predict ms at batch 1 and 64 as the index grows (PCA refitted per size)."""
        out = {}
        for size in [s for s in INDEX_SIZES if s < len(index)] + [len(index)]:
            small_pca, small_knn = fit(index[:size])
            row = {}
            for batch_size in (1, 64):
                batch = queries[:batch_size]
                times = []
                for _ in range(20):
                    start = time.perf_counter()
                    small_knn.kneighbors(small_pca.transform(batch), return_distance=False)
                    times.append((time.perf_counter() - start) * 1000)
                row[f"p50_ms_batch_{batch_size}"] = float(np.median(times))
            out[str(size)] = row
        return out

    return Trained(predict, rows_cutter(queries), quality, baseline, len(index), seconds, (pca, knn),
                   {"index_size": len(index), "index_growth": growth})


def visual_knn_brute(shop: Workshop) -> Trained:
    """Exact k-NN by brute force over 16-d PCA embeddings of the digit images."""
    return _visual(shop, "brute")


def visual_knn_tree(shop: Workshop) -> Trained:
    """Exact k-NN through a k-d tree over the same embeddings: same answers, other timings."""
    return _visual(shop, "kd_tree")


