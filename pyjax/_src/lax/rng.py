"""XLA's random number primitives: `rng_bit_generator` (stateless, functional) and
`rng_uniform` (stateful).

`rng_bit_generator(key, shape, dtype, algorithm)` reproduces XLA's bits exactly.  The key is
a 128-bit state, four uint32 words [k0, k1, c0, c1] (or two uint64 words).  For
RNG_DEFAULT (Philox on the CPU) and RNG_PHILOX, block i of four words is
Philox4x32-10 with key (k0, k1) applied to the 128-bit counter (c + i, k0, k1), where
c = c0 | c1 << 32; RNG_THREE_FRY's call i is threefry2x32 with key (k0, k1) on the
counter (c + i) as (low word, high word), two words per call.  Words come out block
after block; 8- and 16-bit results keep the low bits of a word, 64-bit ones join two
consecutive words (low first).  The returned key is the input with c advanced by the
number of blocks (calls).

`rng_uniform(a, b, shape)` is stateful: XLA draws from a per-process generator whose
stream pyjax does not reproduce; here a process-wide NumPy generator (fixed seed) gives
values uniform in [a, b).
"""
import enum
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import defzero
from pyjax._src.interpreters.batching import moveaxis


def _L():
    from pyjax._src.lax import lax
    return lax


class RandomAlgorithm(enum.IntEnum):
    """XLA's bit generator algorithms (RNG_DEFAULT is Philox on the CPU)."""
    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2

    def __str__(self):
        return self.name


_PHILOX_M = (np.uint64(0xD2511F53), np.uint64(0xCD9E8D57))
_PHILOX_W = (np.uint64(0x9E3779B9), np.uint64(0xBB67AE85))
_M32 = np.uint64(0xFFFFFFFF)


def _philox4x32(c, k0, k1):
    """Philox4x32-10 on counters c (4 arrays of 32-bit values held as uint64) and key words."""
    c0, c1, c2, c3 = c
    for _ in range(10):
        p0, p1 = _PHILOX_M[0] * c0, _PHILOX_M[1] * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ k0, p1 & _M32,
                          (p0 >> np.uint64(32)) ^ c3 ^ k1, p0 & _M32)
        k0, k1 = (k0 + _PHILOX_W[0]) & _M32, (k1 + _PHILOX_W[1]) & _M32
    return [c0, c1, c2, c3]


def _words(key):
    """A key (..., 4) uint32 or (..., 2) uint64 as four uint64 arrays of 32-bit words."""
    key = np.asarray(key)
    if key.dtype == np.uint64:
        lo, hi = key[..., 0], key[..., 1]
        return [lo & _M32, lo >> np.uint64(32), hi & _M32, hi >> np.uint64(32)]
    return [key[..., i].astype(np.uint64) for i in range(4)]


def _threefry_split_dim(shape):
    """The dimension XLA's ThreeFry pairs along: the one whose halving (rounded up) leaves
    the fewest calls (an even dimension if any, else the largest; the first on ties)."""
    total = int(np.prod(shape, dtype=np.int64))
    sizes = [total // n * -(-n // 2) if n else 0 for n in shape]
    return int(np.argmin(sizes))


def _threefry_words(k0, k1, counter, shape, wide):
    """uint32 words for an output of `shape` and the number of threefry2x32 calls.  For
    64-bit outputs, call i gives element i (low word first).  Otherwise calls are laid out
    on `shape` with the split dimension halved; each call's two words fill two
    neighbouring positions along that dimension."""
    from pyjax._src.prng import threefry2x32_numpy
    shape = tuple(shape) or (1,)
    d = _threefry_split_dim(shape)
    half = (int(np.prod(shape, dtype=np.int64)),) if wide else \
        shape[:d] + (-(-shape[d] // 2),) + shape[d + 1:]
    calls = int(np.prod(half, dtype=np.int64))
    ctr = np.arange(calls, dtype=np.uint64) + np.uint64(counter)  # wraps mod 2**64
    o1, o2 = threefry2x32_numpy(np.full(calls, k0, np.uint32), np.full(calls, k1, np.uint32),
                                (ctr & _M32).astype(np.uint32),
                                (ctr >> np.uint64(32)).astype(np.uint32))
    if wide:
        return np.stack([np.asarray(o1), np.asarray(o2)], axis=1), calls
    pairs = np.stack([np.asarray(o1).reshape(half), np.asarray(o2).reshape(half)], axis=d + 1)
    merged = pairs.reshape(shape[:d] + (2 * half[d],) + shape[d + 1:])
    return np.take(merged, np.arange(shape[d]), axis=d), calls


def _philox_words(k0, k1, counter, n_words):
    """n_words uint32 words (flat) and the number of Philox blocks of four words."""
    blocks = -(-n_words // 4)
    # The 128-bit counter is (c, k0 | k1 << 32): past 2**64, c carries into the key words.
    lo = np.arange(blocks, dtype=np.uint64) + np.uint64(counter)  # wraps mod 2**64
    carry = (lo < np.uint64(counter)).astype(np.uint64)
    hi = (np.uint64(int(k0) | int(k1) << 32) + carry)
    full = [lo & _M32, lo >> np.uint64(32), hi & _M32, hi >> np.uint64(32)]
    out = np.stack(_philox4x32(full, k0, k1), axis=1).reshape(-1)
    return out[:n_words], blocks


def _rbg_impl(key, shape, dtype, algorithm):
    key = np.asarray(key)
    batch = key.shape[:-1]
    n = int(np.prod(shape, dtype=np.int64))
    bits = np.dtype(dtype).itemsize * 8
    n_words = 2 * n if bits == 64 else n
    keys_out, outs = [], []
    for idx in np.ndindex(*batch):
        words = [w[idx] for w in _words(key)]
        start = int(words[2]) | int(words[3]) << 32
        if algorithm == RandomAlgorithm.RNG_THREE_FRY:
            w, blocks = _threefry_words(words[0], words[1], start, shape, bits == 64)
        else:
            w, blocks = _philox_words(words[0], words[1], start, n_words)
        w = w.reshape(-1).astype(np.uint64)
        if bits == 64:
            vals = w[0::2] | (w[1::2] << np.uint64(32))
        else:
            vals = w
        outs.append(vals.astype(dtype).reshape(shape))
        counter = start + blocks
        new = key[idx].copy()
        if key.dtype == np.uint64:
            new[1] = np.uint64(counter & 0xFFFFFFFFFFFFFFFF)
        else:
            new[2], new[3] = counter & 0xFFFFFFFF, (counter >> 32) & 0xFFFFFFFF
        keys_out.append(new)
    out_bits = np.stack(outs).reshape(batch + tuple(shape)) if outs else \
        np.zeros(batch + tuple(shape), dtype)
    out_key = np.stack(keys_out).reshape(key.shape) if keys_out else key.copy()
    return [out_key, out_bits]


_KEY_TYPES = {(4, np.dtype(np.uint32)), (2, np.dtype(np.uint64))}
_BIT_DTYPES = {np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64)}


def _rbg_abstract(key, shape, dtype, algorithm):
    if not key.ndim or (key.shape[-1], key.dtype) not in _KEY_TYPES:
        raise TypeError(f"rng_bit_generator: the key must be a uint32[4] (or uint64[2]) array, "
                        f"got {key.str_short()}")
    return [(key.shape, key.dtype), (key.shape[:-1] + tuple(shape), np.dtype(dtype))]


def _rbg_batch(vals, dims, shape, dtype, algorithm):
    # The impl takes leading batch dimensions of the key: one independent stream per key.
    key = moveaxis(vals[0], dims[0], 0)
    return rng_bit_generator_p.bind(key, shape=shape, dtype=dtype, algorithm=algorithm), [0, 0]


rng_bit_generator_p = Primitive("rng_bit_generator", multiple_results=True)
register(rng_bit_generator_p, impl=_rbg_impl, abstract_eval=_rbg_abstract,
         weak_type=lambda w, **_: [False, False], batch=_rbg_batch)
defzero(rng_bit_generator_p)


def rng_bit_generator(key, shape, dtype=np.uint32, algorithm=RandomAlgorithm.RNG_DEFAULT, *,
                      out_sharding=None):
    """(new key, random bits of `shape` and unsigned `dtype`) from a uint32[4] key, with XLA's
    algorithms (see the module docstring)."""
    L = _L()
    shape = L.canonicalize_shape(shape)
    dtype = dtypes.canonicalize_dtype(dtype)
    if np.dtype(dtype) not in _BIT_DTYPES:
        raise TypeError(f"rng_bit_generator: unsupported dtype {np.dtype(dtype)}")
    key = L.asarray(key)
    aval = get_aval(key)
    if aval.ndim != 1 or (aval.shape[0], aval.dtype) not in _KEY_TYPES:
        raise TypeError(f"rng_bit_generator: the key must be a uint32[4] (or uint64[2]) array, "
                        f"got {aval.str_short()}")
    algorithm = RandomAlgorithm(operator.index(algorithm))
    return tuple(rng_bit_generator_p.bind(key, shape=shape, dtype=np.dtype(dtype),
                                          algorithm=algorithm))


# --- rng_uniform --------------------------------------------------------------

_uniform_state = np.random.default_rng(0)


def _rng_uniform_impl(a, b, shape):
    a, b = np.asarray(a), np.asarray(b)
    dt = a.dtype
    if np.issubdtype(dt, np.integer):
        if b <= a:
            return np.full(shape, a, dt)
        return _uniform_state.integers(int(a), int(b), size=shape).astype(dt)
    lo, hi = float(a), float(b)
    out = (lo + (hi - lo) * _uniform_state.random(size=shape)).astype(dt)
    if hi > lo:
        # Rounding to a narrow dtype can reach b; the interval is half-open.
        below = np.nextafter(np.asarray(hi, dt), np.asarray(-np.inf, dt))
        out = np.minimum(out, below)
    return out


def _rng_uniform_abstract(a, b, shape):
    if a.dtype != b.dtype:
        raise ValueError(f"Arguments to rng_uniform must have identical dtypes, got "
                         f"{a.dtype} and {b.dtype}.")
    if a.shape or b.shape:
        raise ValueError(f"Arguments to rng_uniform must be scalars; got shapes {a.shape} and "
                         f"{b.shape}.")
    if not (dtypes.issubdtype(a.dtype, np.floating) or dtypes.issubdtype(a.dtype, np.integer)):
        raise TypeError(f"rng_uniform: arguments must be floating-point or integer, got {a.dtype}")
    return tuple(shape), a.dtype


def _rng_uniform_batch(vals, dims, shape):
    # Batched bounds: one draw per batch element.
    L = _L()
    size = get_aval(vals[0] if dims[0] is not None else vals[1]).shape[
        dims[0] if dims[0] is not None else dims[1]]
    outs = []
    for i in range(size):
        a, b = [v if d is None else L.index_in_dim(v, i, d, keepdims=False)
                for v, d in zip(vals, dims)]
        outs.append(rng_uniform_p.bind(a, b, shape=shape))
    return L.stack(outs), 0


rng_uniform_p = Primitive("rng_uniform")
register(rng_uniform_p, impl=_rng_uniform_impl, abstract_eval=_rng_uniform_abstract,
         batch=_rng_uniform_batch)
defzero(rng_uniform_p)


def rng_uniform(a, b, shape):
    """Values uniform in [a, b) of `shape`, from a stateful generator (a, b scalars of one
    floating-point or integer dtype)."""
    L = _L()
    a, b = L.asarray(a), L.asarray(b)
    core.abstract_eval_at_user_line(rng_uniform_p, [get_aval(a), get_aval(b)],
                                    {"shape": tuple(shape)})
    return rng_uniform_p.bind(a, b, shape=L.canonicalize_shape(shape))


__all__ = ["RandomAlgorithm", "rng_bit_generator", "rng_bit_generator_p", "rng_uniform",
           "rng_uniform_p"]
