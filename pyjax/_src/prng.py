"""Primitives under pyjax.random: the threefry2x32 block cipher and an exact fused multiply-add.

`threefry2x32` is the Threefry-2x32 counter-based hash with 20 rounds (Salmon et
al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the generator behind
JAX's default PRNG.  It maps a key pair (k1, k2) and counter pairs (x1, x2) to
two uint32 words per counter; keys broadcast against the counters.

`fma` computes a*b + c with one rounding.  pyjax.random uses it where XLA:CPU's
LLVM back end contracts a multiply feeding an add into one FMA instruction, which
is what makes JAX's floating-point samples come out as they do (see random.py).

`libm_log` is the natural log computed by the C library, which is what XLA:CPU
calls for float64 (NumPy's vectorised float64 log differs from it in the last bit
for about 0.2% of inputs on AVX-512 machines).

`cpu_math` computes a few functions the way XLA:CPU does on this machine (``fn`` =
tan, sin, cos, erf, pow, rsqrt) for float32 or float64 operands: XLA:CPU calls
``tanf``/``tan``, ``sinf``/``sin``, ``cosf``/``cos``, ``powf``/``pow`` and (float64 only)
``erf`` from the C library, whose results NumPy's own vectorised versions differ from in
the last bit; and its rsqrt refines the processor's reciprocal-square-root estimate.
Without a C math library at hand, NumPy's functions stand in.
"""
import functools
import math

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import defjvp, defzero


def _L():
    from pyjax._src.lax import lax
    return lax


def _batch_size(vals, dims):
    for v, d in zip(vals, dims):
        if d is not None:
            return get_aval(v).shape[d]
    raise ValueError("no batched operand")


def _move_front(x, bdim, size, out_shape):
    """`x` with its batch axis first and broadcast to (size,) + out_shape (scalars kept when unbatched)."""
    L = _L()
    a = get_aval(x)
    if bdim is None:
        if not a.shape:
            return x
        return L.broadcast_in_dim(x, (size,) + tuple(out_shape), tuple(range(1, a.ndim + 1)))
    if bdim != 0:
        perm = [bdim] + [i for i in range(a.ndim) if i != bdim]
        x = L.transpose(x, perm)
    if a.ndim - 1 < len(out_shape):  # a batched scalar operand among shaped ones
        x = L.broadcast_in_dim(x, (size,) + tuple(out_shape), (0,))
    return x


# ---------------------------------------------------------------------------
# threefry2x32

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_KS_PARITY = np.uint32(0x1BD11BDA)


def _rotl(x, r):
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def threefry2x32_numpy(k1, k2, x1, x2):
    """Threefry-2x32 (20 rounds) on uint32 NumPy arrays that broadcast together."""
    shape = np.broadcast_shapes(np.shape(k1), np.shape(k2), np.shape(x1), np.shape(x2))
    # Work on 1-D arrays: NumPy wraps uint32 arithmetic silently for arrays (not scalars).
    flat = [np.array(np.broadcast_to(np.asarray(v, np.uint32), shape), np.uint32).reshape(-1)
            for v in (k1, k2, x1, x2)]
    k1, k2, x1, x2 = flat
    ks = (k1, k2, k1 ^ k2 ^ _KS_PARITY)
    x1 = x1 + ks[0]
    x2 = x2 + ks[1]
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x1 = x1 + x2
            x2 = _rotl(x2, r)
            x2 = x2 ^ x1
        x1 = x1 + ks[(i + 1) % 3]
        x2 = x2 + ks[(i + 2) % 3] + np.uint32(i + 1)
    return [x1.reshape(shape), x2.reshape(shape)]


def _threefry2x32_impl(k1, k2, x1, x2):
    # Eager calls check their operands like staged ones do.
    _threefry2x32_abstract(*[core.ShapedArray(np.shape(v), np.asarray(v).dtype)
                             for v in (k1, k2, x1, x2)])
    return threefry2x32_numpy(k1, k2, x1, x2)


def _threefry2x32_abstract(k1, k2, x1, x2):
    args = (k1, k2, x1, x2)
    if any(a.dtype != np.uint32 for a in args):
        raise TypeError("threefry2x32 requires uint32 arguments, got "
                        + ", ".join(a.str_short() for a in args))
    if x1.shape != x2.shape:
        raise TypeError(f"threefry2x32: the counters must have one shape, got {x1.shape} "
                        f"and {x2.shape}")
    for k in (k1, k2):
        if k.shape not in ((), x1.shape):
            raise TypeError(f"threefry2x32: a key word must be a scalar or have the counters' "
                            f"shape {x1.shape}, got {k.shape}")
    return [(x1.shape, np.dtype(np.uint32))] * 2


def _threefry2x32_batch(vals, dims):
    size = _batch_size(vals, dims)
    x_shape = get_aval(vals[2]).shape
    if dims[2] is not None:
        x_shape = x_shape[:dims[2]] + x_shape[dims[2] + 1:]
    outs = [_move_front(v, d, size, x_shape) for v, d in zip(vals, dims)]
    # Counters must both be full-shape even if only a key is batched.
    for i in (2, 3):
        if get_aval(outs[i]).shape != (size,) + tuple(x_shape):
            outs[i] = _L().broadcast_in_dim(outs[i], (size,) + tuple(x_shape),
                                            tuple(range(1, len(x_shape) + 1)))
    return threefry2x32_p.bind(*outs), [0, 0]


threefry2x32_p = Primitive("threefry2x32", multiple_results=True)
register(threefry2x32_p, impl=_threefry2x32_impl, abstract_eval=_threefry2x32_abstract,
         batch=_threefry2x32_batch, weak_type=core.never_weak)
defzero(threefry2x32_p)


def threefry2x32(k1, k2, x1, x2):
    """Apply the Threefry-2x32 hash; returns the two output words as uint32 arrays."""
    return threefry2x32_p.bind(k1, k2, x1, x2)


# ---------------------------------------------------------------------------
# fma: a * b + c rounded once


def _nextafter64(x, direction_positive):
    return np.nextafter(x, np.where(direction_positive, np.inf, -np.inf))


def _two_sum_err(a, b, s):
    bb = s - a
    return (a - (s - bb)) + (b - bb)


def _fma_small(a, b, c, dt):
    """fma for float types with <= 24-bit significands (1-D operands): the product is exact
    in float64, so only a float64 sum landing exactly halfway between two values of `dt`
    can round the wrong way; the sum's error term settles those."""
    p_bits = dtypes.finfo(dt).nmant + 1
    shift = 53 - p_bits
    a64, b64, c64 = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        prod = a64 * b64
        s = prod + c64
        if dt == np.float32 or dt == np.float16:
            # NumPy rounds float64 to these directly (once, to nearest even).
            out = s.astype(dt)
            low = s.view(np.uint64) & np.uint64((1 << shift) - 1)
            tie = np.nonzero(low == np.uint64(1 << (shift - 1)))[0]
            if tie.size:
                err = _two_sum_err(prod[tie], c64[tie], s[tie])
                fix = (err != 0) & np.isfinite(err)
                nudged = _nextafter64(s[tie], err > 0)
                out[tie] = np.where(fix, nudged, s[tie]).astype(dt)
            return out
        # Other types (bfloat16: ml_dtypes rounds float64 via float32, i.e. twice):
        # round the significand by hand.
        err = _two_sum_err(prod, c64, s)
        bits = s.view(np.uint64)
        sign = bits & np.uint64(1 << 63)
        mag = bits & np.uint64((1 << 63) - 1)
        low = mag & np.uint64((1 << shift) - 1)
        half = np.uint64(1 << (shift - 1))
        trunc = mag - low
        odd = ((trunc >> np.uint64(shift)) & np.uint64(1)) == 1
        tie = low == half
        err_up = (err != 0) & ((err > 0) == (s > 0))
        up = (low > half) | (tie & (err == 0) & odd) | (tie & (err != 0) & err_up)
        rounded = (sign | (trunc + np.where(up, np.uint64(1 << shift), np.uint64(0)))).view(np.float64)
        tiny = float(dtypes.finfo(dt).smallest_normal)
        simple = ~np.isfinite(s) | (np.abs(s) < tiny) | ~np.isfinite(err)
        return np.where(simple, s, rounded).astype(dt)


_SPLITTER = 134217729.0  # 2**27 + 1


def _split64(x):
    c = _SPLITTER * x
    hi = c - (c - x)
    return hi, x - hi


def _fma64(a, b, c):
    """Exactly rounded float64 fma by error-free transformations and rounding to odd
    (Boldo & Melquiond, IEEE Trans. Computers 57(4), 2008)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        uh = a * b
        ah, al = _split64(a)
        bh, bl = _split64(b)
        ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl
        th = c + uh
        tl = _two_sum_err(c, uh, th)
        v = tl + ul
        ve = _two_sum_err(tl, ul, v)
        even = (np.ascontiguousarray(v).view(np.uint64) & np.uint64(1)) == 0
        v = np.where((ve != 0) & even, _nextafter64(v, ve > 0), v)
        out = th + v
        big = np.maximum(np.maximum(np.abs(a), np.abs(b)), np.abs(c))
        # Outside the range where the error-free transformations are exact, fall back; a
        # zero result (exact cancellation, or signed zeros) takes the sign a*b + c gives.
        unsafe = ~np.isfinite(out) | ~np.isfinite(uh) | (big > 1e290) | \
            ((uh != 0) & (np.abs(uh) < 1e-290)) | ~np.isfinite(ul) | (out == 0)
        return np.where(unsafe, a * b + c, out)


def fma_numpy(a, b, c):
    """a * b + c with a single rounding, for NumPy arrays of one dtype."""
    dt = np.result_type(a, b, c)
    a, b, c = np.broadcast_arrays(np.asarray(a, dt), np.asarray(b, dt), np.asarray(c, dt))
    shape = a.shape
    a, b, c = (np.ascontiguousarray(v).reshape(-1) for v in (a, b, c))  # 1-D: no NumPy scalars
    if dt == np.float64:
        out = _fma64(a, b, c)
    elif dtypes.issubdtype(dt, np.floating) and dtypes.finfo(dt).nmant + 1 <= 24:
        out = _fma_small(a, b, c, dt)
    else:
        with np.errstate(all="ignore"):
            out = (a * b + c).astype(dt)
    return np.asarray(out, dt).reshape(shape)


def _fma_abstract(a, b, c):
    if not (a.dtype == b.dtype == c.dtype):
        raise TypeError(f"fma requires arguments of one dtype, got {a.dtype}, {b.dtype}, {c.dtype}")
    if not (a.shape == b.shape == c.shape):
        raise TypeError(f"fma requires arguments of one shape, got {a.shape}, {b.shape}, {c.shape}")
    if not dtypes.issubdtype(a.dtype, np.number):
        raise TypeError(f"fma requires numeric arguments, got {a.dtype}")
    return a.shape, a.dtype


def _fma_batch(vals, dims):
    size = _batch_size(vals, dims)
    shape = None
    for v, d in zip(vals, dims):
        s = get_aval(v).shape
        shape = s if d is None else s[:d] + s[d + 1:]
        break
    L = _L()
    outs = []
    for v, d in zip(vals, dims):
        a = get_aval(v)
        if d is None:
            outs.append(L.broadcast_in_dim(v, (size,) + a.shape, tuple(range(1, a.ndim + 1))))
        else:
            outs.append(_move_front(v, d, size, shape))
    return fma_p.bind(*outs), 0


def _fma_impl(a, b, c):
    _fma_abstract(*[core.ShapedArray(np.shape(v), np.asarray(v).dtype) for v in (a, b, c)])
    return fma_numpy(a, b, c)


fma_p = Primitive("fma")
register(fma_p, impl=_fma_impl, abstract_eval=_fma_abstract, batch=_fma_batch)
defjvp(fma_p,
       lambda t, a, b, c: _L().mul(t, b),
       lambda t, a, b, c: _L().mul(a, t),
       lambda t, a, b, c: t)


def fma(a, b, c):
    """a * b + c rounded once (operands of one shape and dtype)."""
    return fma_p.bind(a, b, c)


# ---------------------------------------------------------------------------
# libm_log: log as the C library computes it

_vector_libm_log = np.frompyfunc(math.log, 1, 1)


def libm_log_numpy(x):
    """Natural log of a float64 array by the C library's `log` (other dtypes: NumPy's)."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        with np.errstate(all="ignore"):
            return np.log(x)
    flat = x.reshape(-1)
    with np.errstate(all="ignore"):
        out = np.log(flat)  # zeros, negatives, inf and nan
    ok = np.isfinite(flat) & (flat >= np.finfo(np.float64).smallest_normal)
    if ok.any():
        out[ok] = _vector_libm_log(flat[ok]).astype(np.float64)
    # Denormal inputs read as zero, as in XLA:CPU.
    out[(flat > 0) & (flat < np.finfo(np.float64).smallest_normal)] = -np.inf
    return out.reshape(x.shape)


def _libm_log_abstract(x):
    if not dtypes.issubdtype(x.dtype, np.floating):
        raise TypeError(f"libm_log requires a floating-point argument, got {x.dtype}")
    return x.shape, x.dtype


libm_log_p = Primitive("libm_log")
register(libm_log_p, impl=libm_log_numpy, abstract_eval=_libm_log_abstract,
         batch=lambda vals, dims: (libm_log_p.bind(vals[0]), dims[0]))
defjvp(libm_log_p, lambda t, x: _L().div(t, x))


# ---------------------------------------------------------------------------
# cpu_math: tan, sin, cos, erf, pow as the C library computes them, and rsqrt as XLA:CPU
# computes it (the processor's reciprocal square root estimate refined by Newton steps)

_LIBM_UNARY = ("tan", "sin", "cos", "erf")
_LIBM_BINARY = ("pow",)
_CPU_MATH_FNS = _LIBM_UNARY + _LIBM_BINARY + ("rsqrt",)
_libm_cache = {}


def _libm_function(fn, dtype):
    """A NumPy ufunc-like callable computing the C library's `fn` (float32: the `fnf`
    variant) elementwise, or None when no C math library can be loaded."""
    key = (fn, np.dtype(dtype))
    if key in _libm_cache:
        return _libm_cache[key]
    out = None
    try:
        import ctypes
        import ctypes.util
        name = ctypes.util.find_library("m") or "libm.so.6"
        lib = ctypes.CDLL(name)
        single = np.dtype(dtype) == np.float32
        cfun = getattr(lib, fn + ("f" if single else ""))
        ctype = ctypes.c_float if single else ctypes.c_double
        cfun.restype = ctype
        cfun.argtypes = [ctype] * (2 if fn in _LIBM_BINARY else 1)
        out = np.frompyfunc(cfun, len(cfun.argtypes), 1)
    except (OSError, AttributeError):
        out = None
    _libm_cache[key] = out
    return out


def _libm_fallback(fn):
    import scipy.special as sps
    return {"tan": np.tan, "sin": np.sin, "cos": np.cos, "erf": sps.erf, "pow": np.power}[fn]


# What the host processor offers, as LLVM (and so XLA:CPU) sees it: XLA compiles for the
# machine it runs on, so some of JAX's bits depend on it (16-bit fused multiply-adds, the
# reciprocal-square-root estimate).
@functools.lru_cache(maxsize=None)
def _cpuinfo(*keys):
    """The value of the first /proc/cpuinfo line starting with one of `keys` ('' where
    there is none or the file cannot be read)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(keys):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


@functools.lru_cache(maxsize=None)
def host_cpu_flags():
    """The host CPU's feature flags (/proc/cpuinfo 'flags' on x86-64, 'Features' on ARM)."""
    return frozenset(_cpuinfo("flags", "Features").split())


def host_cpu_is_amd():
    """Whether the processor is AMD's (XLA:CPU refines AMD's more accurate SSE/AVX
    reciprocal-square-root estimates with one Newton step instead of two)."""
    return _cpuinfo("vendor_id") == "AuthenticAMD"


def host_has_fp16_arithmetic():
    """Whether the processor does float16 arithmetic natively (x86 AVX512-FP16, ARM
    FEAT_FP16).  Then LLVM contracts a float16 multiply feeding an add into one float16
    FMA; elsewhere it computes each float16 operation in float32 and rounds it, so nothing
    is contracted."""
    flags = host_cpu_flags()
    return "avx512fp16" in flags or "asimdhp" in flags


# The reciprocal square root estimate: XLA:CPU's rsqrt starts from the processor's
# estimate (RSQRTSS for float32; VRSQRT14SD for float64 with AVX-512; without AVX-512
# float64 is 1 / sqrt(x)) and refines it with Newton steps: two, except one for float32
# on AMD processors, whose estimate is more accurate.  The estimates are implementation-specific tables (they differ between
# processor vendors), so pyjax runs the instruction itself, from a few bytes of machine
# code, on x86-64 machines; elsewhere it uses the correctly rounded 1/sqrt(x).
_rsqrt_estimators = {}


def _x86_rsqrt_estimator(dtype):
    dt = np.dtype(dtype)
    if dt in _rsqrt_estimators:
        return _rsqrt_estimators[dt]
    fn = None
    try:
        import ctypes
        import mmap
        import platform
        if platform.machine().lower() not in ("x86_64", "amd64"):
            raise OSError("not x86-64")
        flags = host_cpu_flags()
        if dt == np.float32:
            load, op, store, step = (b"\xF3\x0F\x10\x07", b"\xF3\x0F\x52\xC0",   # rsqrtss
                                     b"\xF3\x0F\x11\x06", 4)
        else:
            if "avx512f" not in flags:
                raise OSError("no AVX-512: XLA does not use VRSQRT14SD here")
            load, op, store, step = (b"\xF2\x0F\x10\x07", b"\x62\xF2\xFD\x08\x4F\xC0",   # vrsqrt14sd
                                     b"\xF2\x0F\x11\x06", 8)
        # void f(const T *in, T *out, long n): for each element out[i] = estimate(in[i])
        body = load + op + store + bytes([0x48, 0x83, 0xC7, step, 0x48, 0x83, 0xC6, step,
                                          0x48, 0xFF, 0xCA])
        n = len(body) + 2
        code = bytes([0x48, 0x85, 0xD2, 0x7E, n]) + body + bytes([0x75, 256 - n, 0xC3])
        buf = mmap.mmap(-1, mmap.PAGESIZE,
                        prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        buf.write(code)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
        cfun = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long)(addr)
        cfun._buffer = buf
        probe_in = np.array([4.0], dt)
        probe_out = np.zeros(1, dt)
        cfun(probe_in.ctypes.data, probe_out.ctypes.data, 1)
        if not abs(float(probe_out[0]) - 0.5) < 1e-3:
            raise OSError("unexpected estimate")
        fn = cfun
    except (OSError, ValueError, AttributeError, ImportError, TypeError):
        fn = None
    _rsqrt_estimators[dt] = fn
    return fn


def xla_rsqrt_numpy(x):
    """1/sqrt(x) as XLA:CPU computes it: the processor's estimate and one or two Newton
    steps (inputs below the normal range and infinities keep the estimate)."""
    x = np.ascontiguousarray(x)
    dt = x.dtype
    est = _x86_rsqrt_estimator(dt)
    with np.errstate(all="ignore"):
        if est is None or x.size == 0:
            # XLA's fallback, 1 / sqrt(x), under denormals-are-zero
            x = np.where(np.abs(x) < np.finfo(dt).tiny, x * dt.type(0), x)
            return (dt.type(1) / np.sqrt(x)).astype(dt)
        flat = x.reshape(-1).copy()
        y0 = np.empty_like(flat)
        est(flat.ctypes.data, y0.ctypes.data, flat.size)
        y = y0
        steps = 1 if dt == np.float32 and host_cpu_is_amd() else 2
        for _ in range(steps):
            h = (y * dt.type(-0.5)).astype(dt)
            e = fma_numpy((flat * y).astype(dt), y, dt.type(-1))
            y = fma_numpy(h, e, y)
        # zeros, infinities, negative and subnormal inputs keep the estimate
        keep = ~(np.isnan(flat) | ((flat > 0) & (flat >= np.finfo(dt).tiny) & np.isfinite(flat)))
        return np.where(keep, y0, y).astype(dt).reshape(x.shape)


def cpu_math_numpy(*xs, fn):
    """`fn` of NumPy float32/float64 arrays (one shape and dtype) as XLA:CPU computes it."""
    xs = [np.asarray(x) for x in xs]
    dt = xs[0].dtype
    shape = xs[0].shape
    if fn == "rsqrt":
        return xla_rsqrt_numpy(xs[0])
    f = _libm_function(fn, dt)
    with np.errstate(all="ignore"):
        if f is None or xs[0].size == 0:
            return np.asarray(_libm_fallback(fn)(*xs), dt)
        flat = [x.reshape(-1) for x in xs]
        tiny = np.finfo(dt).tiny
        if fn == "pow":
            # Under XLA:CPU's denormals-are-zero / flush-to-zero modes, pow reads subnormal
            # bases as zero and returns zero for results below the normal range.
            flat[0] = np.where(np.abs(flat[0]) < tiny, flat[0] * dt.type(0), flat[0])
        out = np.asarray(f(*flat), dtype=np.float64).astype(dt)
        if fn == "pow":
            out = np.where(np.abs(out) < tiny, out * dt.type(0), out).astype(dt)
    return out.reshape(shape)


libm_numpy = cpu_math_numpy


def _cpu_math_abstract(*avals, fn):
    if fn not in _CPU_MATH_FNS:
        raise ValueError(f"cpu_math: unknown function {fn!r}")
    n = 2 if fn in _LIBM_BINARY else 1
    if len(avals) != n:
        raise TypeError(f"cpu_math {fn} takes {n} operand(s), got {len(avals)}")
    if any(a.dtype not in (np.dtype(np.float32), np.dtype(np.float64)) for a in avals):
        raise TypeError(f"cpu_math {fn} requires float32 or float64 operands, got "
                        + ", ".join(a.str_short() for a in avals))
    if any(a.dtype != avals[0].dtype or a.shape != avals[0].shape for a in avals):
        raise TypeError(f"cpu_math {fn} requires operands of one shape and dtype, got "
                        + ", ".join(a.str_short() for a in avals))
    return avals[0].shape, avals[0].dtype


def _cpu_math_impl(*xs, fn):
    _cpu_math_abstract(*[core.ShapedArray(np.shape(v), np.asarray(v).dtype) for v in xs], fn=fn)
    return cpu_math_numpy(*xs, fn=fn)


def _cpu_math_batch(vals, dims, fn):
    if len(vals) == 1:
        return cpu_math_p.bind(vals[0], fn=fn), dims[0]
    size = _batch_size(vals, dims)
    outs = []
    for v, d in zip(vals, dims):
        a = get_aval(v)
        if d is None:
            outs.append(_L().broadcast_in_dim(v, (size,) + a.shape, tuple(range(1, a.ndim + 1))))
        else:
            s = a.shape[:d] + a.shape[d + 1:]
            outs.append(_move_front(v, d, size, s))
    return cpu_math_p.bind(*outs, fn=fn), 0


def _cpu_math_jvp(primals, tangents, fn):
    from pyjax._src.interpreters.ad import Zero, add_tangents
    L = _L()
    out = cpu_math_p.bind(*primals, fn=fn)
    t_out = Zero(get_aval(out))
    x = primals[0]
    tx = tangents[0]
    if fn == "pow":
        y = primals[1]
        ty = tangents[1]
        if type(tx) is not Zero:
            # y * x ** (y - 1), with 0 where y == 0 (as JAX's pow jvp)
            one = L.full_like(y, 1)
            d = L.mul(y, cpu_math_p.bind(x, L.sub(y, one), fn="pow"))
            d = L.select(L.eq(y, L.full_like(y, 0)), L.full_like(d, 0), d)
            t_out = add_tangents(t_out, L.mul(tx, d))
        if type(ty) is not Zero:
            zero = L.full_like(x, 0)
            safe_x = L.select(L.eq(x, zero), L.full_like(x, 1), x)
            d = L.mul(out, L.log(safe_x))
            d = L.select(L.eq(x, zero), L.full_like(d, 0), d)
            t_out = add_tangents(t_out, L.mul(ty, d))
        return out, t_out
    if type(tx) is Zero:
        return out, t_out
    if fn == "tan":
        d = L.add(L.full_like(out, 1), L.mul(out, out))
    elif fn == "sin":
        d = cpu_math_p.bind(x, fn="cos")
    elif fn == "cos":
        d = L.neg(cpu_math_p.bind(x, fn="sin"))
    elif fn == "rsqrt":
        d = L.mul(L.full_like(out, -0.5), L.div(out, x))
    else:  # erf
        d = L.mul(L.full_like(x, 2 / math.sqrt(math.pi)), L.exp(L.neg(L.mul(x, x))))
    return out, L.mul(tx, d)


cpu_math_p = Primitive("cpu_math")
register(cpu_math_p, impl=_cpu_math_impl, abstract_eval=_cpu_math_abstract,
         batch=_cpu_math_batch, jvp=_cpu_math_jvp)
libm_p = cpu_math_p


def cpu_math(fn, *xs):
    """`fn` (tan, sin, cos, erf, pow: the C library's; rsqrt: XLA:CPU's) of float32/float64
    operands of one shape."""
    return cpu_math_p.bind(*xs, fn=fn)


__all__ = ["threefry2x32_p", "threefry2x32", "threefry2x32_numpy", "fma_p", "fma", "fma_numpy",
           "libm_log_p", "libm_log_numpy", "cpu_math_p", "cpu_math", "cpu_math_numpy",
           "xla_rsqrt_numpy", "host_cpu_flags", "host_cpu_is_amd", "host_has_fp16_arithmetic"]
