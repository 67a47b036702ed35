"""jax.scipy.signal's direct convolutions, through lax.conv_general_dilated (as JAX).

XLA's convolution correlates, so _convolve_nd flips the smaller operand and pads the
larger one by the amounts each `mode` needs.
"""
import numpy as np

from pyjax._src.lax.convolution import conv_general_dilated
from pyjax._src.numpy.util import promote_dtypes_inexact


def _jnp():
    import pyjax.numpy
    return pyjax.numpy


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
    in1, in2 = promote_dtypes_inexact(in1, in2)
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
    strides = tuple(1 for _ in shape)
    # One batch and one feature dimension around the spatial ones (lhs NCH..., rhs OIH...).
    result = conv_general_dilated(in1[None, None], in2[None, None], strides, padding,
                                  precision=precision)
    return result[0, 0]


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

