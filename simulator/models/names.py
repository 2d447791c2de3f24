"""Ids of the catalog's models, importable without scikit-learn (the board catalog lists them)."""

MODEL_IDS = (
    "ctr_logreg",
    "ctr_gbdt",
    "ctr_gbdt_distilled",
    "ranking_gbdt",
    "ranking_gbdt_distilled",
    "retrieval_dot",
    "visual_knn_brute",
    "visual_knn_tree",
    "harmful_text_linear",
)
DEFAULT_MODEL = "ctr_logreg"
# Raise when a model, its data or its settings change, so cached profiles of the old ones are rebuilt.
CATALOG_VERSION = 4
