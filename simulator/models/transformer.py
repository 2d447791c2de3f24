"""A small decoder-only transformer in NumPy with a KV cache: the LLM whose steps the profiles time.

The architecture is the one the larger model classes stand for (Llama 3: RMSNorm, rotary
positions, grouped-query attention, a SwiGLU feed-forward layer, embeddings tied to the output
head), at a size one CPU core runs in milliseconds a step. Weights are deterministic random
numbers: a forward pass costs the same whatever the values, and no weights are downloaded.

A serving step (`Transformer.step`) runs, like vLLM's scheduler with chunked prefill, the prompt
chunks of sequences being admitted and one decode token for every running sequence together: all
their rows go through the dense layers as one matrix; attention reads each sequence's own cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.models.roofline import Architecture

DTYPE = np.float32
QUERY_BLOCK = 256  # prefill attention runs over blocks of queries, so scores never fill memory


@dataclass(frozen=True)
class TransformerConfig(Architecture):
    """The architecture numbers (named as in a Hugging Face Llama config.json) and what running it
    needs besides: the longest context its rotary tables cover, and their constants."""

    tied_embeddings: bool = True
    max_context: int = 4096
    rope_theta: float = 10_000.0
    norm_eps: float = 1e-5


# About 34 M weights (134 MB in float32): well past the CPU's caches, so a decode step reads its
# weights from memory as a GPU's does, and a 2,048-token prompt takes a few seconds on one core.
REFERENCE = TransformerConfig(layers=8, hidden=512, heads=8, kv_heads=4, intermediate=1536, vocab=16384,
                              max_context=4096)
SEED = 20240601


class KVCache:
    """Keys and values of `rows` sequences, `capacity` positions each, with every row's length."""

    def __init__(self, config: TransformerConfig, rows: int, capacity: int,
                 storage: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """`storage`, two flat float32 arrays, lets caches of many shapes share one allocation
        (their leading part, so every cache is contiguous); new arrays are made otherwise."""
        shape = (config.layers, rows, config.kv_heads, capacity, config.head_dim)
        if storage is None:
            self.keys = np.zeros(shape, dtype=DTYPE)
            self.values = np.zeros(shape, dtype=DTYPE)
        else:
            size = int(np.prod(shape))
            if min(len(storage[0]), len(storage[1])) < size:
                raise ValueError(f"cache storage holds fewer than the {size} elements a {shape} cache needs")
            self.keys, self.values = (flat[:size].reshape(shape) for flat in storage)
        self.lengths = np.zeros(rows, dtype=np.int64)

    @property
    def rows(self) -> int:
        return self.keys.shape[1]

    @property
    def capacity(self) -> int:
        return self.keys.shape[3]

    def fill(self, length: int, rng: np.random.Generator) -> None:
        """Make every row hold `length` positions of arbitrary keys and values (a step reads them at
        the same cost whatever they are), without running the prompts that would have made them."""
        block = rng.standard_normal((self.keys.shape[2], min(length, 64), self.keys.shape[4])).astype(DTYPE)
        reps = -(-length // block.shape[1])
        tiled = np.tile(block, (1, reps, 1))[:, :length]
        self.keys[:, :, :, :length] = tiled
        self.values[:, :, :, :length] = tiled
        self.lengths[:] = length

    def nbytes(self) -> int:
        return self.keys.nbytes + self.values.nbytes


def _rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    scale = 1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    return x * scale * weight


def _softmax_inplace(scores: np.ndarray) -> np.ndarray:
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


class Transformer:
    """The model's weights and its forward pass over a KV cache."""

    def __init__(self, config: TransformerConfig = REFERENCE, seed: int = SEED) -> None:
        self.config = config
        rng = np.random.default_rng(seed)
        c, hd = config, config.head_dim

        def weight(rows: int, cols: int, std: float = 0.02) -> np.ndarray:
            return (rng.standard_normal((rows, cols), dtype=DTYPE) * DTYPE(std))

        out_std = 0.02 / np.sqrt(2 * c.layers)  # residual branches scaled down, as GPT-2 initialises them
        self.embed = weight(c.vocab, c.hidden)
        self.qkv = [weight(c.hidden, (c.heads + 2 * c.kv_heads) * hd) for _ in range(c.layers)]
        self.out = [weight(c.heads * hd, c.hidden, out_std) for _ in range(c.layers)]
        self.gate_up = [weight(c.hidden, 2 * c.intermediate) for _ in range(c.layers)]
        self.down = [weight(c.intermediate, c.hidden, out_std) for _ in range(c.layers)]
        self.attn_norm = [np.ones(c.hidden, dtype=DTYPE) for _ in range(c.layers)]
        self.mlp_norm = [np.ones(c.hidden, dtype=DTYPE) for _ in range(c.layers)]
        self.final_norm = np.ones(c.hidden, dtype=DTYPE)
        inv_freq = 1.0 / (c.rope_theta ** (np.arange(0, hd, 2, dtype=np.float64) / hd))
        angles = np.outer(np.arange(c.max_context, dtype=np.float64), inv_freq)
        self._cos, self._sin = np.cos(angles).astype(DTYPE), np.sin(angles).astype(DTYPE)

    def weight_bytes(self) -> int:
        arrays = [self.embed, *self.qkv, *self.out, *self.gate_up, *self.down]
        return sum(a.nbytes for a in arrays)

    def new_cache(self, rows: int, capacity: int, storage: tuple[np.ndarray, np.ndarray] | None = None) -> KVCache:
        if capacity > self.config.max_context:
            raise ValueError(f"capacity {capacity} is past the model's context of {self.config.max_context}")
        return KVCache(self.config, rows, capacity, storage)

    def _rope(self, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Rotary position embedding of x [rows, heads, head_dim] at one position per row."""
        cos, sin = self._cos[positions][:, None, :], self._sin[positions][:, None, :]
        first, second = x[..., 0::2], x[..., 1::2]
        rotated = np.empty_like(x)
        rotated[..., 0::2] = first * cos - second * sin
        rotated[..., 1::2] = first * sin + second * cos
        return rotated

    def _prefill_attention(self, layer: int, q: np.ndarray, cache: KVCache, start: int) -> np.ndarray:
        """Causal attention of q [P, n, heads, hd], the chunk at positions start.. of every cache
        row, over the row's keys up to each query; returns [P, n, heads * hd]."""
        c = self.config
        rows, n = q.shape[0], q.shape[1]
        group = c.heads // c.kv_heads
        # [P, kv_heads, group, n, hd]: the query heads sharing one key head side by side.
        q = q.reshape(rows, n, c.kv_heads, group, c.head_dim).transpose(0, 2, 3, 1, 4)
        out = np.empty_like(q)
        keys, values = cache.keys[layer, :rows], cache.values[layer, :rows]
        for lo in range(0, n, QUERY_BLOCK):
            hi = min(n, lo + QUERY_BLOCK)
            end = start + hi
            k = keys[:, :, None, :end]  # [P, kv_heads, 1, end, hd]
            scores = q[:, :, :, lo:hi] @ np.swapaxes(k, -1, -2)
            # Query i (absolute start + lo + i) sees keys up to itself.
            qpos = np.arange(start + lo, start + hi)[:, None]
            kpos = np.arange(start + lo, end)[None, :]
            scores[..., start + lo:end] += np.where(kpos > qpos, -np.inf, 0.0).astype(DTYPE)
            out[:, :, :, lo:hi] = _softmax_inplace(scores) @ values[:, :, None, :end]
        return out.transpose(0, 3, 1, 2, 4).reshape(rows, n, c.heads * c.head_dim)

    def _decode_attention(self, layer: int, q: np.ndarray, cache: KVCache) -> np.ndarray:
        """Attention of one new token per cache row (q [b, heads, hd]) over that row's keys."""
        c = self.config
        rows = q.shape[0]
        group = c.heads // c.kv_heads
        q = q.reshape(rows, c.kv_heads, group, c.head_dim)
        longest = int(cache.lengths[:rows].max()) + 1
        keys = cache.keys[layer, :rows, :, :longest]
        scores = q @ np.swapaxes(keys, -1, -2)  # [b, kv_heads, group, longest]
        lengths = cache.lengths[:rows] + 1
        if (lengths < longest).any():  # rows of different lengths: hide the positions a row does not have
            hidden = np.arange(longest)[None, :] >= lengths[:, None]
            scores += np.where(hidden, -np.inf, 0.0).astype(DTYPE)[:, None, None, :]
        return (_softmax_inplace(scores) @ cache.values[layer, :rows, :, :longest]).reshape(rows, -1)

    def step(self, prompt_tokens: np.ndarray | None = None, prompt_cache: KVCache | None = None,
             decode_tokens: np.ndarray | None = None, decode_cache: KVCache | None = None
             ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """One serving step: prompt chunks prompt_tokens [P, n] continuing rows 0..P-1 of
        prompt_cache (all at the same length), and one token decode_tokens [b] for each of rows
        0..b-1 of decode_cache. Writes their keys and values, advances the lengths, and returns the
        next-token logits of each prompt's last position [P, vocab] and of each decoded row [b, vocab].
        """
        c = self.config
        hd = c.head_dim
        has_prompt = prompt_tokens is not None and prompt_tokens.size > 0
        has_decode = decode_tokens is not None and decode_tokens.size > 0
        if not (has_prompt or has_decode):
            raise ValueError("a step needs prompt tokens, decode tokens or both")
        pieces, positions = [], []
        rows_p = n = start = 0
        if has_prompt:
            rows_p, n = prompt_tokens.shape
            start = int(prompt_cache.lengths[0])
            if (prompt_cache.lengths[:rows_p] != start).any():
                raise ValueError("the prompt chunks of one step must continue rows of equal length")
            if start + n > prompt_cache.capacity:
                raise ValueError(f"prompt cache holds {prompt_cache.capacity} positions, the chunk needs {start + n}")
            pieces.append(prompt_tokens.reshape(-1))
            positions.append(np.tile(np.arange(start, start + n), rows_p))
        rows_d = 0
        if has_decode:
            rows_d = decode_tokens.shape[0]
            if int(decode_cache.lengths[:rows_d].max()) >= decode_cache.capacity:
                raise ValueError("a decoded row's cache is full")
            pieces.append(decode_tokens)
            positions.append(decode_cache.lengths[:rows_d])
        split = rows_p * n
        pos = np.concatenate(positions)
        x = self.embed[np.concatenate(pieces)]
        decode_rows = np.arange(rows_d)
        for layer in range(c.layers):
            h = _rms_norm(x, self.attn_norm[layer], c.norm_eps)
            qkv = h @ self.qkv[layer]
            q = qkv[:, :c.heads * hd].reshape(-1, c.heads, hd)
            k = qkv[:, c.heads * hd:(c.heads + c.kv_heads) * hd].reshape(-1, c.kv_heads, hd)
            v = qkv[:, (c.heads + c.kv_heads) * hd:].reshape(-1, c.kv_heads, hd)
            q = self._rope(q, pos) * DTYPE(1.0 / np.sqrt(hd))
            k = self._rope(k, pos)
            attended = []
            if has_prompt:
                kp = k[:split].reshape(rows_p, n, c.kv_heads, hd).transpose(0, 2, 1, 3)
                vp = v[:split].reshape(rows_p, n, c.kv_heads, hd).transpose(0, 2, 1, 3)
                prompt_cache.keys[layer, :rows_p, :, start:start + n] = kp
                prompt_cache.values[layer, :rows_p, :, start:start + n] = vp
                attended.append(self._prefill_attention(layer, q[:split].reshape(rows_p, n, c.heads, hd),
                                                        prompt_cache, start).reshape(split, -1))
            if has_decode:
                at = decode_cache.lengths[:rows_d]
                decode_cache.keys[layer, decode_rows, :, at] = k[split:]
                decode_cache.values[layer, decode_rows, :, at] = v[split:]
                attended.append(self._decode_attention(layer, q[split:], decode_cache))
            x = x + (attended[0] if len(attended) == 1 else np.concatenate(attended)) @ self.out[layer]
            h = _rms_norm(x, self.mlp_norm[layer], c.norm_eps)
            gate, up = np.split(h @ self.gate_up[layer], 2, axis=-1)
            x = x + (gate / (1.0 + np.exp(-gate)) * up) @ self.down[layer]
        last = []
        if has_prompt:
            last.append(np.arange(rows_p) * n + n - 1)
            prompt_cache.lengths[:rows_p] += n
        if has_decode:
            last.append(split + decode_rows)
            decode_cache.lengths[:rows_d] += 1
        picked = np.concatenate(last)
        logits = _rms_norm(x[picked], self.final_norm, c.norm_eps) @ self.embed.T
        return (logits[:rows_p] if has_prompt else None), (logits[rows_p:] if has_decode else None)

    def generate(self, prompt: np.ndarray, new_tokens: int) -> np.ndarray:
        """Greedy continuation of one prompt: a prefill, then one decode step per new token."""
        cache = self.new_cache(1, len(prompt) + new_tokens)
        logits, _ = self.step(prompt_tokens=np.asarray(prompt)[None, :], prompt_cache=cache)
        produced = [int(logits[0].argmax())]
        for _ in range(new_tokens - 1):
            _, logits = self.step(decode_tokens=np.array(produced[-1:]), decode_cache=cache)
            produced.append(int(logits[0].argmax()))
        return np.array(produced)
