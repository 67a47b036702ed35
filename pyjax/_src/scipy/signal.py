"""jax.scipy.signal's convolutions: direct ones through lax.conv_general_dilated (as JAX),
and fftconvolve through pyjax.numpy.fft.

XLA's convolution correlates, so _convolve_nd flips the smaller operand and pads the
larger one by the amounts each `mode` needs.
"""
import functools

import numpy as np

from pyjax._src.lax.convolution import conv_general_dilated
from pyjax._src.numpy.util import canonicalize_axis, promote_dtypes_inexact


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


def fftconvolve(in1, in2, mode="full", axes=None):
    """N-dimensional convolution by FFTs over `axes` (all by default); over the other axes
    the inputs must have one shape and are convolved slice by slice (as JAX's vmap)."""
    from pyjax._src import api
    J = _jnp()
    in1, in2 = promote_dtypes_inexact(J.asarray(in1), J.asarray(in2))
    if in1.ndim != in2.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if mode not in ["full", "same", "valid"]:
        raise ValueError(f"Unrecognized mode={mode!r}")
    axes = range(in1.ndim) if axes is None else (axes if np.ndim(axes) else (axes,))
    axes = tuple(canonicalize_axis(a, in1.ndim) for a in axes)
    mapped = sorted(set(range(in1.ndim)) - set(axes))
    if any(in1.shape[i] != in2.shape[i] for i in mapped):
        raise ValueError(f"mapped axes must have same shape; got in1.shape={in1.shape} "
                         f"in2.shape={in2.shape} axes={axes}")
    fn = functools.partial(_fftconvolve_unbatched, mode=mode)
    # The outermost vmap takes the highest mapped axis, so the lower axes an inner vmap
    # maps keep their positions.
    for ax in mapped:
        fn = api.vmap(fn, in_axes=ax, out_axes=ax)
    return fn(in1, in2)


def _fftconvolve_unbatched(in1, in2, mode):
    J = _jnp()
    full_shape = tuple(s1 + s2 - 1 for s1, s2 in zip(in1.shape, in2.shape))
    if mode == "valid":
        no_swap = all(s1 >= s2 for s1, s2 in zip(in1.shape, in2.shape))
        swap = all(s1 <= s2 for s1, s2 in zip(in1.shape, in2.shape))
        if not (no_swap or swap):
            raise ValueError("For 'valid' mode, One input must be at least as large as the "
                             "other in every dimension.")
        if swap:
            in1, in2 = in2, in1
    # Real inputs use the half-spectrum transforms, so the result stays real.
    if J.isrealobj(in1) and J.isrealobj(in2):
        fft, ifft = J.fft.rfftn, J.fft.irfftn
    else:
        fft, ifft = J.fft.fftn, J.fft.ifftn
    conv = ifft(fft(in1, full_shape) * fft(in2, full_shape), full_shape)
    if mode == "full":
        out_shape = full_shape
    elif mode == "same":
        out_shape = in1.shape
    else:
        out_shape = tuple(s1 - s2 + 1 for s1, s2 in zip(in1.shape, in2.shape))
    start = tuple((f - o) // 2 for f, o in zip(full_shape, out_shape))
    return conv[tuple(slice(b, b + o) for b, o in zip(start, out_shape))]


def convolve(in1, in2, mode="full", method="auto", precision=None):
    """N-dimensional convolution: direct ('direct', 'auto') or by FFTs ('fft')."""
    if mode not in ["full", "same", "valid"]:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    if method == "fft":
        return fftconvolve(in1, in2, mode=mode)
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

