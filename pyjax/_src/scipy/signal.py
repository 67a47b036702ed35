"""jax.scipy.signal's direct convolutions, as sums of shifted slices (no conv primitive).

_convolve_nd pads the larger operand as JAX's conv_general_dilated call would, then adds
up, for every tap of the (flipped) smaller operand, that tap times the matching window of
the padded input: one slice per tap, stacked and contracted with the taps in one dot.
"""
import itertools
import math

import numpy as np

from pyjax._src.lax import lax
from pyjax._src.scipy import _util


def _jnp():
    import pyjax.numpy
    return pyjax.numpy


def _correlate_valid(x, k, padding):
    """sum_j x_padded[i + j] * k[j] for all valid i (XLA's convolution, which correlates)."""
    J = _jnp()
    x = lax.pad(x, _util.const(x, 0), [(lo, hi, 0) for lo, hi in padding])
    out_shape = tuple(n - m + 1 for n, m in zip(x.shape, k.shape))
    if any(s <= 0 for s in out_shape):
        raise ValueError(f"convolution output would be empty: input {x.shape}, kernel {k.shape}")
    windows = []
    for offset in itertools.product(*[range(m) for m in k.shape]):
        windows.append(lax.slice(x, offset, tuple(o + s for o, s in zip(offset, out_shape))))
    stacked = J.stack(windows, axis=-1)
    taps = J.reshape(k, (math.prod(k.shape),))
    return lax.dot_general(stacked, taps, (((stacked.ndim - 1,), (0,)), ((), ())))


def _convolve_nd(in1, in2, mode, *, precision=None):
    J = _jnp()
    if mode not in ["full", "same", "valid"]:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    in1, in2 = J.asarray(in1), J.asarray(in2)
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 must have the same number of dimensions")
    if in1.size == 0 or in2.size == 0:
        raise ValueError(f"zero-size arrays not supported in convolutions, got shapes "
                         f"{in1.shape} and {in2.shape}.")
    in1, in2 = _util.promote_dtypes_inexact(in1, in2)
    no_swap = all(s1 >= s2 for s1, s2 in zip(in1.shape, in2.shape))
    swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
    if not (no_swap or swap):
        raise ValueError("One input must be smaller than the other in every dimension.")
    shape_o = in2.shape
    if swap:
        in1, in2 = in2, in1
    shape = in2.shape
    in2 = J.flip(in2)
    if mode == "valid":
        padding = [(0, 0) for _ in shape]
    elif mode == "same":
        padding = [(s - 1 - (s_o - 1) // 2, s - s_o + (s_o - 1) // 2)
                   for s, s_o in zip(shape, shape_o)]
    else:
        padding = [(s - 1, s - 1) for s in shape]
    return _correlate_valid(in1, in2, padding)


def convolve(in1, in2, mode="full", method="auto", precision=None):
    """N-dimensional convolution (direct method; method='fft' is not available)."""
    if method == "fft":
        raise NotImplementedError("convolve(method='fft') needs FFTs, which pyjax lacks")
    if method not in ["direct", "auto"]:
        raise ValueError(f"Got method={method!r}; expected 'auto', 'fft', or 'direct'.")
    return _convolve_nd(in1, in2, mode, precision=precision)


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError("convolve2d() only supports boundary='fill', fillvalue=0")
    if np.ndim(in1) != 2 or np.ndim(in2) != 2:
        raise ValueError("convolve2d() only supports 2-dimensional inputs.")
    return _convolve_nd(in1, in2, mode, precision=precision)


def correlate(in1, in2, mode="full", method="auto", precision=None):
    """N-dimensional cross-correlation (direct method)."""
    J = _jnp()
    in2 = J.asarray(in2)
    return convolve(in1, J.flip(J.conj(in2)), mode, precision=precision, method=method)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, precision=None):
    J = _jnp()
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError("correlate2d() only supports boundary='fill', fillvalue=0")
    if np.ndim(in1) != 2 or np.ndim(in2) != 2:
        raise ValueError("correlate2d() only supports 2-dimensional inputs.")
    in1, in2 = J.asarray(in1), J.asarray(in2)
    swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
    same_shape = all(s1 == s2 for s1, s2 in zip(in1.shape, in2.shape))
    if mode == "same":
        in1, in2 = J.flip(in1), J.conj(in2)
        result = J.flip(_convolve_nd(in1, in2, mode, precision=precision))
    elif mode == "valid":
        if swap and not same_shape:
            in1, in2 = J.flip(in2), J.conj(in1)
            result = _convolve_nd(in1, in2, mode, precision=precision)
        else:
            in1, in2 = J.flip(in1), J.conj(in2)
            result = J.flip(_convolve_nd(in1, in2, mode, precision=precision))
    else:
        if swap:
            in1, in2 = J.flip(in2), J.conj(in1)
            result = J.conj(_convolve_nd(in1, in2, mode, precision=precision))
        else:
            in1, in2 = J.flip(in1), J.conj(in2)
            result = J.flip(_convolve_nd(in1, in2, mode, precision=precision))
    return result

