"""pyjax.random: JAX's counter-based PRNG API, bit-for-bit with JAX's default generator.

(The other distributions live in random_distributions.py, the XLA-identical arithmetic
they share in random_math.py, and the samplers that need matrix factorisations in
random_linalg.py.)

Keys are threefry2x32 keys: either legacy ``uint32[..., 2]`` arrays (`PRNGKey`) or
typed key arrays (`key`), a pytree whose one child is that same uint32 data, so
keys flow through jit, vmap and tree_map.  Every sampler is written with lax
operations (and the `threefry2x32` and `fma` primitives of pyjax._src.prng), so
it traces under jit and batches under vmap (e.g. over a batch of split keys).

How bits are derived (JAX 0.10.2, `jax_threefry_partitionable=True`, the default):

* ``split(key, shape)`` and ``bits(key, shape)`` hash the counters
  ``iota(prod(shape)).reshape(shape)`` as 64-bit values split in (hi, lo) words;
  `split` keeps both output words as the new key, 32-bit `bits` xor them,
  64-bit `bits` join them (hi << 32 | lo), 8/16-bit `bits` truncate the xor.
* With the flag off, a flat counter ``iota(n)`` is cut in two halves that are
  hashed as pairs and concatenated (and 8/16/64-bit values are carved out of
  the 32-bit words).  `fold_in` always hashes the pair (0, data) that way.

The floating-point samplers reproduce the arithmetic XLA:CPU performs, which is
what JAX's numbers are: a multiply feeding an add is contracted to one fused
multiply-add (so ``uniform``'s ``u * (max - min) + min`` is an fma), and
``erf_inv`` / ``log`` / ``log1p`` follow XLA's polynomial expansions (with their
fmas).  bfloat16 arithmetic is rounded after every operation, as XLA does it.
"""
import operator
from collections.abc import Sequence

import numpy as np

from pyjax._src import core, dtypes, tree_util
from pyjax._src.config import config
from pyjax._src.lax import lax
from pyjax._src.lax.sorting import sort_p
from pyjax._src.prng import fma_p, host_has_fp16_arithmetic, libm_log_p, threefry2x32_p

_U32 = np.dtype(np.uint32)
_IMPL_NAME = "threefry2x32"
_UINT_DTYPES = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: np.dtype(np.uint32),
                64: np.dtype(np.uint64)}


# ---------------------------------------------------------------------------
# Key types


class prng_key(dtypes.extended):
    """Scalar type of PRNG key dtypes: ``dtypes.issubdtype(k.dtype, prng_key)``."""


class PRNGKeyDtype(dtypes.ExtendedDType):
    """The dtype of typed key arrays, printed like JAX's: ``key<fry>``."""
    type = prng_key

    def __init__(self, impl=_IMPL_NAME):
        self._impl = impl

    @property
    def name(self):
        return "key<fry>"

    itemsize = 8
    kind = "V"

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return type(other) is PRNGKeyDtype and other._impl == self._impl

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((PRNGKeyDtype, self._impl))


class PRNGKeyArray:
    """An array of threefry2x32 keys: shape ``shape``, backed by ``uint32[*shape, 2]`` data.

    A pytree node whose only child is the key data, so jit/vmap/tree_map see a
    uint32 array.  Supports indexing, reshape, len, iteration and ``==``.
    """
    __slots__ = ("_base", "_impl")
    __array_priority__ = 100

    def __init__(self, impl, base):
        self._impl = impl
        self._base = base

    @property
    def dtype(self):
        return PRNGKeyDtype(self._impl)

    @property
    def shape(self):
        return tuple(self._base.shape[:-1])

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a 0-d key array)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d key array")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, idx):
        if not isinstance(idx, tuple):
            idx = (idx,)
        n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
        if n_real > self.ndim:
            raise IndexError(f"too many indices for key array: array is {self.ndim}-dimensional, "
                             f"but {n_real} were indexed")
        if any(i is Ellipsis for i in idx):
            idx = idx + (slice(None),)  # the Ellipsis must not swallow the key-data axis
        return PRNGKeyArray(self._impl, self._base[idx])

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = list(shape)
        if shape.count(-1) > 1:
            raise ValueError("can only specify one unknown dimension")
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
            shape[shape.index(-1)] = self.size // known if known else 0
        return PRNGKeyArray(self._impl, lax.reshape(self._base, tuple(shape) + (2,)))

    def ravel(self):
        return self.reshape((self.size,))

    flatten = ravel

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        axes = tuple(a % self.ndim for a in axes)
        return PRNGKeyArray(self._impl, lax.transpose(self._base, axes + (self.ndim,)))

    T = property(lambda self: self.transpose())

    def squeeze(self, axis=None):
        if axis is None:
            axis = tuple(i for i, d in enumerate(self.shape) if d == 1)
        axis = (axis,) if isinstance(axis, int) else tuple(axis)
        return PRNGKeyArray(self._impl, lax.squeeze(self._base, tuple(a % self.ndim for a in axis)))

    def __eq__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        eq = lax.eq(self._base, other._base) if self._base.shape == other._base.shape else None
        if eq is None:
            raise ValueError(f"key arrays of shapes {self.shape} and {other.shape} do not match")
        return lax.reduce_and(eq, (eq.ndim - 1,))

    def __ne__(self, other):
        out = self.__eq__(other)
        return out if out is NotImplemented else lax.bitwise_not(out)

    __hash__ = None

    def block_until_ready(self):
        return self

    def copy(self):
        return self

    def __repr__(self):
        if isinstance(self._base, core.Tracer):
            return f"Traced<key<fry>[{','.join(map(str, self.shape))}]>with<{self._base!r}>"
        if not isinstance(self._base, (core.ArrayImpl, np.ndarray)):
            return f"PRNGKeyArray(shape={self.shape}, dtype=key<fry>, data={self._base!r})"
        return (f"Array({self.shape}, dtype={self.dtype.name}) overlaying:\n"
                f"{np.asarray(self._base)}")

    __str__ = __repr__


def _key_flatten(k):
    return (k._base,), k._impl


def _key_unflatten(impl, children):
    out = object.__new__(PRNGKeyArray)
    out._impl = impl
    out._base, = children
    return out


tree_util.register_pytree_node(PRNGKeyArray, _key_flatten, _key_unflatten)


def _resolve_impl(impl, dtype=None):
    if dtype is not None:
        if impl is not None:
            raise ValueError("Cannot specify both `impl` and `dtype`")
        impl = dtype._impl if isinstance(dtype, PRNGKeyDtype) else dtype
    if impl is None:
        impl = config.read("jax_default_prng_impl")
    if isinstance(impl, PRNGKeyDtype):
        impl = impl._impl
    if impl != _IMPL_NAME:
        if isinstance(impl, str):
            raise ValueError(f'unrecognized PRNG implementation "{impl}". Did you mean one of: '
                             f'"{_IMPL_NAME}"? (pyjax implements threefry2x32 only)')
        raise TypeError(f"unrecognized type {type(impl)} for specifying PRNG implementation.")
    return impl


def _is_arraylike(x):
    return isinstance(x, (core.Array, np.ndarray, np.generic))


def _check_key_data(name, data):
    """Validate legacy key data (uint32[..., 2]); TypeError naming `name` otherwise."""
    shape = getattr(data, "shape", None)
    dtype = getattr(data, "dtype", None)
    if shape is None or dtype is None:
        raise TypeError(f"{name}: invalid PRNG key data: expected an array with shape and dtype "
                        f"attributes, got {data!r}")
    if len(shape) < 1:
        raise TypeError(f"{name}: invalid PRNG key data: expected key_data.ndim >= 1; got "
                        f"ndim={len(shape)}. Create keys with pyjax.random.key(seed) or "
                        "pyjax.random.PRNGKey(seed).")
    if tuple(shape[-1:]) != (2,):
        raise TypeError(f"{name}: invalid PRNG key data: expected key_data.shape to end with "
                        f"(2,) (threefry2x32 keys are pairs of uint32); got shape={tuple(shape)}")
    if np.dtype(dtype) != _U32:
        raise TypeError(f"{name}: invalid PRNG key data: expected key_data.dtype = uint32; got "
                        f"dtype={np.dtype(dtype).name}. Keys are uint32 arrays made by "
                        "pyjax.random.PRNGKey(seed) or typed keys made by pyjax.random.key(seed).")


def _check_key(name, key, allow_batched=False):
    """(uint32[..., 2] key data, whether the key was a typed key array)."""
    if isinstance(key, PRNGKeyArray):
        data, typed = key._base, True
    elif _is_arraylike(key):
        _check_key_data(name, key)
        data, typed = lax.asarray(key), False
    else:
        raise TypeError(f"{name}: unexpected PRNG key type {type(key).__name__}; create keys "
                        "with pyjax.random.key(seed) or pyjax.random.PRNGKey(seed)")
    shape = tuple(data.shape[:-1])
    if not allow_batched and shape:
        # JAX names the key array's shape, which for raw key data includes the trailing 2
        shown = shape if typed else tuple(data.shape)
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{shown} != (). Use vmap for batching.")
    return data, typed


def _return_keys(typed, data):
    return PRNGKeyArray(_IMPL_NAME, data) if typed else data


# ---------------------------------------------------------------------------
# Small lax helpers


def _full(shape, value, dtype):
    return lax.full(shape, value, dtype)


def _c(like, value):
    """A constant of `like`'s shape and dtype."""
    return lax.full_like(like, value)


def _word(key, i):
    return lax.index_in_dim(key, i, axis=0, keepdims=False)


def _stack_last(a, b):
    nd = a.ndim
    return lax.concatenate([lax.expand_dims(a, (nd,)), lax.expand_dims(b, (nd,))], nd)


def _canonical_shape(shape, name):
    if isinstance(shape, Sequence) and not isinstance(shape, str):
        dims = tuple(shape)
    else:
        dims = (shape,)
    out = []
    for d in dims:
        if isinstance(d, core.Tracer):
            d = core.concrete_or_error(d, f"the shape argument of {name} (shapes must be static)")
        try:
            out.append(operator.index(d))
        except TypeError:
            raise TypeError(f"{name}: shapes must be sequences of integers, got {shape!r}") from None
    if any(d < 0 for d in out):
        raise ValueError(f"{name}: shapes must be non-negative, got {tuple(out)}")
    return tuple(out)


def _partitionable():
    return bool(config.read("jax_threefry_partitionable"))


# ---------------------------------------------------------------------------
# threefry2x32 on raw key data (uint32[2])


def _hash_flat(key, count):
    """JAX's `threefry_2x32(key, count)`: the flat counter cut in two halves, hashed as pairs."""
    shape = count.shape
    n = int(np.prod(shape, dtype=np.int64))
    flat = lax.reshape(count, (n,))
    odd = n % 2
    if odd:
        flat = lax.concatenate([flat, _full((1,), 0, _U32)], 0)
    half = (n + odd) // 2
    x1 = lax.slice(flat, (0,), (half,))
    x2 = lax.slice(flat, (half,), (2 * half,))
    y1, y2 = threefry2x32_p.bind(_word(key, 0), _word(key, 1), x1, x2)
    out = lax.concatenate([y1, y2], 0)
    if odd:
        out = lax.slice(out, (0,), (n,))
    return lax.reshape(out, shape)


def _iota_2x32(shape):
    """Counters 0..prod(shape)-1 laid out in `shape`, as (hi, lo) uint32 words."""
    if not shape:
        z = _full((), 0, _U32)
        return z, z
    size = int(np.prod(shape, dtype=np.int64))
    if size > 2 ** 32:
        raise NotImplementedError("random arrays of more than 2**32 elements")
    lo = lax.reshape(lax.iota(_U32, size), shape)
    return _full(shape, 0, _U32), lo


def _hash_shaped(key, shape):
    hi, lo = _iota_2x32(shape)
    return threefry2x32_p.bind(_word(key, 0), _word(key, 1), hi, lo)


def _split_raw(key, shape):
    if _partitionable():
        b1, b2 = _hash_shaped(key, shape)
        return _stack_last(b1, b2)
    num = int(np.prod(shape, dtype=np.int64))
    return lax.reshape(_hash_flat(key, lax.iota(_U32, num * 2)), tuple(shape) + (2,))


def _fold_in_raw(key, data):
    count = lax.concatenate([_full((1,), 0, _U32), lax.reshape(data, (1,))], 0)
    return _hash_flat(key, count)


def _bits_raw(key, bit_width, shape):
    """Uniform random bits, uint{bit_width}[shape], from one key."""
    dtype = _UINT_DTYPES[bit_width]
    if _partitionable():
        b1, b2 = _hash_shaped(key, shape)
        if bit_width == 64:
            hi = lax.convert_element_type(b1, dtype)
            lo = lax.convert_element_type(b2, dtype)
            return lax.bitwise_or(lax.shift_left(hi, _c(hi, 32)), lo)
        x = lax.bitwise_xor(b1, b2)
        return x if bit_width == 32 else lax.convert_element_type(x, dtype)
    size = int(np.prod(shape, dtype=np.int64))
    max_count = -(-bit_width * size // 32)
    if max_count >= 2 ** 32 - 1:
        raise NotImplementedError("random arrays of more than 2**32 - 1 words with "
                                  "jax_threefry_partitionable=False")
    bits = _hash_flat(key, lax.iota(_U32, max_count))
    if bit_width == 64:
        half = max_count // 2
        hi = lax.convert_element_type(lax.slice(bits, (0,), (half,)), dtype)
        lo = lax.convert_element_type(lax.slice(bits, (half,), (max_count,)), dtype)
        bits = lax.bitwise_or(lax.shift_left(hi, _c(hi, 32)), lo)
    elif bit_width in (8, 16):
        per = 32 // bit_width
        words = lax.broadcast_in_dim(bits, (per, max_count), (1,))
        shifts = lax.mul(lax.broadcasted_iota(_U32, (per, max_count), 0),
                         _full((per, max_count), bit_width, _U32))
        parts = lax.bitwise_and(lax.shift_right_logical(words, shifts),
                                _full((per, max_count), (1 << bit_width) - 1, _U32))
        parts = lax.reshape(lax.transpose(parts, (1, 0)), (max_count * per,))
        bits = lax.slice(lax.convert_element_type(parts, dtype), (0,), (size,))
    return lax.reshape(bits, tuple(shape))


# ---------------------------------------------------------------------------
# Seeding


def _seed_array(seed, name):
    """The seed as an integer array (dtype canonicalised as jnp.asarray would)."""
    if isinstance(seed, PRNGKeyArray):
        raise TypeError(f"{name} accepts a scalar seed, but was given a PRNG key.")
    if type(seed) in (int, bool):
        s = int(seed)
        if not -2 ** 63 <= s < 2 ** 63:
            raise OverflowError(f"{name}: seed {s} does not fit in a 64-bit integer")
        v = np.int64(s)
        if not config.read("jax_enable_x64"):
            v = v.astype(np.int32)  # wraps, as JAX's conversion of the int64 seed does
        return lax.asarray(np.asarray(v))
    if np.ndim(seed) if not isinstance(seed, core.Array) else seed.ndim:
        raise TypeError(f"{name} accepts a scalar seed, but was given an array of shape "
                        f"{tuple(np.shape(seed) if not isinstance(seed, core.Array) else seed.shape)}"
                        " != (). Use jax.vmap for batching")
    if isinstance(seed, (float, complex)):
        raise TypeError(f"{name}: PRNG key seed must be an integer; got {seed!r}")
    if isinstance(seed, (np.ndarray, np.generic)):
        arr = np.asarray(seed)
        if not dtypes.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name}: PRNG key seed must be an integer; got {seed!r}")
        return lax.asarray(arr.astype(dtypes.canonicalize_dtype(arr.dtype)))
    if isinstance(seed, core.Array):
        if not dtypes.issubdtype(seed.dtype, np.integer):
            raise TypeError(f"{name}: PRNG key seed must be an integer; got {seed!r}")
        return seed
    raise TypeError(f"{name}: PRNG key seed must be an integer; got {type(seed).__name__}")


def _seed_raw(seed):
    """threefry key data for an integer seed array: [high word, low word] of its 64 bits."""
    if np.dtype(seed.dtype).itemsize == 8:
        hi = lax.convert_element_type(lax.shift_right_logical(seed, _c(seed, 32)), _U32)
    else:
        hi = _full((), 0, _U32)
    lo = lax.convert_element_type(seed, _U32)
    return lax.concatenate([lax.reshape(hi, (1,)), lax.reshape(lo, (1,))], 0)


# ---------------------------------------------------------------------------
# Key API


def PRNGKey(seed, *, impl=None):
    """A legacy key, ``uint32[2]``, from an integer seed (64-bit seeds use both words)."""
    _resolve_impl(impl)
    return _seed_raw(_seed_array(seed, "PRNGKey"))


def key(seed, *, impl=None, dtype=None):
    """A typed scalar key array (dtype ``key<fry>``) from an integer seed."""
    impl = _resolve_impl(impl, dtype)
    return PRNGKeyArray(impl, _seed_raw(_seed_array(seed, "key")))


def key_dtype(impl_spec=None):
    """The dtype of typed keys of an implementation (default: the configured one)."""
    return PRNGKeyDtype(_resolve_impl(impl_spec))


def key_data(keys):
    """The uint32 data underlying keys (legacy keys are returned as they are)."""
    data, _ = _check_key("key_data", keys, allow_batched=True)
    return data


def wrap_key_data(key_bits_array, *, impl=None, dtype=None):
    """Typed keys from uint32[..., 2] key data."""
    impl = _resolve_impl(impl, dtype)
    if isinstance(key_bits_array, PRNGKeyArray):
        raise TypeError("wrap_key_data: the argument is already a key array; pass "
                        "key_data(keys) to re-wrap its data")
    _check_key_data("wrap_key_data", key_bits_array)
    return PRNGKeyArray(impl, lax.asarray(key_bits_array))


def key_impl(keys):
    """The name of the PRNG implementation of `keys` ('threefry2x32')."""
    _check_key("key_impl", keys, allow_batched=True)
    return _IMPL_NAME


def clone(key):
    """A copy of `key` for reuse; the identity outside key-reuse checking, as in JAX."""
    return key


def split(key, num=2):
    """Split a key into `num` new keys (`num` an int or a shape), stacked on a leading axis."""
    data, typed = _check_key("split", key)
    shape = tuple(num) if isinstance(num, Sequence) else (num,)
    out = []
    for d in shape:
        if isinstance(d, core.Tracer):
            d = core.concrete_or_error(d, "the num argument of split (it must be static)")
        d = operator.index(d)
        if d < 0:
            raise ValueError(f"split: num must be a non-negative integer (or a shape of them), "
                             f"got {num!r}")
        out.append(d)
    return _return_keys(typed, _split_raw(data, tuple(out)))


def fold_in(key, data):
    """A new key from `key` and 32-bit integer `data`."""
    k, typed = _check_key("fold_in", key)
    nd = data.ndim if isinstance(data, core.Array) else np.ndim(data)
    if nd:
        raise TypeError("fold_in accepts a scalar, but was given an array of shape "
                        f"{tuple(np.shape(data) if not isinstance(data, core.Array) else data.shape)}"
                        " != (). Use jax.vmap for batching.")
    if type(data) in (int, bool):
        if not 0 <= data < 2 ** 32:
            raise OverflowError(f"fold_in: Python integer {data} out of bounds for uint32")
        d = lax.asarray(np.asarray(data, _U32))
    elif type(data) is float:
        d = lax.asarray(np.asarray(np.trunc(data)).astype(np.int64).astype(_U32))
    else:
        d = lax.convert_element_type(lax.asarray(data), _U32)
    return _return_keys(typed, _fold_in_raw(k, d))


# ---------------------------------------------------------------------------
# Samplers


def _check_shape(name, shape, *param_shapes):
    if param_shapes:
        try:
            full = np.broadcast_shapes(shape, *param_shapes)
        except ValueError:
            full = None
        if full != tuple(shape):
            raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape "
                             f"argument, and the result of broadcasting the shapes must equal "
                             f"the shape argument, but got result {full} for shape argument "
                             f"{tuple(shape)}.")


def _broadcast_to(x, shape):
    """Numpy-style broadcast of an array (or tracer) to `shape`."""
    x = lax.asarray(x)
    xs = tuple(x.shape)
    shape = tuple(shape)
    if xs == shape:
        return x
    lead = len(shape) - len(xs)
    squeeze = tuple(i for i, d in enumerate(xs) if d == 1 and shape[lead + i] != 1)
    if squeeze:
        x = lax.reshape(x, tuple(d for i, d in enumerate(xs) if i not in squeeze))
    kept = [lead + i for i in range(len(xs)) if i not in squeeze]
    return lax.broadcast_in_dim(x, shape, tuple(kept))


def _dtype_arg(dtype, default):
    return np.dtype(dtypes.canonicalize_dtype(default if dtype is None else dtype))


def bits(key, shape=(), dtype=None):
    """Uniform random bits as unsigned integers of `dtype` (default uint32, uint64 with x64)."""
    k, _ = _check_key("bits", key)
    dt = dtypes.default_uint_dtype() if dtype is None else dtypes.canonicalize_dtype(dtype)
    if not dtypes.issubdtype(dt, np.unsignedinteger):
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {np.dtype(dt)}")
    shape = _canonical_shape(shape, "bits")
    return _bits_raw(k, np.dtype(dt).itemsize * 8, shape)


def _uniform_raw(k, shape, dtype, minval, maxval):
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    if nbits not in (8, 16, 32, 64):
        raise TypeError(f"uniform only accepts 8-, 16-, 32-, or 64-bit dtypes, got {dtype}.")
    rng_bits = nbits if nmant >= 8 else 8
    b = _bits_raw(k, rng_bits, shape)
    uint_dtype = _UINT_DTYPES[nbits]
    if rng_bits != nbits:
        b = lax.convert_element_type(b, uint_dtype)
    one_bits = np.array(1.0, dtype).view(uint_dtype)
    float_bits = lax.bitwise_or(lax.shift_right_logical(b, _c(b, rng_bits - nmant)),
                                _c(b, int(one_bits)))
    floats = lax.sub(lax.bitcast_convert_type(float_bits, dtype), _c_float(shape, 1.0, dtype))
    minval = _to_float_param(minval, dtype)
    maxval = _to_float_param(maxval, dtype)
    if isinstance(minval, core.Tracer) or isinstance(maxval, core.Tracer):
        scale = lax.sub(maxval, minval)
    else:  # constants: computed now (same dtype arithmetic), so jaxprs stay small
        with np.errstate(all="ignore"):
            scale = lax.asarray(np.asarray(np.asarray(maxval) - np.asarray(minval), dtype))
    scale = _broadcast_to(scale, shape)
    lo = _broadcast_to(minval, shape)
    if _contracts_fma(dtype):
        v = fma_p.bind(floats, scale, lo)
    else:
        v = lax.add(lax.mul(floats, scale), lo)
    return lax.max(lo, v)


def _c_float(shape, value, dtype):
    return lax.full(shape, np.array(value, dtype), dtype)


def _contracts_fma(dtype):
    """Whether XLA:CPU fuses a multiply-add in `dtype` into one fma: always in float32 and
    float64; never in bfloat16 (computed in float32 and rounded after every operation);
    in float16 only on processors with float16 arithmetic (see prng.py)."""
    dt = np.dtype(dtype)
    if dt == np.dtype(dtypes.bfloat16):
        return False
    if dt == np.dtype(np.float16):
        return host_has_fp16_arithmetic()
    return True


def _to_float_param(v, dtype):
    v = lax.asarray(v)
    if not isinstance(v, core.Tracer):
        return lax.asarray(np.asarray(v).astype(dtype))
    return lax.convert_element_type(v, dtype)


def uniform(key, shape=(), dtype=None, minval=0., maxval=1.):
    """Uniform floats in [minval, maxval)."""
    k, _ = _check_key("uniform", key)
    dt = _dtype_arg(dtype, float)
    shape = _canonical_shape(shape, "uniform")
    if not dtypes.issubdtype(dt, np.floating):
        raise ValueError(f"dtype argument to `uniform` must be a float dtype, got {dt}")
    _check_shape("uniform", shape, np.shape(minval) if not isinstance(minval, core.Array)
                 else minval.shape, np.shape(maxval) if not isinstance(maxval, core.Array)
                 else maxval.shape)
    return _uniform_raw(k, shape, dt, minval, maxval)


def _next_toward_zero(value, dtype):
    """The float of `dtype` next to `value` (nonzero) in the direction of zero."""
    bits_dtype = _UINT_DTYPES[np.dtype(dtype).itemsize * 8]
    b = np.array(value, dtype).view(bits_dtype)
    return (b - bits_dtype.type(1)).view(dtype)


def normal(key, shape=(), dtype=None):
    """Standard normal samples: sqrt(2) * erf_inv(u) with u uniform in (-1, 1)."""
    k, _ = _check_key("normal", key)
    shape = _canonical_shape(shape, "normal")
    dt = _dtype_arg(dtype, float)
    if not dtypes.issubdtype(dt, np.inexact):
        raise ValueError(f"dtype argument to `normal` must be a float or complex dtype, got {dt}")
    if dtypes.issubdtype(dt, np.complexfloating):
        real_dt = np.dtype(np.finfo(dt).dtype)
        sub = _split_raw(k, (2,))
        re = lax.convert_element_type(_normal_real(_word(sub, 0), shape, real_dt), dt)
        im = lax.convert_element_type(_normal_real(_word(sub, 1), shape, real_dt), dt)
        i = lax.full(shape, np.array(1j, dt), dt)
        z = lax.add(re, lax.mul(i, im))
        return lax.div(z, lax.full(shape, np.array(np.sqrt(2), dt), dt))
    return _normal_real(k, shape, dt)


def _normal_real(k, shape, dtype):
    lo = _next_toward_zero(-1.0, dtype)
    u = _uniform_raw(k, shape, dtype, lax.asarray(lo), lax.asarray(np.array(1.0, dtype)))
    return lax.mul(_c_float(shape, np.sqrt(2), dtype), xla_erf_inv(u))


# --- randint -------------------------------------------------------------------


def _convert_and_clip_integer(val, dtype):
    """`val` converted to integer `dtype`, clipped to its range instead of wrapping."""
    vdt = np.dtype(val.dtype)
    lo = max(int(dtypes.iinfo(dtype).min), int(dtypes.iinfo(vdt).min))
    hi = min(int(dtypes.iinfo(dtype).max), int(dtypes.iinfo(vdt).max))
    clipped = lax.clamp(_c(val, lo), val, _c(val, hi))
    return lax.convert_element_type(clipped, dtype)


def _int_param(v):
    """jnp.asarray(v), made integer (floats truncate) as JAX's randint does."""
    v = lax.asarray(v)
    if not dtypes.issubdtype(v.dtype, np.integer):
        v = lax.convert_element_type(v, dtypes.default_int_dtype())
    return v


def randint(key, shape, minval, maxval, dtype=None):
    """Uniform integers in [minval, maxval) (biased like JAX's for spans not a power of 2)."""
    k, _ = _check_key("randint", key)
    dt = _dtype_arg(dtype, int)
    shape = _canonical_shape(shape, "randint")
    if not dtypes.issubdtype(dt, np.integer):
        raise TypeError(f"randint only accepts integer dtypes, got {dt}")
    info = dtypes.iinfo(dt)
    sample_dt = dt
    if info.bits < 32:
        # Sampled with 32 bits to limit the bias, then narrowed (as JAX does).
        sample_dt = np.dtype(np.int32)
        minval = lax.convert_element_type(_int_param(minval), np.int32)
        maxval = lax.convert_element_type(_int_param(maxval), np.int32)
        minval = lax.clamp(_c(minval, int(info.min)), minval, _c(minval, int(info.max)))
        maxval = lax.clamp(_c(maxval, int(info.min)), maxval, _c(maxval, int(info.max) + 1))
    out = _randint_raw(k, shape, minval, maxval, sample_dt)
    return lax.convert_element_type(out, dt)


def _randint_raw(k, shape, minval, maxval, dtype):
    _check_shape("randint", shape, tuple(lax.asarray(minval).shape), tuple(lax.asarray(maxval).shape))
    minval = _int_param(minval)
    maxval = _int_param(maxval)
    nbits = dtypes.iinfo(dtype).bits
    if nbits not in (8, 16, 32, 64):
        raise TypeError(f"randint only accepts 8-, 16-, 32-, or 64-bit dtypes, got {dtype}")
    top = lax.asarray(np.array(dtypes.iinfo(dtype).max, dtype))
    maxval_out_of_range = lax.gt(maxval, _broadcast_to(_convert_and_clip_integer(top, maxval.dtype),
                                                       maxval.shape))
    minval = _broadcast_to(_convert_and_clip_integer(minval, dtype), shape)
    maxval_c = _broadcast_to(_convert_and_clip_integer(maxval, dtype), shape)
    maxval_out_of_range = _broadcast_to(maxval_out_of_range, shape)

    sub = _split_raw(k, (2,))
    higher_bits = _bits_raw(_word(sub, 0), nbits, shape)
    lower_bits = _bits_raw(_word(sub, 1), nbits, shape)

    unsigned = _UINT_DTYPES[nbits]
    span = lax.convert_element_type(lax.sub(maxval_c, minval), unsigned)
    span = lax.select(lax.le(maxval_c, minval), _c(span, 1), span)
    span = lax.select(lax.bitwise_and(maxval_out_of_range, lax.gt(maxval_c, minval)),
                      lax.add(span, _c(span, 1)), span)
    multiplier = lax.rem(_c(span, 2 ** (nbits // 2)), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(higher_bits, span), multiplier), lax.rem(lower_bits, span))
    offset = lax.rem(offset, span)
    return lax.add(minval, lax.convert_element_type(offset, dtype))


# --- bernoulli -----------------------------------------------------------------


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability `p` (``uniform < p``)."""
    if shape is not None:
        shape = _canonical_shape(shape, "bernoulli")
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    k, _ = _check_key("bernoulli", key)
    p = lax.asarray(p)
    dt = np.dtype(p.dtype)
    if not dtypes.issubdtype(dt, np.floating):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {dt}.")
    if shape is None:
        shape = tuple(p.shape)
    else:
        _check_shape("bernoulli", shape, tuple(p.shape))
    pb = _broadcast_to(p, shape)
    if mode == "high":
        u = _uniform_raw(k, (2,) + shape, dt, 0., 1.)
        u1 = lax.index_in_dim(u, 0, 0, keepdims=False)
        u2 = lax.index_in_dim(u, 1, 0, keepdims=False)
        u2 = lax.mul(u2, _c_float(shape, 2.0 ** -dtypes.finfo(dt).nmant, dt))
        return lax.lt(u2, lax.sub(pb, u1))
    return lax.lt(_uniform_raw(k, shape, dt, 0., 1.), pb)


# --- permutation and choice ----------------------------------------------------


def _num_shuffle_rounds(size):
    # JAX's static criterion for enough rounds of sorting by fresh 32-bit keys.
    return int(np.ceil(3 * np.log(max(1, size)) / np.log(dtypes.iinfo(np.uint32).max)))


def _shuffle(k, x, axis, keys_shape=None):
    """JAX's sort-based shuffle of `x` along `axis`: rounds of sorting by random 32-bit keys.

    With `keys_shape` = (n,), one key per position along `axis` is drawn and broadcast
    over the other axes, permuting every slice alike (JAX's shuffle of arange(n)
    followed by a take)."""
    size = int(np.prod(keys_shape if keys_shape is not None else x.shape, dtype=np.int64))
    for _ in range(_num_shuffle_rounds(size)):
        pair = _split_raw(k, (2,))
        k, sub = _word(pair, 0), _word(pair, 1)
        if keys_shape is None:
            sort_keys = _bits_raw(sub, 32, tuple(x.shape))
        else:
            sort_keys = lax.broadcast_in_dim(_bits_raw(sub, 32, keys_shape), tuple(x.shape), (axis,))
        x = sort_p.bind(sort_keys, x, dimension=axis, is_stable=True, num_keys=1)[1]
    return x


def _canonical_axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _arange(n):
    return lax.iota(dtypes.default_int_dtype(), n)


def _check_arraylike(name, *args):
    for a in args:
        if not (isinstance(a, (core.Array, np.ndarray, np.generic))
                or type(a) in (int, float, bool, complex)):
            raise TypeError(f"{name} requires ndarray or scalar arguments, got "
                            f"{type(a).__name__}")


def permutation(key, x, axis=0, independent=False):
    """A shuffled copy of `x` along `axis` (or a permutation of range(x) for an integer x)."""
    k, _ = _check_key("permutation", key)
    _check_arraylike("permutation", x)
    ndim = x.ndim if isinstance(x, core.Array) else np.ndim(x)
    axis = _canonical_axis(axis, ndim or 1)
    if not ndim:
        dt = x.dtype if isinstance(x, core.Array) else dtypes.dtype(x)
        if not dtypes.issubdtype(dt, np.integer):
            raise TypeError("x must be an integer or at least 1-dimensional")
        r = int(core.concrete_or_error(x, "argument x of pyjax.random.permutation()"))
        return _shuffle(k, _arange(max(r, 0)), 0)   # jnp.arange(r): empty when r < 0
    x = lax.asarray(x)
    if independent or ndim == 1:
        return _shuffle(k, x, axis)
    return _shuffle(k, x, axis, keys_shape=(x.shape[axis],))


def _take(arr, ind, axis):
    """arr.take(ind, axis) for in-range indices, exact for every dtype (no gather yet:
    a one-hot select of the bit patterns, reduced with max)."""
    arr = lax.asarray(arr)
    ind = lax.asarray(ind)
    n = arr.shape[axis]
    ishape = tuple(ind.shape)
    m = int(np.prod(ishape, dtype=np.int64))
    nd = arr.ndim
    # (n, rest...) with the gathered axis first
    perm = (axis,) + tuple(i for i in range(nd) if i != axis)
    x = lax.transpose(arr, perm)
    rest = tuple(x.shape[1:])
    dt = np.dtype(arr.dtype)
    if dtypes.issubdtype(dt, np.complexfloating):
        re = _take(lax.real(arr), ind, axis)
        im = _take(lax.imag(arr), ind, axis)
        return lax.complex(re, im)
    if dt == np.bool_:
        xb = lax.convert_element_type(x, np.uint8)
    else:
        xb = lax.bitcast_convert_type(x, _UINT_DTYPES[dt.itemsize * 8])
    flat_ind = lax.convert_element_type(lax.reshape(ind, (m,)), np.int32 if n < 2 ** 31 else np.int64)
    big = (m, n) + rest
    mask = lax.eq(lax.broadcast_in_dim(flat_ind, big, (0,)),
                  lax.broadcasted_iota(np.dtype(flat_ind.dtype), big, 1))
    vals = lax.broadcast_in_dim(xb, big, tuple(range(1, len(big))))
    picked = lax.reduce_max(lax.select(mask, vals, _c(vals, 0)), (1,))
    if dt == np.bool_:
        out = lax.ne(picked, _c(picked, 0))
    else:
        out = lax.bitcast_convert_type(picked, dt)
    out = lax.reshape(out, ishape + rest)
    # move the index axes to where `axis` was
    ni = len(ishape)
    order = list(range(ni, ni + axis)) + list(range(ni)) + list(range(ni + axis, ni + len(rest)))
    return lax.transpose(out, tuple(order))


def _xla_cumsum(x):
    """1-D inclusive cumsum summed in XLA:CPU's order (blocks of 16, then block offsets)."""
    n = x.shape[0]
    if n <= 16:
        cols = [lax.add(_c(lax.slice(x, (0,), (1,)), 0), lax.slice(x, (0,), (1,)))] if n else []
        for i in range(1, n):
            cols.append(lax.add(cols[-1], lax.slice(x, (i,), (i + 1,))))
        return lax.concatenate(cols, 0) if cols else x
    m = -(-n // 16)
    xp = lax.pad(x, np.array(0, x.dtype), ((0, m * 16 - n, 0),))
    xb = lax.reshape(xp, (m, 16))
    cols = [lax.add(_c(lax.slice(xb, (0, 0), (m, 1)), 0), lax.slice(xb, (0, 0), (m, 1)))]
    for i in range(1, 16):
        cols.append(lax.add(cols[-1], lax.slice(xb, (0, i), (m, i + 1))))
    local = lax.concatenate(cols, 1)
    totals = lax.reshape(cols[-1], (m,))
    incl = _xla_cumsum(totals)
    offsets = lax.concatenate([_full((1,), 0, x.dtype), lax.slice(incl, (0,), (m - 1,))], 0)
    out = lax.add(local, lax.broadcast_in_dim(offsets, (m, 16), (0,)))
    return lax.slice(lax.reshape(out, (m * 16,)), (0,), (n,))


def _searchsorted_left(sorted_arr, query):
    """For a nondecreasing 1-D `sorted_arr`: the number of entries < each query."""
    n = sorted_arr.shape[0]
    qshape = tuple(query.shape)
    big = qshape + (n,)
    lt = lax.lt(lax.broadcast_in_dim(sorted_arr, big, (len(qshape),)),
                lax.broadcast_in_dim(query, big, tuple(range(len(qshape)))))
    return lax.reduce_sum(lax.convert_element_type(lt, dtypes.default_int_dtype()), (len(qshape),))


def _top_k_indices(x, k):
    """Indices of the k largest entries of 1-D `x`, largest first, ties by lower index."""
    n = x.shape[0]
    idx = lax.iota(np.int32, n)
    _, order = sort_p.bind(lax.neg(x), idx, dimension=0, is_stable=True, num_keys=1)
    return lax.slice(order, (0,), (k,))


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel samples, -log(-log(u)) (see random_distributions.gumbel)."""
    from pyjax._src.random_distributions import gumbel as _g
    return _g(key, shape, dtype, mode)


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """Random samples from `a` (an array, or range(a) for an integer)."""
    k, _ = _check_key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    shape = _canonical_shape(shape, "choice")
    _check_arraylike("choice", a)
    arr = lax.asarray(a)
    if arr.ndim == 0:
        n_inputs = int(core.concrete_or_error(a, "The error occurred in jax.random.choice()"))
    else:
        axis = _canonical_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = int(np.prod(shape, dtype=np.int64))
    if n_draws == 0:
        return lax.full(shape, 0, arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population "
                         f"(size {n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(k, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else _take(arr, ind, axis)
        else:
            perm = permutation(k, n_inputs if arr.ndim == 0 else arr, axis)
            result = lax.slice_in_dim(perm, 0, n_draws, axis=axis if arr.ndim else 0)
    else:
        _check_arraylike("choice", p)
        p_arr = lax.asarray(p)
        if not dtypes.issubdtype(p_arr.dtype, np.inexact):
            p_arr = lax.convert_element_type(p_arr, dtypes.default_float_dtype())
        if tuple(p_arr.shape) != (n_inputs,):
            raise ValueError("p must be None or a 1D vector with the same size as a.shape[axis]. "
                             f"p has shape {tuple(p_arr.shape)} and a.shape[axis] is {n_inputs}.")
        pdt = np.dtype(p_arr.dtype)
        if replace:
            p_cuml = _xla_cumsum(p_arr)
            total = lax.index_in_dim(p_cuml, n_inputs - 1, keepdims=False)
            u = _uniform_raw(k, shape, pdt, 0., 1.)
            r = lax.mul(_broadcast_to(total, shape), lax.sub(_c_float(shape, 1, pdt), u))
            ind = _searchsorted_left(p_cuml, r)
        else:
            from pyjax._src import random_distributions as _rd
            if mode is None:
                mode = "high" if _rd._flag("jax_use_high_dynamic_range_gumbel", False) else "low"
            if mode not in ("highest", "high", "low"):
                raise ValueError("Must provide valid mode for gumbel got: %s" % mode)
            g = lax.add(_rd._gumbel(k, (n_inputs,), pdt, mode), xla_log(p_arr))
            ind = lax.convert_element_type(_top_k_indices(g, n_draws), dtypes.default_int_dtype())
        result = ind if arr.ndim == 0 else _take(arr, ind, axis)
    out_shape = shape if arr.ndim == 0 else tuple(arr.shape[:axis]) + shape + tuple(arr.shape[axis + 1:])
    return lax.reshape(result, out_shape)


# ---------------------------------------------------------------------------
# XLA:CPU's float32/float64 expansions of log, log1p and erf_inv, operation for operation.

_F32_MIN_NORMAL = 0x00800000


def _f32(bits):
    return np.array(bits, np.uint32).view(np.float32)


def _k(x, v):
    """Constant `v` (a NumPy/Python scalar) shaped and typed like `x`."""
    return lax.full(x.shape, np.array(v, x.dtype), x.dtype)


def _fma(a, b, c):
    return fma_p.bind(a, b, c)


# Cephes-style log used by XLA:CPU for float32 (coefficients as float32 bit patterns).
_LOG_P = [0x3D9021BB, 0xBDEBD1B8, 0x3DEF251A, 0xBDFE5D4F, 0x3E11E9BF, 0xBE2AAE50,
          0x3E4CCEAC, 0xBE7FFFFC, 0x3EAAAAAA]
_LOG_Q1, _LOG_Q2, _SQRT_HALF = 0xB95E8083, 0x3F318000, 0x3F3504F3


def _xla_log_f32(v):
    u32 = np.dtype(np.uint32)
    tiny = _f32(_F32_MIN_NORMAL)
    # Denormal inputs read as zero (XLA:CPU runs with denormals-are-zero).
    v = lax.select(lax.lt(lax.abs(v), _k(v, tiny)), lax.mul(v, _k(v, 0.0)), v)
    x = lax.select(lax.gt(v, _k(v, tiny)), v, _k(v, tiny))
    b = lax.bitcast_convert_type(x, u32)
    e = lax.sub(lax.convert_element_type(lax.shift_right_logical(b, _k(b, 23)), np.int32),
                lax.full(b.shape, np.int32(127), np.int32))
    m = lax.bitcast_convert_type(lax.bitwise_or(lax.bitwise_and(b, _k(b, 0x807FFFFF)),
                                                _k(b, 0x3F000000)), np.float32)
    ef = lax.add(lax.convert_element_type(e, np.float32), _k(v, 1.0))
    mask = lax.lt(m, _k(m, _f32(_SQRT_HALF)))
    tmp = lax.select(mask, m, _k(m, 0.0))
    m1 = lax.add(m, _k(m, -1.0))
    ef = lax.sub(ef, lax.select(mask, _k(m, 1.0), _k(m, 0.0)))
    x = lax.add(m1, tmp)
    x2 = lax.mul(x, x)
    x3 = lax.mul(x2, x)
    P = [_k(x, _f32(c)) for c in _LOG_P]
    y = _fma(x, P[0], P[1])
    y1 = _fma(x, P[3], P[4])
    y2 = _fma(x, P[6], P[7])
    y = _fma(y, x, P[2])
    y1 = _fma(y1, x, P[5])
    y2 = _fma(y2, x, P[8])
    y = _fma(y, x3, y1)
    y = _fma(y, x3, y2)
    y = _fma(y, x3, lax.mul(ef, _k(x, _f32(_LOG_Q1))))
    x = lax.sub(x, lax.mul(x2, _k(x, 0.5)))
    x = _fma(ef, _k(x, _f32(_LOG_Q2)), lax.add(x, y))
    # Special values: log(0) = -inf, log(inf) = inf, log(x < 0 or nan) = nan.
    not_zero = lax.ne(v, _k(v, 0.0))
    not_inf = lax.ne(v, _k(v, np.inf))
    special = lax.select(not_zero, lax.select(not_inf, _k(b, 0), _k(b, 0x7F800000)), _k(b, 0xFF800000))
    body = lax.select(lax.gt(v, _k(v, 0.0)), lax.bitcast_convert_type(x, u32), _k(b, 0xFFFFFFFF))
    body = lax.select(lax.bitwise_and(not_zero, not_inf), body, _k(b, 0))
    return lax.bitcast_convert_type(lax.bitwise_or(special, body), np.float32)


def _via_float32(fn, x):
    """`fn` (a float32 expansion) on `x`; 16-bit floats are computed in float32 by XLA."""
    dt = np.dtype(x.dtype)
    if dt == np.float32:
        return fn(x)
    return lax.convert_element_type(fn(lax.convert_element_type(x, np.float32)), dt)


def xla_log(x):
    """log(x) as XLA:CPU computes it (float32: XLA's polynomial; float64: libm's log)."""
    if np.dtype(x.dtype) == np.float64:
        return libm_log_p.bind(x)
    return _via_float32(_xla_log_f32, x)


_LOG1P_DEN = [1., 1.5062909083469192043167E1, 8.3047565967967209469434E1,
              2.2176239823732856465394E2, 3.0909872225312059774938E2,
              2.1642788614495947685003E2, 6.0118660497603843919306E1]
_LOG1P_NUM = [4.5270000862445199635215E-5, 4.9854102823193375972212E-1,
              6.5787325942061044846969E0, 2.9911919328553073277375E1,
              6.0949667980987787057556E1, 5.7112963590585538103336E1,
              2.0039553499201281259648E1]


def _xla_log1p(x):
    """log1p(x) as XLA:CPU computes it for float32/float64: a Cephes rational function for
    |x| < sqrt(2) - 1, log(1 + x) otherwise."""
    log = _xla_log_f32 if np.dtype(x.dtype) == np.float32 else libm_log_p.bind
    large = log(lax.add(x, _k(x, 1.0)))
    x2 = lax.mul(x, x)
    z = lax.mul(x, _k(x, 0.0))
    den = lax.add(z, _k(x, _LOG1P_DEN[0]))
    for c in _LOG1P_DEN[1:]:
        den = _fma(den, x, _k(x, c))
    num = lax.add(z, _k(x, _LOG1P_NUM[0]))
    for c in _LOG1P_NUM[1:]:
        num = _fma(num, x, _k(x, c))
    s = lax.mul(lax.mul(x, x2), lax.div(num, den))
    s = _fma(x2, _k(x, -0.5), s)
    s = lax.add(x, s)
    return lax.select(lax.lt(lax.abs(x), _k(x, 0.41421356237309504880)), s, large)


_ERFINV32_LT5 = [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]
_ERFINV32_GE5 = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]

# Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), double precision.
_ERFINV64_LT625 = [
    -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
    1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
    6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
    2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
    4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
    0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
    0.24015818242558961693, 1.6536545626831027356]
_ERFINV64_LT16 = [
    2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
    1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
    2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
    6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
    0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
    -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
    3.0838856104922207635]
_ERFINV64_GE16 = [
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
    -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
    2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
    -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
    7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
    1.0103004648645343977, 4.8499064014085844221]


def _xla_erf_inv_f32(x):
    w = lax.neg(_xla_log1p(lax.mul(x, lax.neg(x))))
    lt = lax.lt(w, _k(w, 5.0))
    ww = lax.select(lt, lax.sub(w, _k(w, 2.5)), lax.sub(lax.sqrt(w), _k(w, 3.0)))
    p = lax.select(lt, _k(w, _ERFINV32_LT5[0]), _k(w, _ERFINV32_GE5[0]))
    for a, b in zip(_ERFINV32_LT5[1:], _ERFINV32_GE5[1:]):
        p = _fma(p, ww, lax.select(lt, _k(w, a), _k(w, b)))
    edge = lax.eq(lax.abs(x), _k(x, 1.0))
    return lax.mul(x, lax.select(edge, _k(x, np.inf), p))


def _xla_erf_inv_f64(x):
    w = lax.neg(_xla_log1p(lax.mul(x, lax.neg(x))))
    lt625 = lax.lt(w, _k(w, 6.25))
    lt16 = lax.lt(w, _k(w, 16.0))

    def coefficient(i):
        c = _k(w, _ERFINV64_LT625[i])
        if i < 19:
            c = lax.select(lt625, c, _k(w, _ERFINV64_LT16[i]))
        if i < 17:
            c = lax.select(lt16, c, _k(w, _ERFINV64_GE16[i]))
        return c

    ww = lax.select(lt625, lax.sub(w, _k(w, 3.125)),
                    lax.sub(lax.sqrt(w), lax.select(lt16, _k(w, 3.25), _k(w, 5.0))))
    p = coefficient(0)
    for i in range(1, 17):
        p = _fma(p, ww, coefficient(i))
    for i in range(17, 19):
        p = lax.select(lt16, _fma(p, ww, coefficient(i)), p)
    for i in range(19, 23):
        p = lax.select(lt625, _fma(p, ww, coefficient(i)), p)
    edge = lax.eq(lax.abs(x), _k(x, 1.0))
    return lax.mul(x, lax.select(edge, _k(x, np.inf), p))


def xla_erf_inv(x):
    """erf_inv(x) as XLA:CPU computes it (Giles' polynomials; 16-bit floats via float32)."""
    if np.dtype(x.dtype) == np.float64:
        return _xla_erf_inv_f64(x)
    return _via_float32(_xla_erf_inv_f32, x)


__all__ = ["PRNGKey", "key", "key_data", "key_dtype", "wrap_key_data", "key_impl", "clone", "split", "fold_in",
           "bits", "uniform", "normal", "randint", "bernoulli", "permutation", "choice", "gumbel",
           "PRNGKeyArray", "PRNGKeyDtype", "prng_key", "xla_erf_inv", "xla_log"]

