"""Seeded training data for the model catalog: generated here or shipped with scikit-learn.

Nothing is downloaded. Every generator takes a numpy Generator so the same seed gives the same
rows on every machine, and returns train and held-out splits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.feature_extraction import FeatureHasher

CTR_FIELDS = (("site", 400), ("ad", 2000), ("advertiser", 150), ("device", 6), ("hour", 24),
              ("country", 40), ("placement", 12), ("user_segment", 60))
CTR_HASH_FEATURES = 2 ** 18


@dataclass(frozen=True)
class CtrData:
    """Ad impressions: field codes plus engagement numbers (for trees), and the same as hashed
    sparse one-hots with crosses plus the numbers as columns (for linear models)."""

    dense_train: np.ndarray
    dense_test: np.ndarray
    hashed_train: sparse.csr_matrix
    hashed_test: sparse.csr_matrix
    y_train: np.ndarray
    y_test: np.ndarray


def _ctr_tokens(codes: np.ndarray) -> list[list[str]]:
    names = [name for name, _ in CTR_FIELDS]
    rows = []
    for row in codes:
        tokens = [f"{n}={v}" for n, v in zip(names, row)]
        # Crosses a linear model needs to see what trees find on their own.
        tokens += [f"ad_x_segment={row[1]}_{row[7]}", f"site_x_device={row[0]}_{row[3]}"]
        rows.append(tokens)
    return rows


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _intercept_for_rate(logit: np.ndarray, rate: float) -> float:
    """The shift that makes the mean click probability equal rate (bisection; the mean is monotone)."""
    low, high = -30.0, 30.0
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if _sigmoid(logit + mid).mean() < rate else (low, mid)
    return (low + high) / 2


def ctr_data(rng: np.random.Generator, n_train: int = 40_000, n_test: int = 20_000) -> CtrData:
    """Impressions whose click probability comes from field effects, one cross and non-linear
    engagement effects (user's past click rate, ad position, recency, ad novelty); about 1% click."""
    n = n_train + n_test
    codes = np.column_stack([rng.zipf(1.3, n) % size for _, size in CTR_FIELDS]).astype(np.int32)
    effects = [rng.normal(0, 0.4, size) for _, size in CTR_FIELDS]
    logit = sum(effect[codes[:, j]] for j, effect in enumerate(effects))
    cross_ad_segment = rng.normal(0, 0.5, (CTR_FIELDS[1][1], CTR_FIELDS[7][1]))
    logit = logit + cross_ad_segment[codes[:, 1], codes[:, 7]]
    user_ctr = rng.beta(1.0, 30.0, n)
    position = rng.integers(1, 11, n).astype(np.float64)
    hours_since_click = rng.exponential(48.0, n)
    ad_age_days = rng.uniform(0.0, 60.0, n)
    logit = (logit + 1.2 * np.log(user_ctr / 0.03 + 0.05) + np.where(position <= 3, -0.3 * position, -1.6)
             + 1.2 * (hours_since_click < 6) + 1.0 * np.exp(-ad_age_days / 5.0))
    y = (rng.random(n) < _sigmoid(logit + _intercept_for_rate(logit, 0.01))).astype(np.int8)
    numbers = np.column_stack([user_ctr, position, hours_since_click, ad_age_days])
    dense = np.column_stack([codes, numbers])
    hashed = FeatureHasher(CTR_HASH_FEATURES, input_type="string", alternate_sign=False)
    scaled = (numbers - numbers.mean(axis=0)) / numbers.std(axis=0)
    matrix = sparse.hstack([hashed.transform(_ctr_tokens(codes)), sparse.csr_matrix(scaled)]).tocsr()
    return CtrData(dense[:n_train], dense[n_train:], matrix[:n_train], matrix[n_train:], y[:n_train], y[n_train:])


@dataclass(frozen=True)
class RankingData:
    """Query groups of candidate events or videos with graded relevance 0-4."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    group_size: int


def ranking_data(rng: np.random.Generator, queries_train: int = 600, queries_test: int = 300,
                 group_size: int = 20, n_features: int = 16) -> RankingData:
    """Relevance depends non-linearly on the features (thresholds and an interaction) plus noise."""
    def make(queries: int) -> tuple[np.ndarray, np.ndarray]:
        x = rng.normal(size=(queries * group_size, n_features))
        query_shift = np.repeat(rng.normal(0, 0.5, queries), group_size)
        score = (1.2 * x[:, 0] + 0.8 * np.tanh(2 * x[:, 1]) + 0.9 * x[:, 2] * x[:, 3]
                 + 0.7 * (x[:, 4] > 0.5) - 0.5 * x[:, 5] ** 2 + query_shift + rng.normal(0, 0.6, len(x)))
        grades = np.digitize(score, np.quantile(score, [0.5, 0.75, 0.9, 0.97])).astype(np.float64)
        return x, grades

    x_train, y_train = make(queries_train)
    x_test, y_test = make(queries_test)
    return RankingData(x_train, y_train, x_test, y_test, group_size)


@dataclass(frozen=True)
class InteractionData:
    """User-item interactions from a low-rank affinity: train matrix and held-out items per user."""

    train: sparse.csr_matrix
    held_out: list[np.ndarray]


def interaction_data(rng: np.random.Generator, users: int = 3000, items: int = 4000, rank: int = 16,
                     per_user: int = 30, held_out_share: float = 0.2) -> InteractionData:
    """Each user interacts with items drawn from a softmax of a rank-16 affinity plus item popularity."""
    u = rng.normal(size=(users, rank))
    v = rng.normal(size=(items, rank))
    popularity = rng.normal(0, 1.0, items)
    rows, cols, held = [], [], []
    for user in range(users):
        logits = (v @ u[user]) / np.sqrt(rank) * 2.5 + popularity
        p = np.exp(logits - logits.max())
        chosen = rng.choice(items, per_user, replace=False, p=p / p.sum())
        cut = int(per_user * (1 - held_out_share))
        rows += [user] * cut
        cols += chosen[:cut].tolist()
        held.append(np.sort(chosen[cut:]))
    train = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(users, items))
    return InteractionData(train, held)


def digit_images(rng: np.random.Generator, copies: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 digits that ship with scikit-learn, grown by one-pixel shifts and pixel noise.

    The shifted copies let the index grow past the 1,797 originals so latency can be
    measured as the index grows; labels are kept for quality measures.
    """
    digits = load_digits()
    images = digits.images
    shifts = [(0, 0), (0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1)][:copies]
    out, labels = [], []
    for dy, dx in shifts:
        moved = np.roll(np.roll(images, dy, axis=1), dx, axis=2)
        out.append(moved.reshape(len(images), -1) + rng.normal(0, 0.5, (len(images), 64)))
        labels.append(digits.target)
    return np.vstack(out).astype(np.float32), np.concatenate(labels)


HARMFUL_WORDS = ("kill", "attack", "hate", "threat", "destroy", "hurt", "scam", "burn", "shoot", "abuse")
CONTEXT_WORDS = ("game", "movie", "recipe", "novel", "match", "history", "lyrics", "tutorial")
_SYLLABLES = ("ka", "lo", "mi", "re", "su", "ta", "ne", "po", "vi", "da", "fe", "gu", "zo", "ri", "ba")


@dataclass(frozen=True)
class TextData:
    """Short posts with a harmful (1) or acceptable (0) label."""

    train: list[str]
    y_train: np.ndarray
    test: list[str]
    y_test: np.ndarray


def text_data(rng: np.random.Generator, n_train: int = 8000, n_test: int = 4000,
              label_noise: float = 0.03) -> TextData:
    """Posts of neutral words; a post is harmful when it holds a harmful word aimed at a person
    ("you", "them") and no context word (a game, a movie...) excuses it; 3% of labels are flipped."""
    vocab = np.array(["".join(rng.choice(_SYLLABLES, 3)) for _ in range(1500)])
    targets = np.array(["you", "them", "him", "her"])

    def make(n: int) -> tuple[list[str], np.ndarray]:
        posts, labels = [], np.zeros(n, np.int8)
        for i in range(n):
            words = list(rng.choice(vocab, rng.integers(8, 25)))
            harmful = rng.random() < 0.25
            context = rng.random() < 0.35
            aimed = rng.random() < 0.7
            if harmful:
                words.insert(int(rng.integers(len(words))), str(rng.choice(HARMFUL_WORDS)))
            if aimed:
                words.insert(int(rng.integers(len(words))), str(rng.choice(targets)))
            if context:
                words.insert(int(rng.integers(len(words))), str(rng.choice(CONTEXT_WORDS)))
            label = harmful and aimed and not context
            labels[i] = label != (rng.random() < label_noise)
            posts.append(" ".join(words))
        return posts, labels

    train, y_train = make(n_train)
    test, y_test = make(n_test)
    return TextData(train, y_train, test, y_test)
