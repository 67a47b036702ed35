"""pyjax.numpy.fft: NumPy's FFT functions with JAX's semantics.

Every transform moves its axes to the end, crops or zero-pads them to the requested
lengths (`n` / `s`) and applies the lax fft primitive (composing N > 3 dimensional
transforms from transforms of at most three axes), then applies the `norm` scaling.
"""
import math
import operator

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax
from pyjax._src.lax.fft import FftType
from pyjax._src.lax.fft import fft as lax_fft
from pyjax._src.numpy import util


def _jnp():
    import pyjax.numpy as jnp
    return jnp


def _shape(x):
    return get_aval(x).shape


def _ndim(x):
    return get_aval(x).ndim


def _asarray(name, a):
    util.check_arraylike(name, a)
    return util.asarray_arg(a)


def _moveaxis(x, src, dst):
    nd = _ndim(x)
    src = [s % nd for s in src]
    dst = [d % nd for d in dst]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    if order == list(range(nd)):
        return x
    return lax.transpose(x, tuple(order))


def _fft_norm(s, func_name, norm, dtype):
    if norm == "backward":
        return None
    n = float(math.prod(s))
    if norm == "ortho":
        f = math.sqrt(n) if func_name.startswith("i") else 1 / math.sqrt(n)
    elif norm == "forward":
        f = n if func_name.startswith("i") else 1 / n
    else:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         '"forward".')
    return f


def _fft_core_nd(arr, fft_type, s):
    # the primitive transforms at most three axes: compose larger transforms
    if len(s) <= 3:
        return lax_fft(arr, fft_type, tuple(s))
    n = 2 if len(s) == 4 else 3
    nd = _ndim(arr)
    src = tuple(range(nd - len(s), nd - n))
    dst = tuple(range(nd - len(s) + n, nd))
    if fft_type in (FftType.RFFT, FftType.FFT):
        arr = lax_fft(arr, fft_type, tuple(s)[-n:])
        arr = _moveaxis(arr, src, dst)
        arr = _fft_core_nd(arr, FftType.FFT, s[:-n])
        return _moveaxis(arr, dst, src)
    arr = _moveaxis(arr, src, dst)
    arr = _fft_core_nd(arr, FftType.IFFT, s[:-n])
    arr = _moveaxis(arr, dst, src)
    return lax_fft(arr, fft_type, tuple(s)[-n:])


def _fft_core(func_name, fft_type, a, s, axes, norm):
    full_name = f"jax.numpy.fft.{func_name}"
    arr = _asarray(full_name, a)
    if s is not None:
        s = tuple(operator.index(x) for x in s)
        if any(x <= 0 for x in s):
            raise ValueError("Shape should be positive.")
    if s is not None and axes is not None and len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    orig_axes = axes
    nd = _ndim(arr)
    if axes is None:
        axes = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
    else:
        axes = tuple(util.canonicalize_axis(ax, nd) for ax in axes)
    if len(axes) != len(set(axes)):
        raise ValueError(f"{full_name} does not support repeated axes. Got axes {orig_axes}.")
    if orig_axes is not None:
        new_axes = tuple(range(nd - len(axes), nd))
        arr = _moveaxis(arr, axes, new_axes)
        moved_from, axes = axes, new_axes
    if s is not None:
        in_s = list(_shape(arr))
        for ax, x in zip(axes, s):
            in_s[ax] = x
        if fft_type == FftType.IRFFT:
            in_s[-1] = in_s[-1] // 2 + 1
        shape = _shape(arr)
        crop = [min(a, b) for a, b in zip(in_s, shape)]
        if tuple(crop) != shape:
            arr = lax.slice(arr, (0,) * nd, tuple(crop))
        if tuple(in_s) != tuple(crop):
            zero = lax.full((), 0, get_aval(arr).dtype)
            arr = lax.pad(arr, zero, [(0, x - y, 0) for x, y in zip(in_s, crop)])
    else:
        shape = _shape(arr)
        if fft_type == FftType.IRFFT:
            s = [shape[ax] for ax in axes[:-1]]
            if axes:
                s.append(max(0, 2 * (shape[axes[-1]] - 1)))
        else:
            s = [shape[ax] for ax in axes]
    transformed = _fft_core_nd(arr, fft_type, s) if s else _convert(arr, fft_type)
    if norm is not None:
        f = _fft_norm(s, func_name, norm, get_aval(transformed).dtype)
        if f is not None:
            transformed = lax.mul(transformed, lax.full(_shape(transformed), f,
                                                        get_aval(transformed).dtype))
    if orig_axes is not None:
        transformed = _moveaxis(transformed, axes, moved_from)
    return transformed


def _convert(arr, fft_type):
    return lax_fft(arr, fft_type, ())


def fftn(a, s=None, axes=None, norm=None):
    return _fft_core("fftn", FftType.FFT, a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm=None):
    return _fft_core("ifftn", FftType.IFFT, a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm=None):
    return _fft_core("rfftn", FftType.RFFT, a, s, axes, norm)


def irfftn(a, s=None, axes=None, norm=None):
    return _fft_core("irfftn", FftType.IRFFT, a, s, axes, norm)


def _axis_check_1d(func_name, axis):
    if isinstance(axis, (list, tuple)):
        full = f"jax.numpy.fft.{func_name}"
        raise ValueError(f"{full} does not support multiple axes. Please use {full}n. "
                         f"Got axis = {axis!r}.")


def _fft_core_1d(func_name, fft_type, a, n, axis, norm):
    _axis_check_1d(func_name, axis)
    axes = None if axis is None else [axis]
    s = None if n is None else [n]
    return _fft_core(func_name, fft_type, a, s, axes, norm)


def fft(a, n=None, axis=-1, norm=None):
    return _fft_core_1d("fft", FftType.FFT, a, n, axis, norm)


def ifft(a, n=None, axis=-1, norm=None):
    return _fft_core_1d("ifft", FftType.IFFT, a, n, axis, norm)


def rfft(a, n=None, axis=-1, norm=None):
    return _fft_core_1d("rfft", FftType.RFFT, a, n, axis, norm)


def irfft(a, n=None, axis=-1, norm=None):
    return _fft_core_1d("irfft", FftType.IRFFT, a, n, axis, norm)


def hfft(a, n=None, axis=-1, norm=None):
    """FFT of a signal with Hermitian symmetry (a real spectrum), as numpy.fft.hfft."""
    _axis_check_1d("hfft", axis)
    a = _asarray("jax.numpy.fft.hfft", a)
    conj_a = _jnp().conj(a)
    nn = (_shape(conj_a)[axis] - 1) * 2 if n is None else n
    out = _fft_core_1d("hfft", FftType.IRFFT, conj_a, n, axis, norm)
    return lax.mul(out, lax.full(_shape(out), nn, get_aval(out).dtype))


def ihfft(a, n=None, axis=-1, norm=None):
    """Inverse of hfft, as numpy.fft.ihfft."""
    _axis_check_1d("ihfft", axis)
    arr = _asarray("jax.numpy.fft.ihfft", a)
    nn = _shape(arr)[axis] if n is None else n
    out = _fft_core_1d("ihfft", FftType.RFFT, arr, n, axis, norm)
    out = lax.conj(out)
    return lax.mul(out, lax.full(_shape(out), 1 / nn, get_aval(out).dtype))


def _fft_core_2d(func_name, fft_type, a, s, axes, norm):
    if len(axes) != 2:
        raise ValueError(f"jax.numpy.fft.{func_name} only supports 2 axes. Got axes = {axes!r}.")
    return _fft_core(func_name, fft_type, a, s, axes, norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    return _fft_core_2d("fft2", FftType.FFT, a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    return _fft_core_2d("ifft2", FftType.IFFT, a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    return _fft_core_2d("rfft2", FftType.RFFT, a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    return _fft_core_2d("irfft2", FftType.IRFFT, a, s, axes, norm)


def _freq_dtype(dtype):
    return dtypes.canonicalize_dtype(dtype if dtype is not None else dtypes.default_float_dtype())


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """Sample frequencies of fft/ifft outputs."""
    if isinstance(n, (list, tuple)):
        raise ValueError(f"The n argument of jax.numpy.fft.fftfreq only takes an int. Got "
                         f"n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"The d argument of jax.numpy.fft.fftfreq only takes a single value. "
                         f"Got d = {list(d)}.")
    jnp = _jnp()
    out_dtype = _freq_dtype(dtype)
    dt = np.dtype(np.finfo(dtypes.to_inexact_dtype(out_dtype)).dtype)
    n = operator.index(n)
    i = jnp.arange(n, dtype=dt)
    k = (i + n // 2) % n - n // 2
    return (k / jnp.asarray(d * n, dtype=dt)).astype(out_dtype)


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    """Sample frequencies of rfft outputs."""
    if isinstance(n, (list, tuple)):
        raise ValueError(f"The n argument of jax.numpy.fft.rfftfreq only takes an int. Got "
                         f"n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"The d argument of jax.numpy.fft.rfftfreq only takes a single value. "
                         f"Got d = {list(d)}.")
    jnp = _jnp()
    dt = _freq_dtype(dtype)
    n = operator.index(n)
    k = jnp.arange(n // 2 + 1, dtype=dt)
    return k / jnp.asarray(d * n, dtype=dt)


def _roll(x, shifts, axes):
    for shift, ax in zip(shifts, axes):
        size = _shape(x)[ax]
        if size == 0:
            continue
        shift = shift % size
        if shift == 0:
            continue
        a = lax.slice_in_dim(x, size - shift, size, axis=ax)
        b = lax.slice_in_dim(x, 0, size - shift, axis=ax)
        x = lax.concatenate([a, b], ax)
    return x


def _shift_axes(x, axes):
    nd = _ndim(x)
    if axes is None:
        return tuple(range(nd))
    if isinstance(axes, int):
        return (util.canonicalize_axis(axes, nd),)
    return tuple(util.canonicalize_axis(a, nd) for a in axes)


def fftshift(x, axes=None):
    """Shift the zero-frequency component to the center."""
    x = _asarray("fftshift", x)
    axes = _shift_axes(x, axes)
    return _roll(x, [_shape(x)[ax] // 2 for ax in axes], axes)


def ifftshift(x, axes=None):
    """Inverse of fftshift."""
    x = _asarray("ifftshift", x)
    axes = _shift_axes(x, axes)
    return _roll(x, [-(_shape(x)[ax] // 2) for ax in axes], axes)


__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]
