"""The fft primitive: FFT, IFFT, RFFT and IRFFT over the last 1-3 axes.

The operation is linear, so its jvp applies it to the tangent and its transpose is another
FFT (the DFT matrix is symmetric):

  FFT / IFFT  the same transform of the cotangent
  RFFT        x -> slice(FFT(complex(x))): transpose = real(FFT(zero-padded cotangent))
  IRFFT       transpose = conj(RFFT(cotangent) * mask / n), the mask doubling the bins that
              RFFT keeps once for a Hermitian-symmetric pair (JAX's convention)
"""
import enum
import math

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import Zero, is_undefined
from pyjax._src.interpreters.batching import moveaxis
from pyjax._src.lax import lax as L


class FftType(enum.IntEnum):
    """Which FFT to perform."""
    FFT = 0    # complex -> complex, forward
    IFFT = 1   # complex -> complex, inverse (scaled by 1/n)
    RFFT = 2   # real -> complex, forward (last axis n // 2 + 1)
    IRFFT = 3  # complex -> real, inverse


def _fft_type(t):
    if isinstance(t, FftType):
        return t
    if isinstance(t, str):
        try:
            return FftType[t.upper()]
        except KeyError:
            raise ValueError(f"Unknown FFT type '{t}'") from None
    if isinstance(t, int) and not isinstance(t, bool) and 0 <= t <= 3:
        return FftType(t)
    raise TypeError(f"Unknown FFT type value '{t}'")


def _complex_dtype(dt):
    dt = np.dtype(dt)
    if dtypes.issubdtype(dt, np.complexfloating):
        return dt
    return np.dtype(np.complex128) if dt == np.float64 else np.dtype(np.complex64)


def _real_dtype(dt):
    dt = np.dtype(dt)
    return np.dtype(np.finfo(dt).dtype) if dtypes.issubdtype(dt, np.complexfloating) else dt


def _fft_abstract(x, *, fft_type, fft_lengths):
    k = len(fft_lengths)
    if not 1 <= k <= 3:
        raise ValueError(f"fft supports 1 to 3 transformed axes, got fft_lengths {fft_lengths}")
    if k > x.ndim:
        raise ValueError(f"FFT input shape {x.shape} must have at least as many input "
                         f"dimensions as fft_lengths {fft_lengths}.")
    tail = x.shape[x.ndim - k:]
    if fft_type == FftType.RFFT:
        if x.dtype not in (np.float32, np.float64):
            raise ValueError(f"RFFT input must be float32 or float64, got {x.dtype}")
        if tail != fft_lengths:
            raise ValueError(f"RFFT input shape {x.shape} minor dimensions must be equal to "
                             f"fft_lengths {fft_lengths}")
        return (x.shape[:x.ndim - k] + fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,),
                _complex_dtype(x.dtype))
    if not dtypes.issubdtype(x.dtype, np.complexfloating):
        raise ValueError(f"{fft_type.name} input must be complex64 or complex128, got {x.dtype}")
    if fft_type == FftType.IRFFT:
        if tail[:-1] != fft_lengths[:-1] or tail[-1] != fft_lengths[-1] // 2 + 1:
            raise ValueError(f"IRFFT input shape {x.shape} minor dimensions must be equal to "
                             f"all except the last fft_length, and the last must be "
                             f"fft_lengths[-1] // 2 + 1, got fft_lengths={fft_lengths}")
        return x.shape[:x.ndim - k] + fft_lengths, _real_dtype(x.dtype)
    if tail != fft_lengths:
        raise ValueError(f"FFT input shape {x.shape} minor dimensions must be equal to "
                         f"fft_lengths {fft_lengths}")
    return x.shape, x.dtype


def _fft_impl(x, *, fft_type, fft_lengths):
    k = len(fft_lengths)
    axes = tuple(range(x.ndim - k, x.ndim))
    shape, dtype = _fft_abstract(get_aval(x), fft_type=fft_type, fft_lengths=fft_lengths)
    if 0 in shape or 0 in x.shape:
        return np.zeros(shape, dtype)
    if fft_type == FftType.FFT:
        out = np.fft.fftn(x, axes=axes)
    elif fft_type == FftType.IFFT:
        out = np.fft.ifftn(x, axes=axes)
    elif fft_type == FftType.RFFT:
        out = np.fft.rfftn(x, axes=axes)
    else:
        out = np.fft.irfftn(x, s=fft_lengths, axes=axes)
    return np.asarray(out).astype(dtype, copy=False)


def _fft_jvp(primals, tangents, *, fft_type, fft_lengths):
    x, = primals
    t, = tangents
    out = fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths)
    if type(t) is Zero:
        return out, Zero(get_aval(out))
    return out, fft_p.bind(t, fft_type=fft_type, fft_lengths=fft_lengths)


def _rfft_transpose(ct, fft_lengths):
    # rfft(x) = slice(FFT(complex(x))): pad the cotangent back, FFT, take the real part.
    shape = get_aval(ct).shape
    n = fft_lengths[-1]
    pad = [(0, 0, 0)] * (len(shape) - 1) + [(0, n - shape[-1], 0)]
    full = L.pad(ct, L.full((), 0, get_aval(ct).dtype), pad)
    return L.real(fft_p.bind(full, fft_type=FftType.FFT, fft_lengths=fft_lengths))


def _irfft_transpose(ct, fft_lengths):
    x = fft_p.bind(ct, fft_type=FftType.RFFT, fft_lengths=fft_lengths)
    shape = get_aval(x).shape
    dt = get_aval(x).dtype
    n = shape[-1]
    is_odd = fft_lengths[-1] % 2
    mask = np.concatenate([np.ones(1), np.full(n - 2 + is_odd, 2.0), np.ones(1 - is_odd)])
    mask = mask[:n] / math.prod(fft_lengths)
    m = L.broadcast_in_dim(L.asarray(mask.astype(dt)), shape, (len(shape) - 1,))
    return L.conj(L.mul(m, x))


def _fft_transpose(ct, x, *, fft_type, fft_lengths):
    assert is_undefined(x)
    if type(ct) is Zero:
        return [Zero(x.aval)]
    if fft_type == FftType.RFFT:
        return [_rfft_transpose(ct, fft_lengths)]
    if fft_type == FftType.IRFFT:
        return [_irfft_transpose(ct, fft_lengths)]
    return [fft_p.bind(ct, fft_type=fft_type, fft_lengths=fft_lengths)]


def _fft_batch(vals, dims, *, fft_type, fft_lengths):
    x = moveaxis(vals[0], dims[0], 0)
    return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths), 0


fft_p = Primitive("fft")
register(fft_p, impl=_fft_impl, abstract_eval=_fft_abstract, jvp=_fft_jvp,
         transpose=_fft_transpose, batch=_fft_batch)


def fft(x, fft_type, fft_lengths):
    """lax.fft: an FFT of `fft_type` over the last len(fft_lengths) axes (1 to 3)."""
    typ = _fft_type(fft_type)
    x = L.asarray(x)
    dt = get_aval(x).dtype
    if typ == FftType.RFFT:
        if dtypes.issubdtype(dt, np.complexfloating):
            raise ValueError("only real valued inputs supported for rfft")
        x = L.convert_element_type(x, dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt)))
    else:
        cdt = _complex_dtype(dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt)))
        x = L.convert_element_type(x, dtypes.canonicalize_dtype(cdt))
    fft_lengths = tuple(int(n) for n in fft_lengths)
    if not fft_lengths:
        return x
    if type(x) is core.ArrayImpl:
        core.abstract_eval_at_user_line(fft_p, [x.aval],
                                        dict(fft_type=typ, fft_lengths=fft_lengths))
    return fft_p.bind(x, fft_type=typ, fft_lengths=fft_lengths)


__all__ = ["FftType", "fft", "fft_p"]
