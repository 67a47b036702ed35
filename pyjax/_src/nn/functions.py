"""pyjax.nn's functions: activations, softmax/logsumexp, one_hot, standardize, attention.

Each function follows jax.nn (jax 0.10.2) operation for operation, written with
pyjax.numpy / pyjax.lax only, so it traces under jit, batches under vmap and
differentiates under grad; dtypes and weak types of results are JAX's.

Where JAX defines a derivative rule (relu, relu6, log1mexp, softmax with
`jax_softmax_custom_jvp`), the same rule is attached with custom_jvp, so e.g.
``grad(relu)(0.) == 0``.
"""
import operator

import numpy as np

import pyjax.numpy as jnp
from pyjax._src import core, dtypes
from pyjax._src.config import config
from pyjax._src.core import get_aval
from pyjax._src.custom_derivatives import custom_jvp
from pyjax._src.lax import lax
from pyjax._src.numpy.util import asarray_arg, canonicalize_axis, check_arraylike, promote_args_inexact

# JAX's `jax_softmax_custom_jvp` flag (default False in jax 0.10.2: softmax is
# differentiated through its operations, with the max under stop_gradient).
_SOFTMAX_FLAG = "jax_softmax_custom_jvp"


def _ensure_arraylike(name, *xs):
    check_arraylike(name, *xs)
    out = [asarray_arg(x) for x in xs]
    return out[0] if len(out) == 1 else out


def _args(*xs):
    """Arguments as arrays, as jax.jit hands them to the functions JAX jits (NumPy arrays
    keep their dtype, Python scalars become weakly typed arrays, None stays None)."""
    out = [None if x is None else asarray_arg(x) for x in xs]
    return out[0] if len(out) == 1 else out


def _check_inexact(name, x):
    dt = get_aval(x).dtype
    if not dtypes.issubdtype(dt, np.inexact):
        raise TypeError(f"{name} does not accept dtype {dtypes.dtype(dt).name}. Accepted dtypes "
                        "are subtypes of floating, complexfloating.")


def _ndim(x):
    return get_aval(x).ndim if isinstance(x, core.Array) else np.ndim(x)


def _reduction_dims(a, axis):
    """(positive axes, axes), as jax.numpy's _reduction_dims (no named axes here)."""
    nd = _ndim(a)
    if axis is None:
        return (tuple(range(nd)),) * 2
    axes = tuple(axis) if isinstance(axis, (np.ndarray, tuple, list)) else (axis,)
    canon = tuple(canonicalize_axis(x, nd) for x in axes)
    if len(canon) != len(set(canon)):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return canon, canon


# ---------------------------------------------------------------------------
# activations


def identity(x):
    """Identity activation: returns `x` (as an array) unmodified."""
    return _ensure_arraylike("identity", x)


@custom_jvp
def relu(x):
    """max(x, 0), with derivative 0 at x == 0 (JAX's custom rule)."""
    return jnp.maximum(_args(x), 0)


relu.defjvps(lambda g, ans, x: lax.select(jnp.greater(x, 0), g, lax.full_like(g, 0)))


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2."""
    x, b = _ensure_arraylike("squareplus", x, b)
    y = x + jnp.sqrt(jnp.square(x) + b)
    return y / 2


def softplus(x):
    """log(1 + exp(x)), computed as logaddexp(x, 0)."""
    return jnp.logaddexp(_args(x), 0)


def sparse_plus(x):
    """0 for x <= -1, (x + 1)**2 / 4 for -1 < x < 1, x for x >= 1."""
    x = _ensure_arraylike("sparse_plus", x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


def soft_sign(x):
    """x / (|x| + 1)."""
    x = _ensure_arraylike("soft_sign", x)
    return x / (jnp.abs(x) + 1)


def sigmoid(x):
    """1 / (1 + exp(-x)) (lax.logistic)."""
    x = _args(x)
    _check_inexact("logistic", x)
    return lax.logistic(x)


def sparse_sigmoid(x):
    """0.5 * clip(x + 1, 0, 2): the derivative of sparse_plus."""
    return 0.5 * jnp.clip(_args(x) + 1.0, 0.0, 2.0)


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    x = _ensure_arraylike("silu", x)
    return x * sigmoid(x)


swish = silu


def mish(x):
    """x * tanh(softplus(x))."""
    x = _ensure_arraylike("mish", x)
    return x * jnp.tanh(softplus(x))


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x)."""
    x = _ensure_arraylike("log_sigmoid", x)
    return -softplus(-x)


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = _ensure_arraylike("elu", x)
    alpha = _args(alpha)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0., x)))


def leaky_relu(x, negative_slope=1e-2):
    """x for x >= 0, negative_slope * x otherwise."""
    x = _ensure_arraylike("leaky_relu", x)
    negative_slope = _args(negative_slope)
    return jnp.where(x >= 0, x, negative_slope * x)


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    x = _ensure_arraylike("hard_tanh", x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


def celu(x, alpha=1.0):
    """max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    x, alpha = _args(x, alpha)
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


def selu(x):
    """scale * elu(x, alpha) with the self-normalising constants."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(_args(x), alpha)


def gelu(x, approximate=True):
    """Gaussian error linear unit; the tanh approximation by default."""
    [x] = promote_args_inexact("gelu", x)
    dt = get_aval(x).dtype
    if approximate:
        sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(dt)  # a NumPy scalar: strongly typed
        cdf = 0.5 * (1.0 + jnp.tanh(jnp.multiply(sqrt_2_over_pi, x + 0.044715 * (x ** 3))))
        return x * cdf
    sqrt_half = np.sqrt(0.5).astype(dt)
    return jnp.array(0.5 * x * lax.erfc(-x * sqrt_half), dtype=dt)


def glu(x, axis=-1):
    """x1 * sigmoid(x2), where x1, x2 are the two halves of `x` along `axis`."""
    x = _ensure_arraylike("glu", x)
    nd = get_aval(x).ndim
    axis = canonicalize_axis(axis, nd)
    size = get_aval(x).shape[axis]
    assert size % 2 == 0, "axis size must be divisible by 2"
    x1 = lax.slice_in_dim(x, 0, size // 2, axis=axis)
    x2 = lax.slice_in_dim(x, size // 2, size, axis=axis)
    return x1 * sigmoid(x2)


@custom_jvp
def relu6(x):
    """min(max(x, 0), 6), with derivative 0 at 0 and 6 (JAX's custom rule)."""
    return jnp.minimum(jnp.maximum(_args(x), 0), 6.)


relu6.defjvps(lambda g, ans, x: lax.select(jnp.logical_and(jnp.greater(x, 0), jnp.less(x, 6)),
                                           g, lax.full_like(g, 0)))


def hard_sigmoid(x):
    """relu6(x + 3) / 6."""
    return relu6(_args(x) + 3.) / 6.


def hard_silu(x):
    """x * hard_sigmoid(x) (also called hard_swish)."""
    x = _ensure_arraylike("hard_silu", x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


@custom_jvp
def log1mexp(x):
    """log(1 - exp(-x)), stably (undefined for x < 0)."""
    x = _ensure_arraylike("log1mexp", x)
    c = jnp.log(2.0)
    return jnp.where(x < c, jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))


# ---------------------------------------------------------------------------
# reductions: logsumexp, logmeanexp, softmax, log_softmax, standardize


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) over `axis`, stable, as jax.nn.logsumexp / scipy.special.

    -inf entries contribute nothing (and get zero gradient); with `return_sign` the
    result is (log|sum|, sign(sum))."""
    if where is not None:
        a = jnp.where(where, a, 0)
    if b is not None:
        a_arr, b_arr = promote_args_inexact("logsumexp", a, b)
        a_arr = jnp.where(b_arr != 0, a_arr, -np.inf)
    else:
        a_arr, = promote_args_inexact("logsumexp", a)
        b_arr = a_arr
    pos_dims, dims = _reduction_dims(a_arr, axis)
    amax = jnp.max(jnp.real(a_arr), axis=dims, keepdims=keepdims, where=where, initial=-np.inf)
    amax = lax.stop_gradient(lax.select(jnp.isfinite(amax), amax, lax.full_like(amax, 0)))
    amax_with_dims = amax if keepdims else lax.expand_dims(amax, pos_dims)
    # (jax.lax broadcasts size-1 dimensions of equal-rank operands; pyjax's lax does not,
    # so the max is broadcast explicitly.)
    exp_a = lax.exp(lax.sub(a_arr, jnp.broadcast_to(amax_with_dims.astype(a_arr.dtype),
                                                    a_arr.shape)))
    if b is not None:
        exp_a = lax.mul(exp_a, b_arr)
    sumexp = exp_a.sum(axis=dims, keepdims=keepdims, where=where)
    sign = lax.sign(sumexp)
    if return_sign or not dtypes.issubdtype(a_arr.dtype, np.complexfloating):
        sumexp = abs(sumexp)
    out = lax.add(lax.log(sumexp), amax.astype(sumexp.dtype))
    if return_sign:
        return out, sign
    if b is not None and not dtypes.issubdtype(out.dtype, np.complexfloating):
        with config.override(jax_debug_nans=False):
            out = jnp.where(sign < 0, jnp.array(np.nan, dtype=out.dtype), out)
    return out


def _count(x, axis, where, keepdims, dtype):
    if where is None:
        shape = get_aval(x).shape if isinstance(x, core.Array) else np.shape(x)
        _, dims = _reduction_dims(x, axis)
        n = int(np.prod([shape[d] for d in dims], dtype=np.int64))
        return lax.convert_element_type(n, dtype)
    where = jnp.broadcast_to(where, get_aval(asarray_arg(x)).shape)
    return jnp.sum(where, axis, dtype=dtype, keepdims=keepdims)


def logmeanexp(x, axis=None, where=None, keepdims=False):
    """logsumexp(x) - log(n), n the number of elements reduced."""
    x, where = _args(x, where)
    lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    count = _count(x, axis, where, keepdims, lse.dtype)
    return lse - jnp.log(count)


def log_softmax(x, axis=-1, where=None):
    """x - logsumexp(x) along `axis`; masked-out entries (where=False) are -inf."""
    x = _ensure_arraylike("log_softmax", x)
    where = _args(where)
    x_max = jnp.max(x, axis, where=where, initial=-np.inf, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    shifted = x_safe - lax.stop_gradient(x_max)
    shifted_logsumexp = jnp.log(jnp.sum(jnp.exp(shifted), axis, where=where, keepdims=True))
    result = shifted - shifted_logsumexp
    if where is not None:
        return jnp.where(where, result, -np.inf)
    return result


def softmax(x, axis=-1, where=None):
    """exp(x) / sum(exp(x)) along `axis`; masked-out entries (where=False) are 0.

    With the `jax_softmax_custom_jvp` flag on (as in JAX) the derivative is JAX's
    custom rule y * (x_dot - sum(y * x_dot)); otherwise it goes through the
    operations with the max under stop_gradient (JAX's default)."""
    if config._values.get(_SOFTMAX_FLAG, False):
        return _softmax(x, axis, where, -np.inf)
    return _softmax_deprecated(x, axis, where)


def _softmax_body(x, axis, where, initial, stop_max):
    x_max = jnp.max(x, axis, where=where, initial=initial, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, initial)
    if stop_max:
        x_max = lax.stop_gradient(x_max)
    unnormalized = jnp.exp(x_safe - x_max)
    result = unnormalized / jnp.sum(unnormalized, axis, where=where, keepdims=True)
    if where is not None:
        result = jnp.where(where, result, 0)
    return result


def _softmax_impl(x, axis=-1, where=None, initial=-np.inf):
    return _softmax_body(x, axis, where, initial, stop_max=False)


_softmax = custom_jvp(_softmax_impl, nondiff_argnums=(1,))


@_softmax.defjvp
def _softmax_jvp(axis, primals, tangents):
    (x, where, initial), (x_dot, _, _) = primals, tangents
    y = _softmax(x, axis, where, initial)
    return y, y * (x_dot - (y * x_dot).sum(axis, where=where, keepdims=True))


def _softmax_deprecated(x, axis=-1, where=None, initial=-np.inf):
    return _softmax_body(x, axis, where, initial, stop_max=True)


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm="fast"):
    """(x - mean) / sqrt(variance + epsilon), statistics over `axis` unless given."""
    check_arraylike("standardize", x)
    for v in (mean, variance, where):
        if v is not None:
            check_arraylike("standardize", v)
    x, mean, variance, epsilon, where = _args(x, mean, variance, epsilon, where)
    if mean is None:
        mean = jnp.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        if algorithm == "stable":
            variance = jnp.mean(jnp.square(jnp.subtract(x, mean)), axis, keepdims=True,
                                where=where)
        elif algorithm == "fast":
            variance = jnp.mean(jnp.square(x), axis, keepdims=True, where=where) - jnp.square(mean)
            variance = jnp.clip(variance, 0)
        else:
            raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
    return jnp.subtract(x, mean) * lax.rsqrt(variance + epsilon)


# ---------------------------------------------------------------------------
# one_hot


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """One-hot encoding of integer indices; indices outside [0, num_classes) give zeros.

    `axis` may also name a vmap/pmap axis, whose size must equal `num_classes`."""
    num_classes = core.concrete_or_error(
        num_classes, "The error arose in jax.nn.one_hot argument `num_classes`.") \
        if isinstance(num_classes, core.Tracer) else num_classes
    num_classes = operator.index(num_classes)
    x = jnp.asarray(x)
    if not dtypes.isdtype(x.dtype, "integral"):
        import warnings
        warnings.warn(f"jax.nn.one_hot input should be integer-typed; got dtype={x.dtype}",
                      DeprecationWarning, stacklevel=2)
    dtype = dtypes.default_float_dtype() if dtype is None else dtype
    nd = get_aval(x).ndim
    try:
        out_axis = canonicalize_axis(axis, nd + 1)
    except TypeError:
        axis_size = lax.axis_size(axis)
        if num_classes != axis_size:
            raise ValueError(f"Expected num_classes to match the size of axis {axis}, "
                             f"but {num_classes} != {axis_size}") from None
        axis_idx = lax.axis_index(axis)
        return jnp.asarray(x == axis_idx, dtype=dtype)
    lhs = lax.expand_dims(x, (operator.index(axis),))
    rhs_shape = [1] * nd
    rhs_shape.insert(out_axis, num_classes)
    rhs = lax.broadcasted_iota(x.dtype, rhs_shape, out_axis)
    return (lhs == rhs).astype(dtype)


# ---------------------------------------------------------------------------
# dot_product_attention


def _get_large_negative(dtype):
    dtype_max = float(dtypes.finfo(dtype).max)
    dtype_max = min(dtype_max, float(dtypes.finfo(np.float32).max))
    return jnp.asarray(-0.7 * dtype_max, dtype=dtype)


def _causal_mask(T, S):
    return jnp.tril(jnp.ones((T, S), dtype=bool))


def _window_mask(T, S, local_window_size):
    query_pos = lax.broadcasted_iota(np.int32, (T, S), 0)
    key_pos = lax.broadcasted_iota(np.int32, (T, S), 1)
    left, right = local_window_size
    left_mask = query_pos <= key_pos + left
    right_mask = query_pos >= key_pos - right
    return jnp.logical_and(right_mask, left_mask)


def _padding_mask_logits(T, S, q_seqlen, kv_seqlen):
    """(B, T, S) mask of the valid (query, key) pairs."""
    q_mask = True
    kv_mask = True
    if q_seqlen is not None:
        q_mask = jnp.arange(0, T)[None, :, None] < q_seqlen[:, None, None]
    if kv_seqlen is not None:
        kv_mask = jnp.arange(0, S)[None, None, :] < kv_seqlen[:, None, None]
    return jnp.logical_and(q_mask, kv_mask)


def _grouped(t, K, G):
    """A (tB, tN, tT, tS) bias or mask as (tB, K|1, G|1, tT, tS), head n = k * G + g."""
    if t is None:
        return None
    tB, tN, tT, tS = t.shape
    if tN == 1:
        return lax.expand_dims(t, (2,))
    if tN != K * G:
        raise ValueError(f"bias/mask head dimension must be 1 or {K * G}, got {tN}")
    return jnp.reshape(t, (tB, K, G, tT, tS))


def _dot_product_attention_xla(query, key, value, bias, mask, is_causal, scale, q_seqlen,
                               kv_seqlen, local_window_size, return_residual):
    B, T, N, H = query.shape
    _, S, K, _ = key.shape
    G = N // K
    query = jnp.reshape(query, (B, T, K, G, H))
    bias = _grouped(bias, K, G)
    mask = _grouped(mask, K, G)

    logits_dtype = jnp.promote_types(query.dtype, np.float32)
    logits = jnp.einsum("BTKGH,BSKH->BKGTS", query, key, preferred_element_type=logits_dtype)
    logits = logits * jnp.array(scale, dtype=logits.dtype)
    if bias is not None:
        logits = (logits + bias).astype(logits.dtype)

    if (mask is not None or is_causal or q_seqlen is not None or kv_seqlen is not None
            or local_window_size is not None):
        combined = jnp.ones_like(logits, dtype=bool)
        if mask is not None:
            if mask.dtype != np.dtype(bool):
                raise ValueError(f"mask dtype should be bool, but got {mask.dtype}")
            combined = jnp.logical_and(combined, mask)
        if is_causal:
            combined = jnp.logical_and(combined, _causal_mask(T, S))
        if local_window_size is not None:
            combined = jnp.logical_and(combined, _window_mask(T, S, local_window_size))
        if q_seqlen is not None or kv_seqlen is not None:
            pad = _padding_mask_logits(T, S, q_seqlen, kv_seqlen)
            combined = jnp.logical_and(combined, pad[:, None, None, :, :])
        logits = jnp.where(combined, logits, _get_large_negative(logits.dtype))

    # The softmax is always carried out in float32, as in JAX.
    logits = logits.astype(np.float32)
    probs = softmax(logits, axis=-1).astype(key.dtype)
    encoded = jnp.einsum("BKGTS,BSKH->BTKGH", probs, value)
    if q_seqlen is not None:
        q_valid = jnp.arange(0, T)[None, :] < q_seqlen[:, None]
        encoded = encoded * q_valid[:, :, None, None, None].astype(encoded.dtype)
    encoded = jnp.reshape(encoded, (B, T, N, H))
    if return_residual:
        lse = logsumexp(logits, axis=-1).astype(key.dtype)        # B K G T
        lse = jnp.reshape(jnp.transpose(lse, (0, 3, 1, 2)), (B, T, N))
        return encoded, lax.stop_gradient(lse)
    return encoded


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal=False, query_seq_lengths=None, key_value_seq_lengths=None,
                          local_window_size=None, implementation=None, return_residual=False):
    """softmax(Q K^T * scale + bias) V per head, as jax.nn.dot_product_attention.

    Shapes: query (B, T, N, H) or (T, N, H); key and value (B, S, K, H) or (S, K, H)
    with N a multiple of K (grouped-query attention); bias and mask broadcastable to
    (B, N, T, S). `mask` is boolean (True takes part). Only the 'xla' implementation
    (also `None`) exists."""
    output_shape = jnp.asarray(query).shape
    residual_shape = output_shape[:-1]

    def ensure_4d(t):
        t = jnp.asarray(t)
        extra = 4 - t.ndim
        return lax.expand_dims(t, tuple(range(extra))) if extra > 0 else t

    query_arr, key_arr, value_arr = ensure_4d(query), ensure_4d(key), ensure_4d(value)
    bias = ensure_4d(bias) if bias is not None else None
    mask = ensure_4d(mask) if mask is not None else None
    if query_seq_lengths is not None:
        query_seq_lengths = jnp.asarray(query_seq_lengths)
    if key_value_seq_lengths is not None:
        key_value_seq_lengths = jnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)

    def check(t, shape, dtype, name):
        if t is None:
            return
        if t.ndim != len(shape):
            raise ValueError(f"{name} ndim should be {len(shape)}, but got {t.ndim}")
        if dtype is not None and t.dtype != dtype:
            raise ValueError(f"{name} dtype should be {dtype}, but got {t.dtype}")
        for i in range(t.ndim):
            if shape[i] != -1 and t.shape[i] != shape[i]:
                raise ValueError(f"{name} shape should be {shape}: but got {t.shape}")

    B, S, K, H = key_arr.shape
    check(value_arr, [B, S, K, H], key_arr.dtype, "value")
    check(query_arr, [B, -1, -1, H], key_arr.dtype, "query")
    check(mask, [-1] * 4, np.dtype(bool), "mask")
    check(bias, [-1] * 4, None, "bias")
    check(query_seq_lengths, [B], np.dtype("int32"), "query_seq_lengths")
    check(key_value_seq_lengths, [B], np.dtype("int32"), "key_value_seq_lengths")
    if query_arr.shape[-2] % K != 0:
        raise ValueError(f"The number of query heads must be a multiple of key/value heads, "
                         f"but got {query_arr.shape[-2]} vs {K}")
    scale_val = (1.0 / np.sqrt(H)) if scale is None else scale

    if implementation == "cudnn":
        raise NotImplementedError("dot_product_attention: the 'cudnn' implementation needs a "
                                  "GPU back end, which pyjax does not have; use 'xla' or None.")
    if implementation not in (None, "xla"):
        raise ValueError(f"Unsupported implementation option: {implementation}")
    out = _dot_product_attention_xla(
        query_arr, key_arr, value_arr, bias, mask, is_causal=is_causal, scale=scale_val,
        q_seqlen=query_seq_lengths, kv_seqlen=key_value_seq_lengths,
        local_window_size=local_window_size, return_residual=return_residual)
    if return_residual:
        out, residual = out
        return jnp.reshape(out, output_shape), jnp.reshape(residual, residual_shape)
    return jnp.reshape(out, output_shape)
