"""The generic primitive harness.

Every primitive lists its example inputs once, as a `Case` in the table `CASES`
below: the primitive, how to build its arguments (shapes and value domains, or
concrete arrays), its params, the dtypes to try, a NumPy/SciPy reference and
tolerances.  The shared checks at the bottom of this file then verify, for
every case and dtype:

  1. eager result vs the reference               (`check_eager`)
  2. `jit` vs eager                              (`check_jit`)
  3. abstract evaluation vs the eager result     (`check_abstract`)
  4. jvp vs central finite differences (float64) (`check_jvp`)
  5. the transpose identity <u, J v> = <J^T u, v> with `vjp` and `jvp` (`check_transpose`)
  6. vmap vs a Python loop, each operand batched in turn and all at once (`check_vmap`)

`tests/test_primitives.py` turns the table into parametrized tests and adds the
coverage check (every registered primitive is in the table, or in an explicit
list of exceptions) and oracle checks against real JAX.

Special values (nan, +-inf, -0.0, huge and tiny arguments) are added
automatically to every elementwise case (`special_cases`).
"""
import contextlib
import dataclasses
import math
import zlib
from typing import Any, Callable

import ml_dtypes
import numpy as np
import scipy.special as sps

import pyjax
from pyjax._src import core, dtypes
from pyjax._src.config import config
from pyjax._src.core import ArrayImpl
from pyjax._src.lax import dot as D
from pyjax._src.lax import elementwise as E
from pyjax._src.lax import reduce as R
from pyjax._src.lax import shape as S

bf16 = np.dtype(ml_dtypes.bfloat16)
f16, f32, f64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
c64, c128 = np.dtype(np.complex64), np.dtype(np.complex128)
i8, i16, i32, i64 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
u8, u16, u32, u64 = (np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))
boolean = np.dtype(np.bool_)
float0 = dtypes.float0

# dtype groups used by the table
FLOATS = (f32, f64, bf16, f16)
FLOATS3 = (f32, f64, bf16)
INEXACT = (f32, f64, bf16, c64)
INTS = (i32, u8, i8, u32, i64)


def is_inexact(dt):
    return dtypes.issubdtype(dt, np.inexact)


def is_complex(dt):
    return dtypes.issubdtype(dt, np.complexfloating)


def is_float(dt):
    return dtypes.issubdtype(dt, np.floating)


def wide(dt):
    """The 64-bit dtype of the same kind (float -> float64, complex -> complex128)."""
    dt = np.dtype(dt)
    if is_complex(dt):
        return c128
    if is_float(dt):
        return f64
    return dt


def _is_wide(d):
    d = np.dtype(d)
    return d != float0 and (d.itemsize == 8 and d != c64 or d == c128)


@contextlib.contextmanager
def x64_for(case, dtype):
    """x64 on when the case at `dtype` involves a 64-bit type (operand, param or fixed
    argument), so that pyjax keeps it; unchanged otherwise."""
    dts = [dtype] + [v for v in case.get_params(dtype).values() if isinstance(v, np.dtype)]
    if not callable(case.args):
        dts += [a.dtype for a in case.args if isinstance(a, Spec) and a.dtype is not None]
        dts += [np.asarray(a(None, np.dtype(dtype))).dtype for a in case.args
                if callable(a) and not isinstance(a, Spec) and getattr(a, "fixed", False)]
    need = any(_is_wide(d) for d in dts)
    if need and not config.jax_enable_x64:
        with config.override(jax_enable_x64=True):
            yield
    else:
        yield


# ---------------------------------------------------------------------------
# Argument specs


class Spec:
    """A random array of `shape`: dtype None means the case's dtype.

    Floats are uniform in [lo, hi] (and |x| >= away when given); complex numbers
    take their imaginary part from [ilo, ihi]; integers are uniform in
    [int_lo, int_hi] (default [-5, 5] or [0, 10]; clipped to the dtype's range); bools are fair coins.
    `values` fixes the candidate values (drawn with replacement).
    """

    def __init__(self, *shape, lo=-3.0, hi=3.0, dtype=None, away=None, ilo=-1.0, ihi=1.0,
                 int_lo=None, int_hi=None, values=None):
        self.shape, self.lo, self.hi, self.dtype = tuple(shape), lo, hi, dtype
        self.away, self.ilo, self.ihi = away, ilo, ihi
        self.int_lo, self.int_hi, self.values = int_lo, int_hi, values

    def make(self, rng, case_dtype):
        dt = np.dtype(self.dtype if self.dtype is not None else case_dtype)
        if self.values is not None:
            return rng.choice(np.asarray(self.values), size=self.shape).astype(dt)
        if dt == boolean:
            return rng.random(self.shape) < 0.5
        if dtypes.issubdtype(dt, np.integer):
            info = np.iinfo(dt)
            lo = self.int_lo if self.int_lo is not None else (-5 if info.min < 0 else 0)
            hi = self.int_hi if self.int_hi is not None else (5 if info.min < 0 else 10)
            lo, hi = max(lo, info.min), min(hi, info.max)
            return rng.integers(lo, hi, size=self.shape, endpoint=True).astype(dt)
        re = rng.uniform(self.lo, self.hi, size=self.shape)
        if self.away is not None:
            re = np.where(np.abs(re) < self.away, np.copysign(self.away, re) + re, re)
        if is_complex(dt):
            im = rng.uniform(self.ilo, self.ihi, size=self.shape)
            return (re + 1j * im).astype(dt)
        return re.astype(dt)


def scalar_int(v, dtype=i32):
    """A fixed integer scalar operand (an index, a shift...)."""
    def make(rng, dt):
        return np.asarray(v, dtype)
    make.fixed = True
    return make


def make_args(case, rng, dtype):
    if callable(case.args):
        return [np.asarray(a) for a in case.args(rng, np.dtype(dtype))]
    out = []
    for a in case.args:
        if isinstance(a, Spec):
            out.append(a.make(rng, dtype))
        elif callable(a):
            out.append(np.asarray(a(rng, np.dtype(dtype))))
        else:
            out.append(np.asarray(a))
    return out


# ---------------------------------------------------------------------------
# Cases


@dataclasses.dataclass
class Case:
    name: str                      # test id (usually the primitive name plus a variant)
    prim: core.Primitive
    args: Any                      # list of Spec / arrays / fn(rng, dtype), or fn(rng, dtype) -> list
    dtypes: tuple
    params: Any = dataclasses.field(default_factory=dict)   # dict or fn(dtype) -> dict
    ref: Callable = None           # NumPy reference fn(*args, **params); None: no reference
    ref_upcast: bool = True        # call ref on float64/complex128 copies of float arguments
    out_dtype: Any = None          # expected output dtype: None (first arg's), a dtype or fn(dtype)
    tol: float = 1.0               # multiplier of the per-dtype tolerance for check 1
    jvp: str = "fd"                # "fd": finite differences; "zero": tangent must be zero; None: skip
    nondiff: tuple = ()            # argument positions never differentiated
    fd_tol: float = 1e-6           # tolerance of the finite-difference check
    fd_eps: float = 1e-6
    vmap: bool = True
    special: bool = False          # a special-values case (eager/jit/abstract only)
    signed_zeros: bool = False     # check the sign of zero results against the reference

    def get_params(self, dtype):
        return self.params(np.dtype(dtype)) if callable(self.params) else dict(self.params)

    def wide_params(self, dtype):
        """Params for the float64 derivative checks: inexact dtype params widened too
        (convert_element_type to float32 would otherwise round the finite differences)."""
        return {k: wide(v) if isinstance(v, np.dtype) and is_inexact(v) else v
                for k, v in self.get_params(dtype).items()}

    def id(self, dtype):
        return f"{self.name}-{np.dtype(dtype).name}".replace(" ", "")


# Per-dtype relative tolerances for eager-vs-reference (reference in float64).
TOL = {f16: 2e-3, bf16: 1.6e-2, f32: 2e-6, f64: 1e-13, c64: 4e-6, c128: 1e-13}


def tolerance(dtype, mult=1.0):
    return TOL.get(np.dtype(dtype), 0.0) * mult


def _upcast(x):
    x = np.asarray(x)
    if is_complex(x.dtype):
        return x.astype(c128)
    if is_float(x.dtype):
        return x.astype(f64)
    return x


def to_f64(x):
    """A comparable NumPy value: bfloat16/float16 become float64."""
    x = np.asarray(x)
    if x.dtype in (bf16, f16):
        return x.astype(f64)
    return x


def assert_close(actual, expected, rtol=0.0, atol=None, msg="", signed_zeros=False):
    a, e = to_f64(actual), to_f64(expected)
    assert a.shape == e.shape, f"{msg}: shape {a.shape} != expected {e.shape}"
    if a.dtype == float0 or e.dtype == float0:
        assert a.dtype == e.dtype, f"{msg}: dtype {a.dtype} != {e.dtype}"
        return
    if a.dtype.kind in "biu" or rtol == 0.0 and atol in (None, 0.0):
        if a.dtype.kind in "fc":
            np.testing.assert_array_equal(a, e, err_msg=msg)
        else:
            np.testing.assert_array_equal(a, e, err_msg=msg, strict=False)
    else:
        if atol is None:
            atol = rtol
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=msg)
    if signed_zeros and a.dtype.kind == "f":
        z = (e == 0) & (a == 0)
        np.testing.assert_array_equal(np.signbit(a[z]), np.signbit(e[z]),
                                      err_msg=f"{msg}: sign of zero differs")


def mismatches(actual, expected, rtol, atol=None):
    """Boolean mask of elements that differ beyond tolerance (nan matches nan, infinities
    must be equal, integers exactly)."""
    a, e = to_f64(actual), to_f64(expected)
    if a.dtype.kind in "fc" or e.dtype.kind in "fc":
        cplx = a.dtype.kind == "c" or e.dtype.kind == "c"
        a, e = a.astype(c128), e.astype(c128)
        atol = rtol if atol is None else atol
        bad = np.zeros(a.shape, bool)
        with np.errstate(invalid="ignore", over="ignore"):
            # complex numbers: each part within tolerance of the modulus
            scale = np.abs(e) if cplx else np.abs(e.real)
            for part in (np.real, np.imag):
                x, y = part(a), part(e)
                both_nan = np.isnan(x) & np.isnan(y)
                close = (x == y) | (np.abs(x - y) <= atol + rtol * np.where(np.isfinite(scale), scale, 0))
                bad |= ~(both_nan | close)
        return bad
    return a != e


def assert_match(actual, expected, inputs, rtol, atol=None, msg=""):
    """Like assert_close, but reports the inputs of (at most 12) mismatching elements."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{msg}: shape {actual.shape} != {expected.shape}"
    bad = mismatches(actual, expected, rtol, atol)
    if bad.any():
        idx = np.argwhere(bad)[:12]
        rows = []
        for i in map(tuple, idx):
            ins = ", ".join(repr(np.asarray(x)[i].item()) for x in inputs)
            rows.append(f"  ({ins}) -> {actual[i].item()!r}, expected {expected[i].item()!r}")
        raise AssertionError(f"{msg}: {int(bad.sum())} of {bad.size} elements differ "
                             f"(rtol={rtol}):\n" + "\n".join(rows))


def arr(x, weak=False):
    return ArrayImpl(np.asarray(x), weak)


def pack(outs):
    """The outputs of a multiple-results primitive as one array: their ravels, concatenated
    (so that every check below sees one output)."""
    if not isinstance(outs, (list, tuple)):
        return outs
    dt = np.result_type(*[o.dtype for o in outs])   # e.g. a uint32 key with uint8 bits
    return pyjax.lax.concatenate([pyjax.lax.convert_element_type(pyjax.lax.reshape(o, (o.size,)), dt)
                                  for o in outs], 0)


def pack_ref(outs):
    return np.concatenate([np.ravel(o) for o in outs]) if isinstance(outs, (list, tuple)) else outs


def bind(case, params):
    def f(*xs):
        return pack(case.prim.bind(*xs, **params))
    return f


# ---------------------------------------------------------------------------
# Reference helpers


def _c_div(x, y):
    """C (and XLA) integer division: truncates toward zero; x / 0 is -1 (signed) or all
    ones (unsigned); INT_MIN / -1 is INT_MIN."""
    out = np.empty(np.broadcast(x, y).shape, x.dtype)
    for idx in np.ndindex(out.shape):
        a, b = int(x[idx]), int(y[idx])
        if b == 0:
            out[idx] = np.asarray(-1).astype(x.dtype) if x.dtype.kind == "i" else np.iinfo(x.dtype).max
            continue
        q = abs(a) // abs(b)
        q = -q if (a < 0) != (b < 0) else q
        out[idx] = np.asarray(q).astype(x.dtype) if -2**63 <= q < 2**64 else 0
    return out


def _c_rem(x, y):
    """C remainder: the sign of the dividend; x % 0 is x; INT_MIN % -1 is 0."""
    out = np.empty(np.broadcast(x, y).shape, x.dtype)
    for idx in np.ndindex(out.shape):
        a, b = int(x[idx]), int(y[idx])
        if b == 0:
            out[idx] = a
            continue
        r = abs(a) % abs(b)
        out[idx] = -r if a < 0 else r
    return out


def ref_div(x, y):
    if x.dtype.kind in "iu":
        return _c_div(x, y)
    with np.errstate(all="ignore"):
        return x / y


def ref_rem(x, y):
    if x.dtype.kind in "iu":
        return _c_rem(x, y)
    with np.errstate(all="ignore"):
        return np.fmod(x, y)


def ref_shift(kind):
    """XLA's shifts: amounts outside [0, bits) give 0 (left, logical) or the sign fill
    (arithmetic), instead of C's undefined behaviour."""
    def ref(x, y):
        bits = x.dtype.itemsize * 8
        udt = np.dtype(f"u{x.dtype.itemsize}")
        out = np.empty(x.shape, x.dtype)
        for idx in np.ndindex(x.shape):
            a, s = int(x[idx]), int(y[idx])
            ua = a % (1 << bits)          # the bit pattern
            if kind == "left":
                r = 0 if not 0 <= s < bits else ua << s
            elif kind == "logical":
                r = 0 if not 0 <= s < bits else ua >> s
            else:  # on the bit pattern as a signed number, also for unsigned types (as XLA)
                sa = ua - (1 << bits) if ua >> (bits - 1) else ua
                r = sa >> s if 0 <= s < bits else (-1 if sa < 0 else 0)
            out[idx] = np.array(r % (1 << bits), np.uint64).astype(udt).view(x.dtype)
        return out
    return ref


def _poles_nan(out, x, m=None):
    """XLA at the poles x = 0, -1, ...: nan, except +inf for polygamma of odd order."""
    if m is None:
        return np.where((x <= 0) & (np.floor(x) == x), np.nan, out)
    at_pole = np.where(np.fmod(m, 2) == 1, np.inf, np.nan)
    out = np.where((x <= 0) & (np.floor(x) == x), at_pole, out)
    return np.where((m < 0) | (np.floor(m) != m), np.nan, out)


def ref_atan2(x, y):
    if is_complex(x.dtype):
        with np.errstate(all="ignore"):
            return -1j * np.log((y + 1j * x) / np.sqrt(x * x + y * y))
    return np.arctan2(x, y)


def ref_polygamma(m, x):
    """polygamma in float32 for float32 and narrower (polygamma(100, x) overflows float32 to
    nan, as in XLA), in float64 for float64; nan at the poles x = 0, -1, -2... (XLA)."""
    dt = f64 if x.dtype == f64 else f32
    with np.errstate(all="ignore"):
        return _poles_nan(sps.polygamma(m.astype(dt), x.astype(dt)), x, m)


def ref_digamma(x):
    with np.errstate(all="ignore"):
        return _poles_nan(sps.digamma(x), x)



def ref_round(x, rounding_method):
    if rounding_method == 1:
        return np.round(x)
    t = np.trunc(x)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t)


def ref_clz(x):
    bits = x.dtype.itemsize * 8
    out = np.empty(x.shape, x.dtype)
    for idx in np.ndindex(x.shape):
        v = int(x[idx]) % (1 << bits)
        out[idx] = bits - v.bit_length()
    return out


def ref_popcnt(x):
    bits = x.dtype.itemsize * 8
    out = np.empty(x.shape, x.dtype)
    for idx in np.ndindex(x.shape):
        out[idx] = bin(int(x[idx]) % (1 << bits)).count("1")
    return out


def ref_sign(x):
    if is_complex(x.dtype):
        with np.errstate(all="ignore"):
            a = np.abs(x)
            return np.where(a == 0, 0, x / np.where(a == 0, 1, a))
    s = np.sign(x)
    return np.where(x == 0, x, s) if x.dtype.kind == "f" else s


def ref_convert(x, new_dtype, weak_type):
    new_dtype = np.dtype(new_dtype)
    x = np.asarray(x)
    if is_complex(x.dtype) and not is_complex(new_dtype):
        x = x.real
    if new_dtype.kind in "iu" and is_float(x.dtype):
        info = np.iinfo(new_dtype)
        out = np.empty(x.shape, new_dtype)
        for idx in np.ndindex(x.shape):
            v = float(x[idx])
            if math.isnan(v):
                out[idx] = 0
            elif v >= info.max:
                out[idx] = info.max
            elif v <= info.min:
                out[idx] = info.min
            else:
                out[idx] = int(v)
        return out
    if new_dtype == boolean:
        return x != 0
    with np.errstate(all="ignore"):
        return x.astype(new_dtype)


def ref_select_n(which, *cases):
    if which.dtype == boolean:
        which = which.astype(np.int32)
    return np.choose(which, np.broadcast_arrays(*cases)) if which.shape else cases[int(which)]


def ref_clamp(lo, x, hi):
    return np.minimum(np.maximum(x, lo), hi)


def ref_pad(x, pv, padding_config):
    """Pad by building the output index by index."""
    out_shape = []
    for n, (lo, hi, it) in zip(x.shape, padding_config):
        out_shape.append(lo + hi + n + max(n - 1, 0) * it)
    out = np.full(out_shape, pv, x.dtype)
    for idx in np.ndindex(x.shape):
        pos = tuple(lo + i * (it + 1) for i, (lo, hi, it) in zip(idx, padding_config))
        if all(0 <= p < s for p, s in zip(pos, out_shape)):
            out[pos] = x[idx]
    return out


def _clamp_start(i, n, s):
    return min(max(int(i), 0), n - s)


def ref_dynamic_slice(x, *idx, slice_sizes):
    st = [_clamp_start(i, n, s) for i, n, s in zip(idx, x.shape, slice_sizes)]
    return x[tuple(slice(a, a + s) for a, s in zip(st, slice_sizes))]


def ref_dus(x, u, *idx):
    st = [_clamp_start(i, n, s) for i, n, s in zip(idx, x.shape, u.shape)]
    out = x.copy()
    out[tuple(slice(a, a + s) for a, s in zip(st, u.shape))] = u
    return out


def ref_iota(dtype, shape, dimension):
    idx = np.indices(shape)[dimension]
    return idx.astype(dtype)


def ref_cumulative(ufunc):
    def ref(x, axis, reverse):
        if reverse:
            x = np.flip(x, axis)
        out = ufunc.accumulate(x, axis=axis, dtype=x.dtype)
        return np.flip(out, axis) if reverse else out
    return ref


def ref_dot(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    ls = [next(letters) for _ in range(lhs.ndim)]
    rs = [next(letters) for _ in range(rhs.ndim)]
    for a, b in zip(lc + lb, rc + rb):
        rs[b] = ls[a]
    out = [ls[i] for i in lb] + [ls[i] for i in range(lhs.ndim) if i not in lc + lb] + \
        [rs[i] for i in range(rhs.ndim) if i not in rc + rb]
    dt = np.dtype(preferred_element_type) if preferred_element_type is not None else lhs.dtype
    acc = np.int64 if dt.kind in "iu" else (c128 if is_complex(dt) else f64)
    res = np.einsum(f"{''.join(ls)},{''.join(rs)}->{''.join(out)}", lhs.astype(acc), rhs.astype(acc))
    return res


def ref_bitcast(x, new_dtype):
    x = np.ascontiguousarray(x)
    a, b = x.dtype.itemsize, np.dtype(new_dtype).itemsize
    out = x.view(new_dtype)
    if a > b:
        return out.reshape(x.shape + (a // b,))
    if a < b:
        return out.reshape(x.shape[:-1])
    return out


def ref_mulhi(x, y):
    """High half of the exact product (Python integers), in the operands' dtype."""
    bits = x.dtype.itemsize * 8
    out = [(int(a) * int(b)) >> bits for a, b in zip(x.ravel().tolist(), y.ravel().tolist())]
    return np.array(out, dtype=x.dtype).reshape(x.shape)


def ref_igamma_grad_a(a, x):
    """d/da of the regularized lower incomplete gamma P(a, x), by Romberg-extrapolated
    central differences of SciPy's gammainc (accurate to ~1e-9 relative)."""
    a = np.asarray(a, f64)
    x = np.asarray(x, f64)
    h = 1e-3 * np.maximum(a, 1)
    d1 = (sps.gammainc(a + h, x) - sps.gammainc(a - h, x)) / (2 * h)
    d2 = (sps.gammainc(a + h / 2, x) - sps.gammainc(a - h / 2, x)) / h
    return (4 * d2 - d1) / 3


# ---------------------------------------------------------------------------
# The table

U, B, C = E.unary, E.binary, E.compare
CASES = []


def case(*args, **kwargs):
    CASES.append(Case(*args, **kwargs))



# --- unary elementwise -------------------------------------------------------
# (name, reference, dtypes, spec of the operand, options)
_UNARY_TABLE = [
    ("neg", np.negative, (f32, f64, bf16, c64, i32, i8), Spec(3, 4), {"signed_zeros": True}),
    ("sign", ref_sign, (f32, f64, i32, c64), Spec(3, 4, away=0.1), {"jvp": "zero", "signed_zeros": True}),
    ("floor", np.floor, FLOATS, Spec(3, 4), {"jvp": "zero", "signed_zeros": True}),
    ("ceil", np.ceil, FLOATS, Spec(3, 4), {"jvp": "zero", "signed_zeros": True}),
    ("is_finite", np.isfinite, FLOATS3, Spec(3, 4), {"jvp": "zero", "out_dtype": boolean}),
    ("exp", np.exp, INEXACT + (f16,), Spec(3, 4), {}),
    ("exp2", np.exp2, INEXACT, Spec(3, 4), {}),
    ("log", np.log, INEXACT + (f16,), Spec(3, 4, lo=0.1, hi=4.0), {}),
    ("log1p", np.log1p, INEXACT, Spec(3, 4, lo=-0.8, hi=4.0), {}),
    ("expm1", np.expm1, INEXACT, Spec(3, 4), {}),
    ("tanh", np.tanh, INEXACT, Spec(3, 4), {}),
    ("logistic", lambda x: 1 / (1 + np.exp(-x)), INEXACT, Spec(3, 4), {}),
    ("sin", np.sin, INEXACT + (f16,), Spec(3, 4), {}),
    ("cos", np.cos, INEXACT, Spec(3, 4), {}),
    ("tan", np.tan, INEXACT, Spec(3, 4, lo=-1.2, hi=1.2), {}),
    ("asin", np.arcsin, INEXACT, Spec(3, 4, lo=-0.9, hi=0.9, ilo=-0.3, ihi=0.3), {}),
    ("acos", np.arccos, INEXACT, Spec(3, 4, lo=-0.9, hi=0.9, ilo=-0.3, ihi=0.3), {}),
    ("atan", np.arctan, INEXACT, Spec(3, 4, ilo=-0.5, ihi=0.5), {}),
    ("sinh", np.sinh, INEXACT, Spec(3, 4), {}),
    ("cosh", np.cosh, INEXACT, Spec(3, 4), {}),
    ("asinh", np.arcsinh, INEXACT, Spec(3, 4, ilo=-0.5, ihi=0.5), {}),
    ("acosh", np.arccosh, INEXACT, Spec(3, 4, lo=1.1, hi=4.0, ilo=-0.5, ihi=0.5), {}),
    ("atanh", np.arctanh, INEXACT, Spec(3, 4, lo=-0.9, hi=0.9, ilo=-0.3, ihi=0.3), {}),
    ("sqrt", np.sqrt, INEXACT + (f16,), Spec(3, 4, lo=0.1, hi=4.0), {"signed_zeros": True}),
    ("rsqrt", lambda x: 1 / np.sqrt(x), INEXACT, Spec(3, 4, lo=0.1, hi=4.0), {}),
    ("cbrt", np.cbrt, FLOATS3, Spec(3, 4, away=0.2), {"signed_zeros": True}),
    ("abs", np.abs, (f32, f64, bf16, i32, i8, i64, c64), Spec(3, 4, away=0.1),
     {"out_dtype": lambda d: np.dtype(np.finfo(d).dtype) if is_complex(d) else d,
      "signed_zeros": True}),
    ("erf", sps.erf, FLOATS3, Spec(3, 4), {}),
    ("erfc", sps.erfc, FLOATS3, Spec(3, 4), {}),
    ("erf_inv", sps.erfinv, FLOATS3, Spec(3, 4, lo=-0.9, hi=0.9), {}),
    ("lgamma", sps.gammaln, FLOATS3, Spec(3, 4, lo=0.2, hi=5.0), {"tol": 4}),
    ("digamma", ref_digamma, FLOATS3, Spec(3, 4, lo=0.2, hi=5.0), {"tol": 4}),
    ("not", np.invert, (boolean, i32, u8, i64), Spec(3, 4, int_lo=-100, int_hi=100), {"jvp": "zero"}),
    ("population_count", ref_popcnt, INTS + (u16,), Spec(3, 4, int_lo=-1000, int_hi=1000),
     {"jvp": "zero"}),
    ("clz", ref_clz, INTS + (u16,), Spec(3, 4, int_lo=-1000, int_hi=1000), {"jvp": "zero"}),
    ("real", np.real, (c64,), Spec(3, 4), {"out_dtype": lambda d: np.dtype(np.finfo(d).dtype)}),
    ("imag", np.imag, (c64,), Spec(3, 4), {"out_dtype": lambda d: np.dtype(np.finfo(d).dtype)}),
    ("conj", np.conjugate, (c64,), Spec(3, 4), {}),
]

for _name, _ref, _dts, _spec, _opts in _UNARY_TABLE:
    case(_name, U[_name], [_spec], _dts, ref=_ref, **_opts)

for _m in (0, 1):
    case(f"round[method={_m}]", E.round_p, [Spec(3, 4, lo=-6, hi=6)], FLOATS,
         params={"rounding_method": _m}, ref=lambda x, rounding_method: ref_round(x, rounding_method),
         ref_upcast=False, jvp="zero", signed_zeros=True)
# Halves, which the two rounding methods treat differently.
for _m in (0, 1):
    case(f"round[method={_m},halves]", E.round_p,
         [Spec(4, 5, values=[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, -0.49999997, 4.0])],
         (f32, f64), params={"rounding_method": _m},
         ref=lambda x, rounding_method: ref_round(x, rounding_method), ref_upcast=False,
         jvp="zero", vmap=False, signed_zeros=True)


# --- binary elementwise --------------------------------------------------------
def _two(spec_x, spec_y=None):
    return [spec_x, spec_y if spec_y is not None else spec_x]


_BINARY_TABLE = [
    ("add", np.add, (f32, f64, bf16, c64, i32, u8), _two(Spec(3, 4)), {}),
    ("sub", np.subtract, (f32, f64, bf16, c64, i32, u8), _two(Spec(3, 4)), {}),
    ("mul", np.multiply, (f32, f64, bf16, c64, i32, u8), _two(Spec(3, 4)), {}),
    ("div", ref_div, (f32, f64, bf16, c64, i32, u32, i8),
     _two(Spec(3, 4, int_lo=-50, int_hi=50), Spec(3, 4, away=0.5, int_lo=-7, int_hi=7)), {}),
    ("rem", ref_rem, (f32, f64, bf16, i32, u32, i8),
     _two(Spec(3, 4, int_lo=-50, int_hi=50), Spec(3, 4, away=0.5, int_lo=-7, int_hi=7)),
     {"tol": 4}),
    ("pow", np.power, (f32, f64, bf16, c64), _two(Spec(3, 4, lo=0.2, hi=3.0), Spec(3, 4)), {"tol": 4}),
    ("max", np.maximum, (f32, f64, bf16, i32, u8, boolean), _two(Spec(3, 4)), {}),
    ("min", np.minimum, (f32, f64, bf16, i32, u8, boolean), _two(Spec(3, 4)), {}),
    ("atan2", ref_atan2, FLOATS3 + (c64,), _two(Spec(3, 4)), {"tol": 4}),
    ("nextafter", np.nextafter, FLOATS, _two(Spec(3, 4)), {"jvp": "zero", "ref_upcast": False}),
    ("and", np.bitwise_and, (boolean, i32, u8, i64), _two(Spec(3, 4, int_lo=-100, int_hi=100)),
     {"jvp": "zero"}),
    ("or", np.bitwise_or, (boolean, i32, u8, i64), _two(Spec(3, 4, int_lo=-100, int_hi=100)),
     {"jvp": "zero"}),
    ("xor", np.bitwise_xor, (boolean, i32, u8, i64), _two(Spec(3, 4, int_lo=-100, int_hi=100)),
     {"jvp": "zero"}),
    ("shift_left", ref_shift("left"), INTS,
     _two(Spec(3, 4, int_lo=-100, int_hi=100), Spec(3, 4, int_lo=0, int_hi=7)), {"jvp": "zero"}),
    ("shift_right_arithmetic", ref_shift("arith"), INTS,
     _two(Spec(3, 4, int_lo=-100, int_hi=100), Spec(3, 4, int_lo=0, int_hi=7)), {"jvp": "zero"}),
    ("shift_right_logical", ref_shift("logical"), INTS,
     _two(Spec(3, 4, int_lo=-100, int_hi=100), Spec(3, 4, int_lo=0, int_hi=7)), {"jvp": "zero"}),
    ("mulhi", ref_mulhi, INTS + (i8, u64, i16), _two(Spec(3, 4, int_lo=-2**62, int_hi=2**62)),
     {"jvp": "zero"}),
    ("polygamma", ref_polygamma, FLOATS3,
     _two(Spec(3, 4, values=[0.0, 1.0, 2.0, 3.0]), Spec(3, 4, lo=0.5, hi=4.0)),
     # Computed in the argument's precision: polygamma(100, x) overflows float32 (nan), as in XLA.
     {"nondiff": (0,), "tol": 8, "ref_upcast": False}),
    ("igamma", sps.gammainc, FLOATS3, _two(Spec(3, 4, lo=0.5, hi=4.0), Spec(3, 4, lo=0.2, hi=5.0)),
     {"tol": 8, "fd_tol": 1e-5}),
    ("igammac", sps.gammaincc, FLOATS3, _two(Spec(3, 4, lo=0.5, hi=4.0), Spec(3, 4, lo=0.2, hi=5.0)),
     {"tol": 8, "fd_tol": 1e-5}),
]

for _name, _ref, _dts, _specs, _opts in _BINARY_TABLE:
    case(_name, B[_name], _specs, _dts, ref=_ref, **_opts)

from pyjax._src.lax import special as SP  # noqa: E402
case("regularized_incomplete_beta", SP.regularized_incomplete_beta_p,
     [Spec(3, 4, lo=0.5, hi=4.0), Spec(3, 4, lo=0.5, hi=4.0), Spec(3, 4, lo=0.05, hi=0.95)],
     FLOATS3, ref=sps.betainc, nondiff=(0, 1))   # d/da, d/db raise ValueError, as in JAX
case("bessel_i0e", SP.bessel_i0e_p, [Spec(3, 4, lo=-5.0, hi=5.0)], FLOATS3, ref=sps.i0e)
case("bessel_i1e", SP.bessel_i1e_p, [Spec(3, 4, lo=-5.0, hi=5.0)], FLOATS3, ref=sps.i1e)
case("zeta", SP.zeta_p, [Spec(3, 4, lo=1.5, hi=5.0), Spec(3, 4, lo=0.5, hi=4.0)], FLOATS3,
     ref=sps.zeta, nondiff=(0,))                 # d/dx raises (JAX's lax.zeta has no jvp)
case("igamma_grad_a", E.igamma_grad_a_p,
     _two(Spec(3, 4, lo=0.5, hi=4.0), Spec(3, 4, lo=0.2, hi=5.0)), (f32, f64),
     ref=ref_igamma_grad_a, tol=50, jvp=None)

# Broadcasting scalars is the job of the lax wrappers: the primitive wants equal shapes.
_CMP = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
        "gt": np.greater, "ge": np.greater_equal}
for _name, _ref in _CMP.items():
    _dts = (f32, f64, bf16, i32, u8, boolean) + ((c64,) if _name in ("eq", "ne") else ())
    # Small integer ranges so that equal elements occur.
    case(_name, C[_name], _two(Spec(3, 4, int_lo=0, int_hi=3)), _dts, ref=_ref,
         out_dtype=boolean, jvp="zero")
# Ties: equal values in float arguments too.
for _name, _ref in _CMP.items():
    case(f"{_name}[ties]", C[_name], _two(Spec(3, 4, values=[-1.0, 0.0, -0.0, 1.0, np.nan])),
         (f32,), ref=_ref, out_dtype=boolean, jvp="zero", vmap=False)

def ref_complex(x, y):
    out = np.empty(x.shape, c128)
    out.real, out.imag = x, y
    return out


case("complex", E.complex_p, _two(Spec(3, 4)), (f32, f64),
     ref=ref_complex, out_dtype=lambda d: c64 if d == f32 else c128)

# --- integer_pow, select_n, clamp, conversions ------------------------------------
for _y in (2, 3, -2, 0, 1):
    _dts = (f32, f64, bf16, c64) + ((i32, u8) if _y >= 0 else ())
    case(f"integer_pow[y={_y}]", E.integer_pow_p, [Spec(3, 4, away=0.3, int_lo=-4, int_hi=4)], _dts,
         params={"y": _y}, ref=lambda x, y: x ** y if y >= 0 else 1 / x ** (-y), tol=4)

case("select_n[bool]", E.select_n_p,
     [Spec(3, 4, dtype=boolean), Spec(3, 4), Spec(3, 4)], (f32, f64, i32, boolean),
     out_dtype=lambda d: d, ref=ref_select_n, nondiff=(0,))
case("select_n[int32,3 cases]", E.select_n_p,
     [Spec(3, 4, dtype=i32, int_lo=0, int_hi=2), Spec(3, 4), Spec(3, 4), Spec(3, 4)],
     (f32, f64, c64), out_dtype=lambda d: d, ref=ref_select_n)
case("select_n[scalar pred]", E.select_n_p,
     [Spec(dtype=boolean), Spec(3, 4), Spec(3, 4)], (f32, i32), out_dtype=lambda d: d, ref=ref_select_n)
case("select_n[1 case]", E.select_n_p, [Spec(3, dtype=i32, int_lo=0, int_hi=0), Spec(3)], (f32,),
     out_dtype=lambda d: d, ref=ref_select_n)

case("clamp", E.clamp_p, [Spec(3, 4, lo=-2, hi=-0.5), Spec(3, 4), Spec(3, 4, lo=0.5, hi=2)],
     (f32, f64, bf16, i32), ref=ref_clamp)
case("clamp[scalar bounds]", E.clamp_p, [Spec(lo=-2, hi=-0.5), Spec(3, 4), Spec(lo=0.5, hi=2)],
     (f32, f64, i32), ref=ref_clamp)
case("clamp[lo>hi]", E.clamp_p, [Spec(3, 4, lo=1, hi=2), Spec(3, 4), Spec(3, 4, lo=-2, hi=-1)],
     # jvp skipped: JAX's rule (which pyjax follows) gives hi's tangent only where hi < x,
     # though the output is hi everywhere when lo > hi.
     (f32,), ref=ref_clamp, vmap=False, jvp=None)

_CONVERSIONS = [  # (source dtypes, target)
    ((f32, f64, bf16), i32), ((f32, f64), u8), ((f32, f64), i8), ((f32, i32, boolean), bf16),
    ((f32, i32, u8, boolean, f16), f32), ((i32, f32, c64), f64), ((f32, i32), c64),
    ((c64,), f32), ((f32, i32), boolean), ((boolean,), i32), ((i32, u32, i64), i8),
    ((i8, u8), u32), ((f64,), f16),
]
for _src, _to in _CONVERSIONS:
    case(f"convert_element_type[to={_to.name}]", E.convert_element_type_p,
         [Spec(3, 4, lo=-300, hi=300, int_lo=-300, int_hi=300)], _src,
         params={"new_dtype": _to, "weak_type": False}, ref=ref_convert, ref_upcast=False,
         out_dtype=_to, jvp="fd" if is_inexact(_to) else "zero")
case("convert_element_type[weak]", E.convert_element_type_p, [Spec(3)], (f32, i32),
     params={"new_dtype": f32, "weak_type": True}, ref=ref_convert, ref_upcast=False, out_dtype=f32)

_BITCASTS = [((f32,), i32, (3, 4)), ((i32, u32), f32, (3, 4)), ((f32, i32), u8, (3, 4)),
             ((u8, i8), f32, (3, 4)), ((f64,), i32, (3,)), ((i32,), f64, (3, 2)),
             ((f16, bf16), i16, (5,)), ((u8,), i16, (5, 2))]
for _src, _to, _shape in _BITCASTS:
    case(f"bitcast_convert_type[to={_to.name}]", E.bitcast_convert_type_p,
         [Spec(*_shape, int_lo=-100, int_hi=100)
          if not (np.dtype(_to).itemsize > np.dtype(_src[0]).itemsize) else
          Spec(*_shape[:-1], np.dtype(_to).itemsize // np.dtype(_src[0]).itemsize,
               int_lo=0, int_hi=120)],
         _src, params={"new_dtype": _to}, ref=ref_bitcast, ref_upcast=False, out_dtype=_to,
         jvp="zero")

case("stop_gradient", E.stop_gradient_p, [Spec(3, 4)], (f32, f64, i32), ref=lambda x: x, jvp="zero")

# --- shape primitives -------------------------------------------------------------


def _bid_ref(x, shape, broadcast_dimensions):
    expanded = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        expanded[d] = x.shape[i]
    return np.broadcast_to(x.reshape(expanded), shape)


for _in, _shape, _dims in [((3,), (2, 3), (1,)), ((3, 1), (3, 4), (0, 1)), ((), (2, 3), ()),
                           ((2, 1, 3), (4, 2, 5, 3), (1, 2, 3)), ((3,), (3, 2), (0,))]:
    case(f"broadcast_in_dim[{_in}->{_shape}]", S.broadcast_in_dim_p, [Spec(*_in)],
         (f32, f64, i32, boolean, c64), params={"shape": _shape, "broadcast_dimensions": _dims},
         ref=_bid_ref)

for _in, _new, _dims in [((2, 3, 4), (6, 4), None), ((2, 3, 4), (4, 6), (2, 0, 1)),
                         ((6,), (2, 1, 3), None), ((2, 3), (3, 2), (1, 0)), ((1,), (), None)]:
    case(f"reshape[{_in}->{_new},dims={_dims}]", S.reshape_p, [Spec(*_in)],
         (f32, f64, i32, boolean), params={"new_sizes": _new, "dimensions": _dims},
         ref=lambda x, new_sizes, dimensions: np.reshape(
             x if dimensions is None else np.transpose(x, dimensions), new_sizes))

for _perm in [(2, 0, 1), (1, 0, 2), (0, 1, 2)]:
    case(f"transpose[{_perm}]", S.transpose_p, [Spec(2, 3, 4)], (f32, f64, i32, c64),
         params={"permutation": _perm}, ref=lambda x, permutation: np.transpose(x, permutation))

for _in, _dims in [((1, 3, 1), (0, 2)), ((2, 1), (1,)), ((1,), (0,))]:
    case(f"squeeze[{_in},{_dims}]", S.squeeze_p, [Spec(*_in)], (f32, f64, i32),
         params={"dimensions": _dims},
         ref=lambda x, dimensions: np.squeeze(x, dimensions))

for _dims in [(0, 2), (1,), ()]:
    case(f"rev[{_dims}]", S.rev_p, [Spec(2, 3, 4)], (f32, f64, i32), params={"dimensions": _dims},
         ref=lambda x, dimensions: np.flip(x, dimensions) if dimensions else x)

case("concatenate[3 ops,dim0]", S.concatenate_p, [Spec(2, 3), Spec(1, 3), Spec(4, 3)],
     (f32, f64, i32, boolean), params={"dimension": 0},
     ref=lambda *xs, dimension: np.concatenate(xs, dimension))
case("concatenate[dim1]", S.concatenate_p, [Spec(2, 3), Spec(2, 1)], (f32, f64, c64),
     params={"dimension": 1}, ref=lambda *xs, dimension: np.concatenate(xs, dimension))
case("concatenate[1 op]", S.concatenate_p, [Spec(2, 3)], (f32,),
     params={"dimension": 1}, ref=lambda *xs, dimension: np.concatenate(xs, dimension))

# Multiple-results primitives: the checks see their outputs packed into one array.
for _sizes, _axis in [((1, 3), 1), ((2, 0, 1), 0), ((4,), 1)]:
    case(f"split[{_sizes},{_axis}]", S.split_p, [Spec(3, 4)], (f32, f64, i32, c64),
         params={"sizes": _sizes, "axis": _axis},
         ref=lambda x, sizes, axis: np.split(x, np.cumsum(sizes)[:-1], axis))
case("optimization_barrier[1 op]", S.optimization_barrier_p, [Spec(3, 4)], (f32, f64, i32, boolean),
     ref=lambda *xs: list(xs))
case("optimization_barrier[3 ops]", S.optimization_barrier_p, [Spec(3, 4), Spec(), Spec(2)],
     (f32, c64), ref=lambda *xs: list(xs))

for _cfg in [((1, 2, 0), (0, 1, 1)), ((-1, 2, 1), (1, -2, 0)), ((0, 0, 2), (-3, -1, 1)),
             ((2, -4, 0), (0, 0, 0)), ((-2, -1, 1), (3, 0, 3))]:
    case(f"pad[{_cfg}]", S.pad_p, [Spec(3, 4), Spec()], (f32, f64, i32, bf16),
         params={"padding_config": _cfg}, ref=ref_pad)
case("pad[empty operand]", S.pad_p, [Spec(0, 2), Spec()], (f32,),
     params={"padding_config": ((1, 1, 2), (0, 1, 0))}, ref=ref_pad)

for _st, _lim, _strides in [((1, 0), (4, 6), (2, 3)), ((0, 2), (5, 5), None), ((2, 1), (2, 6), (1, 2)),
                             ((0, 0), (5, 6), (4, 5))]:
    case(f"slice[{_st},{_lim},{_strides}]", S.slice_p, [Spec(5, 6)], (f32, f64, i32, c64),
         params={"start_indices": _st, "limit_indices": _lim, "strides": _strides},
         ref=lambda x, start_indices, limit_indices, strides: x[tuple(
             slice(s, l, k) for s, l, k in zip(start_indices, limit_indices,
                                               strides or (1,) * x.ndim))])

for _idx, _idt in [((1, 2), i32), ((4, -2), i32), ((100, 3), i32), ((-7, 9), i64), ((2, 0), u8)]:
    case(f"dynamic_slice[{_idx},{_idt.name}]", S.dynamic_slice_p,
         [Spec(5, 6)] + [scalar_int(i, _idt) for i in _idx], (f32, f64, i32),
         params={"slice_sizes": (3, 2)}, ref=ref_dynamic_slice)
    case(f"dynamic_update_slice[{_idx},{_idt.name}]", S.dynamic_update_slice_p,
         [Spec(5, 6), Spec(3, 2)] + [scalar_int(i, _idt) for i in _idx], (f32, f64, i32),
         ref=ref_dus)
# Indices drawn at random (so that vmap batches them and they differ per batch element).
case("dynamic_slice[random idx]", S.dynamic_slice_p,
     [Spec(5, 6), Spec(dtype=i32, int_lo=-2, int_hi=6), Spec(dtype=i32, int_lo=-2, int_hi=6)],
     (f32,), params={"slice_sizes": (2, 3)}, ref=ref_dynamic_slice)
case("dynamic_update_slice[random idx]", S.dynamic_update_slice_p,
     [Spec(5, 6), Spec(2, 3), Spec(dtype=i32, int_lo=-2, int_hi=6),
      Spec(dtype=i32, int_lo=-2, int_hi=6)], (f32,), ref=ref_dus)

for _shape, _dim in [((3, 4), 1), ((5,), 0), ((2, 3, 4), 0)]:
    case(f"iota[{_shape},{_dim}]", S.iota_p, [], (i32, f32, u8, f64),
         params=lambda d, _s=_shape, _d=_dim: {"dtype": d, "shape": _s, "dimension": _d},
         ref=lambda dtype, shape, dimension: ref_iota(dtype, shape, dimension), ref_upcast=False,
         out_dtype=lambda d: d, vmap=False)

from pyjax._src.lax import rng as RNG  # noqa: E402


def ref_philox_bits(key, shape, dtype, algorithm):
    """XLA's Philox4x32-10 bit generator, one block at a time in plain Python integers."""
    def block(ctr, k):
        c = list(ctr)
        for _ in range(10):
            p0, p1 = 0xD2511F53 * c[0], 0xCD9E8D57 * c[2]
            c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & 0xFFFFFFFF, (p0 >> 32) ^ c[3] ^ k[1], p0 & 0xFFFFFFFF]
            k = [(k[0] + 0x9E3779B9) & 0xFFFFFFFF, (k[1] + 0xBB67AE85) & 0xFFFFFFFF]
        return c
    k0, k1, c0, c1 = (int(v) for v in key)
    n = int(np.prod(shape, dtype=np.int64))
    words = []
    hi = k0 | k1 << 32
    for b in range(-(-n // 4)):
        ctr = ((c0 | c1 << 32) + b + (hi << 64)) % 2 ** 128
        words += block([(ctr >> s) & 0xFFFFFFFF for s in (0, 32, 64, 96)], [k0, k1])
    new = (c0 | c1 << 32) + -(-n // 4)
    new_key = np.array([k0, k1, new & 0xFFFFFFFF, (new >> 32) & 0xFFFFFFFF], np.uint32)
    return [new_key, np.array(words[:n], np.uint64).astype(dtype).reshape(shape)]


for _shape in [(2, 3), (5,), ()]:
    case(f"rng_bit_generator[{_shape}]", RNG.rng_bit_generator_p,
         [Spec(4, dtype=u32, int_lo=0, int_hi=2 ** 32 - 1)], (u32, u8, u16),
         params=lambda d, _s=_shape: {"shape": _s, "dtype": d,
                                      "algorithm": RNG.RandomAlgorithm.RNG_DEFAULT},
         ref=ref_philox_bits, ref_upcast=False, out_dtype=u32, jvp="zero")

# --- reductions --------------------------------------------------------------------
_RED = {"reduce_sum": (np.sum, (f32, f64, bf16, i32, c64), Spec(3, 4, 5)),
        "reduce_max": (np.max, (f32, f64, bf16, i32, boolean), Spec(3, 4, 5)),
        "reduce_min": (np.min, (f32, f64, bf16, i32, boolean), Spec(3, 4, 5)),
        "reduce_prod": (np.prod, (f32, f64, i32, c64), Spec(3, 4, 5, lo=0.5, hi=1.5, int_lo=-2, int_hi=2)),
        "reduce_and": (np.bitwise_and.reduce, (boolean, i32, u8), Spec(3, 4, 5, int_lo=-100, int_hi=100)),
        "reduce_or": (np.bitwise_or.reduce, (boolean, i32, u8), Spec(3, 4, 5, int_lo=-100, int_hi=100)),
        "reduce_xor": (np.bitwise_xor.reduce, (boolean, i32, u8), Spec(3, 4, 5, int_lo=-100, int_hi=100))}
for _name, (_fn, _dts, _spec) in _RED.items():
    for _axes in [(0, 2), (1,), (), (0, 1, 2)]:
        case(f"{_name}[{_axes}]", R.reductions[_name], [_spec], _dts, params={"axes": _axes},
             ref=lambda x, axes, _fn=_fn: np.asarray(_fn(x, axis=axes)) if axes else x,
             jvp="zero" if _name in ("reduce_and", "reduce_or", "reduce_xor") else "fd",
             tol=4)
case("reduce_prod[zeros]", R.reductions["reduce_prod"],
     [Spec(3, 4, values=[0.0, 1.5, -0.5, 2.0])], (f32, f64), params={"axes": (1,)},
     ref=lambda x, axes: np.prod(x, axis=axes))
case("reduce_max[ties]", R.reductions["reduce_max"],
     [Spec(3, 4, values=[0.0, 1.0, 2.0])], (f32, f64), params={"axes": (1,)},
     ref=lambda x, axes: np.max(x, axis=axes), jvp=None)
case("reduce_sum[empty]", R.reductions["reduce_sum"], [Spec(0, 3)], (f32, i32),
     params={"axes": (0,)}, ref=lambda x, axes: np.sum(x, axis=axes))

for _p in (R.argmax_p, R.argmin_p):
    _fn = np.argmax if _p is R.argmax_p else np.argmin
    for _axis, _idt in [(1, i32), (0, i32), (2, i64)]:
        case(f"{_p.name}[axis={_axis},{_idt.name}]", _p, [Spec(3, 4, 5)], (f32, f64, bf16, i32, boolean),
             params={"axes": (_axis,), "index_dtype": _idt},
             ref=lambda x, axes, index_dtype, _fn=_fn: _fn(x, axis=axes[0]).astype(index_dtype),
             ref_upcast=False, out_dtype=_idt, jvp="zero")
    case(f"{_p.name}[nan,ties]", _p, [Spec(4, 5, values=[np.nan, 1.0, 1.0, 2.0, -np.inf, np.inf])],
         (f32, f64, bf16), params={"axes": (1,), "index_dtype": i32},
         ref=lambda x, axes, index_dtype, _fn=_fn: _fn(x, axis=axes[0]).astype(index_dtype),
         ref_upcast=False, out_dtype=i32, jvp="zero")

_CUM = {"cumsum": (np.add, (f32, f64, bf16, i32, c64), Spec(4, 5)),
        "cumprod": (np.multiply, (f32, f64, i32), Spec(4, 5, lo=0.5, hi=1.5, int_lo=-2, int_hi=2)),
        "cummax": (np.maximum, (f32, f64, i32, boolean), Spec(4, 5)),
        "cummin": (np.minimum, (f32, f64, i32, boolean), Spec(4, 5)),
        "cumlogsumexp": (np.logaddexp, (f32, f64, bf16), Spec(4, 5))}
for _name, (_uf, _dts, _spec) in _CUM.items():
    for _axis, _rev in [(1, False), (1, True), (0, False), (0, True)]:
        case(f"{_name}[axis={_axis},reverse={_rev}]", R.cumulative[_name], [_spec], _dts,
             params={"axis": _axis, "reverse": _rev}, ref=ref_cumulative(_uf), tol=4)
case("cumsum[len1]", R.cumulative["cumsum"], [Spec(1, 3)], (f32,),
     params={"axis": 0, "reverse": False}, ref=ref_cumulative(np.add))
case("cumprod[zeros]", R.cumulative["cumprod"], [Spec(7, values=[0.0, 1.5, -0.5, 2.0])], (f64,),
     params={"axis": 0, "reverse": False}, ref=ref_cumulative(np.multiply))

# --- dot_general -------------------------------------------------------------------
_DOTS = [  # (name, lhs shape, rhs shape, dimension_numbers)
    ("matmul", (3, 4), (4, 5), (((1,), (0,)), ((), ()))),
    ("vecdot", (4,), (4,), (((0,), (0,)), ((), ()))),
    ("matvec", (3, 4), (4,), (((1,), (0,)), ((), ()))),
    ("outer", (3,), (4,), (((), ()), ((), ()))),
    ("batch", (2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,)))),
    ("batch_not_leading", (3, 2, 4), (4, 5, 2), (((2,), (0,)), ((1,), (2,)))),
    ("two_contract", (2, 3, 4), (4, 3, 5), (((1, 2), (1, 0)), ((), ()))),
    ("lhs_contract_first", (4, 3), (4, 5), (((0,), (0,)), ((), ()))),
    ("two_batch", (2, 3, 4, 2), (3, 2, 2, 5), (((3,), (2,)), ((0, 1), (1, 0)))),
]
for _n, _ls, _rs, _dn in _DOTS:
    case(f"dot_general[{_n}]", D.dot_general_p, [Spec(*_ls), Spec(*_rs)], (f32, f64, bf16, i32, c64),
         params={"dimension_numbers": _dn, "precision": None, "preferred_element_type": None},
         ref=ref_dot, tol=8)
for _src, _pet in [((i8,), i32), ((bf16, f16), f32), ((f32,), f64), ((i32,), f32), ((boolean,), boolean)]:
    case(f"dot_general[preferred={_pet.name}]", D.dot_general_p,
         [Spec(2, 3, 4, int_lo=-100, int_hi=100), Spec(2, 4, 5, int_lo=-100, int_hi=100)], _src,
         params={"dimension_numbers": (((2,), (1,)), ((0,), (0,))), "precision": None,
                 "preferred_element_type": _pet},
         ref=ref_dot, out_dtype=_pet, tol=8, jvp="fd" if is_inexact(_pet) and is_inexact(_src[0]) else "zero")


# --- linear algebra and fft --------------------------------------------------------
import scipy.linalg as _sla  # noqa: E402

from pyjax._src.lax import fft as FT  # noqa: E402
from pyjax._src.lax import linalg as LA  # noqa: E402


def _rand(rng, dt, shape):
    a = rng.standard_normal(shape)
    if np.issubdtype(dt, np.complexfloating):
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dt)


def _spd(rng, dt, n=4):
    a = _rand(rng, dt, (2, n, n))
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dt)


def _well(rng, dt, n=4):
    return (_rand(rng, dt, (2, n, n)) + 2 * n * np.eye(n)).astype(dt)


def _ref_trsolve(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    out = np.empty(b.shape, np.result_type(a, b))
    for i in np.ndindex(*a.shape[:-2]):
        t = np.tril(a[i]) if lower else np.triu(a[i])
        if unit_diagonal:
            t = t - np.diag(np.diag(t)) + np.eye(t.shape[0])
        op = np.conj(t) if conjugate_a else t
        op = op.T if transpose_a else op
        out[i] = np.linalg.solve(op, b[i]) if left_side else np.linalg.solve(op.T, b[i].T).T
    return out


for _f in ((True, True, False, False, False), (True, False, True, True, False),
           (False, True, False, False, True), (False, False, True, False, False)):
    case(f"triangular_solve[{''.join('LlTCU'[i] if v else '_' for i, v in enumerate(_f))}]",
         LA.triangular_solve_p,
         lambda rng, dt, _ls=_f[0]: [_well(rng, dt), _rand(rng, dt, (2, 4, 3) if _ls else (2, 3, 4))],
         (f32, f64, c64, c128),
         dict(zip(("left_side", "lower", "transpose_a", "conjugate_a", "unit_diagonal"), _f)),
         ref=_ref_trsolve, tol=200, fd_tol=1e-5)
case("cholesky", LA.cholesky_p, lambda rng, dt: [_spd(rng, dt)], (f32, f64, c64, c128),
     ref=lambda x: np.linalg.cholesky(np.tril(x) + np.conj(np.swapaxes(np.tril(x, -1), -1, -2))),
     tol=200, fd_tol=1e-5)


def _tri_args(rng, dt, m=5):
    dl, du = _rand(rng, dt, (2, m)), _rand(rng, dt, (2, m))
    dl[:, 0] = 0
    du[:, -1] = 0
    return [dl, (_rand(rng, dt, (2, m)) + 4).astype(dt), du, _rand(rng, dt, (2, m, 3))]


def _ref_tri(dl, d, du, b, **_):
    return np.stack([np.linalg.solve(np.diag(d[i]) + np.diag(dl[i, 1:], -1) + np.diag(du[i, :-1], 1), b[i])
                     for i in range(b.shape[0])])


case("tridiagonal_solve", LA.tridiagonal_solve_p, _tri_args, (f32, f64, c64, c128),
     dict(perturb_singular=False), ref=_ref_tri, tol=200, nondiff=(0, 2), fd_tol=1e-5)
case("lu_pivots_to_permutation", LA.lu_pivots_to_permutation_p,
     lambda rng, dt: [np.array([[2, 2, 3], [1, 2, 2]], np.int32)], (i32,), dict(permutation_size=4),
     ref=lambda p, permutation_size: np.array([[2, 0, 3, 1], [1, 2, 0, 3]], np.int32),
     jvp="zero", ref_upcast=False)


def _orgqr(a, t):
    return _sla.lapack.get_lapack_funcs("ungqr" if np.iscomplexobj(a) else "orgqr", (a,))(a, t)[0]


def _hh_args(rng, dt):
    a = _rand(rng, dt, (2, 4, 3))
    o = [_sla.lapack.get_lapack_funcs("geqrf", (x,))(x)[:2] for x in a]
    return [np.stack([x[0] for x in o]), np.stack([x[1] for x in o])]


case("householder_product", LA.householder_product_p, _hh_args, (f32, f64, c64, c128),
     ref=lambda a, t: np.stack([_orgqr(a[i], t[i]) for i in range(a.shape[0])]),
     jvp=None, ref_upcast=False, tol=10)
for _typ in ("FFT", "IFFT", "RFFT", "IRFFT"):
    for _k, _shape in {1: (2, 6), 2: (2, 4, 5), 3: (3, 4, 2)}.items():
        _len = _shape[len(_shape) - _k:]
        _ax = tuple(range(len(_shape) - _k, len(_shape)))
        _in = _shape[:-1] + (_shape[-1] // 2 + 1,) if _typ == "IRFFT" else _shape
        _ref = ((lambda x, fft_type, fft_lengths, _ax=_ax: np.fft.irfftn(x, s=fft_lengths, axes=_ax))
                if _typ == "IRFFT" else
                (lambda x, fft_type, fft_lengths, _fn={"FFT": np.fft.fftn, "IFFT": np.fft.ifftn,
                                                       "RFFT": np.fft.rfftn}[_typ], _ax=_ax:
                 _fn(x, axes=_ax)))
        case(f"fft[{_typ},{_k}d]", FT.fft_p, lambda rng, dt, _s=_in: [_rand(rng, dt, _s)],
             (f32, f64) if _typ == "RFFT" else (c64, c128),
             dict(fft_type=FT.FftType[_typ], fft_lengths=_len), ref=_ref, tol=20,
             out_dtype=(lambda dt: np.result_type(dt, np.complex64)) if _typ == "RFFT" else
             ((lambda dt: np.dtype(np.finfo(dt).dtype)) if _typ == "IRFFT" else None))

# ---------------------------------------------------------------------------
# --- gather / scatter (pyjax/_src/lax/slicing.py) ----------------------------------
# References are element-by-element loops over XLA's definitions, independent of the
# vectorised implementation.
from pyjax._src.lax import slicing as SL  # noqa: E402


def _ref_gather(operand, indices, *, dimension_numbers, slice_sizes, mode, fill_value,
                **_):
    dn = dimension_numbers
    out_rank = len(dn.offset_dims) + indices.ndim - 1
    window = [d for d in range(operand.ndim)
              if d not in dn.collapsed_slice_dims and d not in dn.operand_batching_dims]
    bshape, wsizes = iter(indices.shape[:-1]), iter(slice_sizes[d] for d in window)
    out_shape = tuple(next(wsizes) if i in dn.offset_dims else next(bshape)
                      for i in range(out_rank))
    fill = SL._default_fill_value(operand.dtype) if fill_value is None else fill_value
    out = np.zeros(out_shape, operand.dtype)
    batch_out = [d for d in range(out_rank) if d not in dn.offset_dims]
    for o in np.ndindex(*out_shape):
        g = [o[d] for d in batch_out]
        vec = indices[tuple(g)]
        start = [0] * operand.ndim
        ok = True
        for k, d in enumerate(dn.start_index_map):
            s, hi = int(vec[k]), operand.shape[d] - slice_sizes[d]
            ok = ok and 0 <= s <= hi
            start[d] = min(max(s, 0), hi)
        for od, idim in zip(dn.operand_batching_dims, dn.start_indices_batching_dims):
            start[od] = g[idim]
        for j, d in enumerate(window):
            start[d] += o[dn.offset_dims[j]]
        out[o] = fill if (mode == SL.GatherScatterMode.FILL_OR_DROP and not ok) \
            else operand[tuple(start)]
    return out


_SCATTER_COMBINE = {"scatter": lambda a, b: b, "scatter-add": lambda a, b: a + b,
                    "scatter-sub": lambda a, b: a - b, "scatter-mul": lambda a, b: a * b,
                    "scatter-min": lambda a, b: b if (np.isnan(b) or b < a) and not np.isnan(a) else a,
                    "scatter-max": lambda a, b: b if (np.isnan(b) or b > a) and not np.isnan(a) else a}


def _ref_scatter(name):
    combine = _SCATTER_COMBINE[name]

    def ref(operand, indices, updates, *, dimension_numbers, mode, **_):
        dn = dimension_numbers
        out = np.array(operand, copy=True)
        uwd = dn.update_window_dims
        usd = [d for d in range(updates.ndim) if d not in uwd]
        window = [d for d in range(operand.ndim)
                  if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims]
        sizes = [1] * operand.ndim
        for d, u in zip(window, uwd):
            sizes[d] = updates.shape[u]
        for u in np.ndindex(*updates.shape):
            g = [u[d] for d in usd]
            vec = indices[tuple(g)]
            start = [0] * operand.ndim
            ok = True
            for k, d in enumerate(dn.scatter_dims_to_operand_dims):
                s, hi = int(vec[k]), operand.shape[d] - sizes[d]
                ok = ok and 0 <= s <= hi
                start[d] = min(max(s, 0), hi)
            if not ok and mode != SL.GatherScatterMode.CLIP:
                continue
            for od, idim in zip(dn.operand_batching_dims, dn.scatter_indices_batching_dims):
                start[od] = g[idim]
            for j, d in enumerate(window):
                start[d] += u[uwd[j]]
            out[tuple(start)] = combine(out[tuple(start)], updates[u])
        return out
    return ref


_GDN = SL.GatherDimensionNumbers
_SDN = SL.ScatterDimensionNumbers
_MODES = {"clip": SL.GatherScatterMode.CLIP, "fill": SL.GatherScatterMode.FILL_OR_DROP,
          "promise": SL.GatherScatterMode.PROMISE_IN_BOUNDS}
_GATHERS = [  # (name, operand shape, indices spec, dimension numbers, slice sizes)
    ("rows", (5, 3), Spec(4, 1, dtype=i32, int_lo=-2, int_hi=6),
     _GDN(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,)), (1, 3)),
    ("points", (4, 5), Spec(3, 2, 2, dtype=i32, int_lo=-1, int_hi=5),
     _GDN(offset_dims=(), collapsed_slice_dims=(0, 1), start_index_map=(1, 0)), (1, 1)),
    ("windows", (6, 5), Spec(3, 1, dtype=i32, int_lo=-1, int_hi=6),
     _GDN(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(0,)), (2, 5)),
    ("batching dims", (3, 4, 5), Spec(3, 2, 1, dtype=i32, int_lo=0, int_hi=4),
     _GDN(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,),
          operand_batching_dims=(0,), start_indices_batching_dims=(0,)), (1, 1, 5)),
    ("no index vector", (3, 4), Spec(2, 0, dtype=i32),
     _GDN(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=()), (2, 4)),
    ("empty indices", (3, 4), Spec(0, 1, dtype=i32),
     _GDN(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,)), (1, 4)),
]

def _in_bounds(spec, hi):
    """PROMISE_IN_BOUNDS cases keep their promise (their gradients assume it, as in JAX)."""
    return Spec(*spec.shape, dtype=spec.dtype, int_lo=0, int_hi=hi) if spec.shape[0] else spec


for _n, _shape, _ispec, _dn, _ss in _GATHERS:
    for _m, _mode in _MODES.items():
        if _n in ("no index vector", "empty indices") and _m != "clip":
            continue
        _hi = min(_shape[d] - _ss[d] for d in _dn.start_index_map) if _dn.start_index_map else 0
        case(f"gather[{_n},{_m}]", SL.gather_p,
             [Spec(*_shape), _in_bounds(_ispec, _hi) if _m == "promise" else _ispec],
             (f32, f64, i32, c64, bf16, boolean) if _m == "fill" and _n == "rows" else (f32, i32),
             dict(dimension_numbers=_dn, slice_sizes=_ss, unique_indices=False,
                  indices_are_sorted=False, mode=_mode,
                  fill_value=-1 if _mode == SL.GatherScatterMode.FILL_OR_DROP else None),
             ref=_ref_gather, ref_upcast=False)
# The default fill values: NaN for inexact types (finite differences cannot see through it).
case("gather[default fill]", SL.gather_p, [Spec(5, 3), Spec(4, 1, dtype=i32, int_lo=-2, int_hi=6)],
     (f32, i32, u8, boolean),
     lambda dt: dict(dimension_numbers=_GATHERS[0][3], slice_sizes=(1, 3), unique_indices=False,
                     indices_are_sorted=False, mode=SL.GatherScatterMode.FILL_OR_DROP,
                     fill_value=SL._default_fill_value(dt)), ref=_ref_gather, ref_upcast=False,
     jvp=None)
case("gather[u8 indices]", SL.gather_p, [Spec(5, 3), Spec(4, 1, dtype=u8, int_lo=0, int_hi=6)],
     (f32,), dict(dimension_numbers=_GATHERS[0][3], slice_sizes=(1, 3), unique_indices=False,
                  indices_are_sorted=False, mode=SL.GatherScatterMode.CLIP, fill_value=None),
     ref=_ref_gather, ref_upcast=False)


def _unique_rows(rng, dt):
    return np.array([[3], [0], [4]], np.int32)


_unique_rows.fixed = True

_SCATTERS = [  # (name, operand shape, indices spec, updates shape, dimension numbers)
    ("rows", (5, 3), Spec(4, 1, dtype=i32, int_lo=-2, int_hi=6), (4, 3),
     _SDN(update_window_dims=(1,), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))),
    ("points", (4, 5), Spec(3, 2, 2, dtype=i32, int_lo=-1, int_hi=5), (3, 2),
     _SDN(update_window_dims=(), inserted_window_dims=(0, 1), scatter_dims_to_operand_dims=(1, 0))),
    ("windows", (6, 5), Spec(3, 1, dtype=i32, int_lo=-1, int_hi=6), (3, 2, 4),
     _SDN(update_window_dims=(1, 2), inserted_window_dims=(), scatter_dims_to_operand_dims=(0,))),
    ("batching dims", (3, 4, 5), Spec(3, 2, 1, dtype=i32, int_lo=0, int_hi=3), (3, 2, 5),
     _SDN(update_window_dims=(2,), inserted_window_dims=(1,), scatter_dims_to_operand_dims=(1,),
          operand_batching_dims=(0,), scatter_indices_batching_dims=(0,))),
    ("unique rows", (5, 3), _unique_rows, (3, 3),
     _SDN(update_window_dims=(1,), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))),
]
_SCATTER_PRIMS = {"scatter-add": SL.scatter_add_p, "scatter-sub": SL.scatter_sub_p,
                  "scatter-mul": SL.scatter_mul_p, "scatter-min": SL.scatter_min_p,
                  "scatter-max": SL.scatter_max_p, "scatter": SL.scatter_p}
for _pname, _p in _SCATTER_PRIMS.items():
    for _n, _shape, _ispec, _ushape, _dn in _SCATTERS:
        unique = _n == "unique rows"
        if _pname == "scatter-mul" and not unique:
            continue  # its updates' derivative needs unique indices (as JAX)
        for _m, _mode in _MODES.items():
            if _m == "promise" and _n != "rows":
                continue
            extra = {"update_jaxpr": None} if _pname == "scatter" else {}
            _ix = _in_bounds(_ispec, _shape[0] - 1) if _m == "promise" else _ispec
            case(f"{_pname}[{_n},{_m}]", _p, [Spec(*_shape), _ix, Spec(*_ushape)],
                 (f32, i32) if _n != "rows" or _pname == "scatter-sub" or _m != "fill" else
                 (f32, f64, i32, c64, bf16) if _pname in ("scatter-add", "scatter") else
                 (f32, f64, i32, bf16),
                 dict(dimension_numbers=_dn, indices_are_sorted=False, unique_indices=unique,
                      mode=_mode, **extra),
                 ref=_ref_scatter(_pname), ref_upcast=False)
case("scatter-add[bool]", SL.scatter_add_p,
     [Spec(5, 3), Spec(4, 1, dtype=i32, int_lo=-2, int_hi=6), Spec(4, 3)], (boolean,),
     dict(dimension_numbers=_SCATTERS[0][4], indices_are_sorted=False, unique_indices=False,
          mode=SL.GatherScatterMode.FILL_OR_DROP), ref=_ref_scatter("scatter-max"),
     ref_upcast=False)


# --- convolutions, windowed reductions, reduce_precision -----------------------------
# (pyjax/_src/lax/convolution.py and pyjax/_src/lax/windowed_reductions.py; the generic
# `reduce` and `reduce_window` primitives have several results and are tested in
# tests/test_convolution.py.)
from pyjax._src.lax import convolution as CV  # noqa: E402
from pyjax._src.lax import windowed_reductions as WR  # noqa: E402


def _ref_pad_dilate(x, padding, dilation, fill, axes):
    """x with `dilation - 1` fill values between elements and (lo, hi) fill values (negative:
    cropped) on the given axes: lax.pad, slowly."""
    for ax, (lo, hi), d in zip(axes, padding, dilation):
        n = x.shape[ax]
        size = max(0, (n - 1) * d + 1)
        shape = list(x.shape)
        shape[ax] = size + max(lo, 0) + max(hi, 0)
        out = np.full(shape, fill, x.dtype)
        idx = [slice(None)] * x.ndim
        idx[ax] = slice(max(lo, 0), max(lo, 0) + size, d)
        out[tuple(idx)] = x
        idx[ax] = slice(-min(lo, 0), shape[ax] + min(hi, 0))
        x = out[tuple(idx)]
    return x


def ref_conv(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
             feature_group_count, batch_group_count, precision=None, preferred_element_type=None):
    """conv_general_dilated by loops over output positions and output features."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    acc = np.result_type(lhs.dtype, np.int64 if lhs.dtype.kind in "biu" else lhs.dtype)
    x = np.transpose(lhs, lhs_spec).astype(acc)         # (N, C, spatial...)
    w = np.transpose(rhs, rhs_spec).astype(acc)         # (O, I, spatial...)
    nsp = x.ndim - 2
    axes = list(range(2, 2 + nsp))
    x = _ref_pad_dilate(x, [(0, 0)] * nsp, lhs_dilation, 0, axes)
    x = _ref_pad_dilate(x, padding, [1] * nsp, 0, axes)
    w = _ref_pad_dilate(w, [(0, 0)] * nsp, rhs_dilation, 0, axes)
    N, C = x.shape[:2]
    O, I = w.shape[:2]
    G, B = feature_group_count, batch_group_count
    out_sp = [max(0, (x.shape[2 + i] - w.shape[2 + i]) // window_strides[i] + 1)
              for i in range(nsp)]
    out = np.zeros([N // B, O] + out_sp, acc)
    for pos in np.ndindex(*out_sp):
        sl = tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, window_strides, w.shape[2:]))
        patch = x[(slice(None), slice(None)) + sl]
        for o in range(O):
            if B > 1:
                b = o // (O // B)
                part = patch[b * (N // B):(b + 1) * (N // B)]
            else:
                g = o // (O // G)
                part = patch[:, g * I:(g + 1) * I]
            out[(slice(None), o) + pos] = np.sum(part * w[o], axis=tuple(range(1, part.ndim)))
    out = np.transpose(out, np.argsort(out_spec))
    dt = np.dtype(preferred_element_type) if preferred_element_type is not None else lhs.dtype
    return out.astype(dt) if dt.kind in "biu" else out


def _conv_params(strides, padding, lhs_dilation, rhs_dilation, dn, fgc=1, bgc=1, pet=None):
    return {"window_strides": strides, "padding": padding, "lhs_dilation": lhs_dilation,
            "rhs_dilation": rhs_dilation, "dimension_numbers": CV.ConvDimensionNumbers(*dn),
            "feature_group_count": fgc, "batch_group_count": bgc, "precision": None,
            "preferred_element_type": pet}


_NCHW = ((0, 1, 2, 3), (0, 1, 2, 3), (0, 1, 2, 3))
_NHWC = ((0, 3, 1, 2), (3, 2, 0, 1), (0, 3, 1, 2))    # ('NHWC', 'HWIO', 'NHWC')
_CONVS = [  # name, lhs shape, rhs shape, params
    ("nchw", (2, 3, 5, 4), (4, 3, 3, 2),
     _conv_params((1, 1), ((1, 1), (0, 1)), (1, 1), (1, 1), _NCHW)),
    ("nhwc,strided,rhs_dilated,groups", (2, 6, 7, 4), (3, 2, 2, 6),
     _conv_params((2, 1), ((1, 2), (1, 0)), (1, 1), (2, 1), _NHWC, fgc=2)),
    ("lhs_dilated,negative_padding", (1, 2, 4, 5), (3, 2, 2, 3),
     _conv_params((1, 2), ((0, 1), (-1, 2)), (2, 1), (1, 2), _NCHW)),
    ("batch_groups", (4, 3, 5, 3), (4, 3, 2, 2),
     _conv_params((1, 1), ((0, 0), (1, 0)), (1, 1), (1, 1), _NCHW, bgc=2)),
    ("1d,WNC", (6, 2, 3), (3, 3, 4),                    # ('WNC', 'WIO', 'CWN')
     _conv_params((2,), ((1, 1),), (1,), (1,), ((1, 2, 0), (2, 1, 0), (1, 2, 0)))),
    ("0d", (2, 3), (4, 3), _conv_params((), (), (), (), ((0, 1), (0, 1), (0, 1)))),
]
for _n, _ls, _rs, _p in _CONVS:
    case(f"conv_general_dilated[{_n}]", CV.conv_general_dilated_p, [Spec(*_ls), Spec(*_rs)],
         (f32, f64, bf16, c64, i32), params=_p, ref=ref_conv, tol=10)
for _src, _pet in [((i8,), i32), ((bf16, f16), f32), ((f32,), f64)]:
    case(f"conv_general_dilated[preferred={_pet.name}]", CV.conv_general_dilated_p,
         [Spec(2, 3, 4, 3, int_lo=-100, int_hi=100), Spec(2, 3, 2, 2, int_lo=-100, int_hi=100)],
         _src, params=_conv_params((1, 1), ((1, 0), (0, 1)), (1, 1), (1, 1), _NCHW, pet=_pet),
         ref=ref_conv, out_dtype=_pet, tol=10, jvp="fd" if is_inexact(_src[0]) else "zero")


def _ref_windows(x, init, window_dimensions, window_strides, padding, base_dilation,
                 window_dilation):
    """(out_shape, list of (position, window values, window validity)) by loops."""
    axes = list(range(x.ndim))
    xp = _ref_pad_dilate(_ref_pad_dilate(x, [(0, 0)] * x.ndim, base_dilation, init, axes),
                         padding, [1] * x.ndim, init, axes)
    valid = np.ones(x.shape, bool)
    valid = _ref_pad_dilate(_ref_pad_dilate(valid, [(0, 0)] * x.ndim, base_dilation, False, axes),
                            padding, [1] * x.ndim, False, axes)
    eff = [(k - 1) * d + 1 for k, d in zip(window_dimensions, window_dilation)]
    out_shape = tuple(max(0, (n - k) // s + 1) for n, k, s in zip(xp.shape, eff, window_strides))
    wins = []
    for pos in np.ndindex(*out_shape):
        idx = tuple(slice(p * s, p * s + k, d)
                    for p, s, k, d in zip(pos, window_strides, eff, window_dilation))
        wins.append((pos, xp[idx].ravel(), valid[idx].ravel(), idx))
    return out_shape, wins, xp


def ref_reduce_window(np_fn, identity):
    def ref(x, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        init = identity(x.dtype)
        out_shape, wins, _ = _ref_windows(x, init, window_dimensions, window_strides, padding,
                                          base_dilation, window_dilation)
        out = np.full(out_shape, init, x.dtype)
        for pos, vals, _, _ in wins:
            out[pos] = np_fn(np.concatenate([[init], vals]).astype(x.dtype))
        return out
    return ref


def ref_select_and_gather_add(t, x, select_prim, window_dimensions, window_strides, padding,
                              base_dilation, window_dilation):
    """The tangent at the first maximum (minimum) of each window's real elements; 0 where a
    window holds nothing above the identity."""
    ge = select_prim is C["ge"]
    init = -np.inf if ge else np.inf
    out_shape, wins, _ = _ref_windows(x, init, window_dimensions, window_strides, padding,
                                      base_dilation, window_dilation)
    _, twins, _ = _ref_windows(t, 0, window_dimensions, window_strides, padding, base_dilation,
                               window_dilation)
    out = np.zeros(out_shape, t.dtype)
    for (pos, vals, valid, _), (_, tv, _, _) in zip(wins, twins):
        best, best_t = init, 0
        for v, tt, ok in zip(vals, tv, valid):
            if ok and ((v > best) if ge else (v < best)):
                best, best_t = v, tt
        out[pos] = best_t
    return out


def ref_select_and_scatter_add(s, x, select_prim, window_dimensions, window_strides, padding):
    """Each window's source value added at the window's first maximum (minimum)."""
    ge = select_prim is C["ge"]
    init = -np.inf if ge else np.inf
    ones = (1,) * x.ndim
    _, wins, xp = _ref_windows(x, init, window_dimensions, window_strides, padding, ones, ones)
    acc = np.zeros(xp.shape, s.dtype)
    for pos, vals, _, idx in wins:
        k = int(np.argmax(vals) if ge else np.argmin(vals))
        sub = np.unravel_index(k, window_dimensions)
        acc[tuple(sl.start + j for sl, j in zip(idx, sub))] += s[pos]
    return _ref_pad_dilate(acc, [(-lo, -hi) for lo, hi in padding], ones, 0, list(range(x.ndim)))


def _rw_params(wd, ws, pad, bd=None, wdl=None):
    n = len(wd)
    return {"window_dimensions": wd, "window_strides": ws, "padding": pad,
            "base_dilation": bd or (1,) * n, "window_dilation": wdl or (1,) * n}


_RW_PARAMS = [
    ("plain", _rw_params((2, 3), (1, 1), ((0, 0), (0, 0)))),
    ("strided,padded", _rw_params((2, 3), (2, 1), ((1, 0), (1, 2)))),
    ("base_dilated", _rw_params((2, 2), (1, 2), ((0, 1), (1, 1)), (2, 1))),
    ("negative_padding", _rw_params((1, 2), (1, 1), ((-1, 0), (1, -1)))),
]
# Reverse mode through max/min windows with window dilation is not implemented (as in JAX):
# only reduce_window_sum gets a window-dilated case here (forward mode: test_convolution.py).
_RW_WINDOW_DILATED = ("window_dilated", _rw_params((2, 2), (1, 2), ((0, 1), (1, 1)), (2, 1), (1, 2)))
for _p, _fn, _idt, _dts in [(WR.reduce_window_sum_p, np.sum, lambda dt: np.zeros((), dt),
                             (f32, f64, bf16, i32, c64)),
                            (WR.reduce_window_max_p, np.max, WR._get_max_identity,
                             (f32, f64, bf16, i32, boolean)),
                            (WR.reduce_window_min_p, np.min, WR._get_min_identity,
                             (f32, f64, bf16, i32, boolean))]:
    for _n, _params in _RW_PARAMS + ([_RW_WINDOW_DILATED] if _p is WR.reduce_window_sum_p else []):
        case(f"{_p.name}[{_n}]", _p, [Spec(4, 5)], _dts, params=_params,
             ref=ref_reduce_window(_fn, _idt), tol=4)
    case(f"{_p.name}[3d]", _p, [Spec(2, 3, 4)], (f32,),
         params=_rw_params((1, 2, 2), (1, 2, 1), ((0, 0), (1, 0), (0, 1))),
         ref=ref_reduce_window(_fn, _idt), tol=4)

for _sel in ("ge", "le"):
    for _n, _params in _RW_PARAMS:
        case(f"select_and_gather_add[{_sel},{_n}]", WR.select_and_gather_add_p,
             [Spec(4, 5), Spec(4, 5)], (f32, f64, bf16),
             params=dict(_params, select_prim=C[_sel]), ref=ref_select_and_gather_add,
             nondiff=(1,))


def _sas_args(wd, ws, pad):
    def make(rng, dt):
        x = rng.uniform(-3, 3, (4, 5)).astype(dt)
        out = WR.reduce_window_shape_tuple(x.shape, wd, ws, pad)
        return [rng.uniform(-3, 3, out).astype(dt), x]
    return make


for _sel in ("ge", "le"):
    for _n, _wd, _ws, _pad in [("plain", (2, 3), (1, 1), ((0, 0), (0, 0))),
                               ("strided,padded", (2, 3), (2, 1), ((1, 0), (1, 2))),
                               ("overlapping", (3, 2), (1, 1), ((1, 1), (0, 1)))]:
        case(f"select_and_scatter_add[{_sel},{_n}]", WR.select_and_scatter_add_p,
             _sas_args(_wd, _ws, _pad), (f32, f64, bf16),
             params={"select_prim": C[_sel], "window_dimensions": _wd, "window_strides": _ws,
                     "padding": _pad},
             ref=ref_select_and_scatter_add, nondiff=(1,), tol=4)


def ref_reduce_precision(x, exponent_bits, mantissa_bits):
    """Round through the float type with these bits (ml_dtypes), then flush what is below
    its smallest normal number to a signed zero (XLA keeps no denormals of the narrow type)."""
    target = {(5, 10): f16, (8, 7): bf16, (8, 23): f32, (11, 52): f64}[(exponent_bits,
                                                                      mantissa_bits)]
    y = x.astype(target).astype(x.dtype)
    tiny = float(ml_dtypes.finfo(target).tiny)
    src_exp = ml_dtypes.finfo(x.dtype).nexp
    if ml_dtypes.finfo(target).nexp < src_exp:
        y = np.where(np.abs(y.astype(f64)) < tiny, np.copysign(np.zeros_like(y), y), y)
    return y


def _log_uniform(rng, dt):
    return [(rng.choice([-1.0, 1.0], (3, 4)) * 10.0 ** rng.uniform(-9, 6, (3, 4))).astype(dt)]


for _e, _m in [(5, 10), (8, 7)]:
    case(f"reduce_precision[{_e},{_m}]", WR.reduce_precision_p, _log_uniform,
         (f32, f64, bf16), params={"exponent_bits": _e, "mantissa_bits": _m},
         ref=ref_reduce_precision, ref_upcast=False, jvp=None, signed_zeros=True)
case("reduce_precision[special]", WR.reduce_precision_p,
     lambda rng, dt: [np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, 1.5, -2.75, 65504.0,
                                65520.0, 1e5, -1e-30, 6e-5, 6.1e-5, 3.14159], dt)],
     (f32, f64), params={"exponent_bits": 5, "mantissa_bits": 10}, ref=ref_reduce_precision,
     ref_upcast=False, jvp=None, vmap=False, signed_zeros=True)
# Rounding to the operand's own format is the identity, so finite differences apply.
case("reduce_precision[identity]", WR.reduce_precision_p, [Spec(3, 4)], (f64,),
     params={"exponent_bits": 11, "mantissa_bits": 52}, ref=lambda x, **_: x)

# ---------------------------------------------------------------------------
# --- sorting: sort and top_k (pyjax/_src/lax/sorting.py) --------------------------------
# Both primitives have several results; the checks above take one output, so each case
# looks at one output through a test-only projection primitive whose every rule is the
# real primitive's rule with that output picked (impl, abstract eval, weak type, jvp,
# batching).  The jvp, transpose-identity and vmap checks thus exercise sort's and top_k's
# own rules (the reverse mode of both runs through sort's transpose rule).
from pyjax._src.lax import sorting as SO  # noqa: E402


def _pick(v, i):
    return v[i] if isinstance(v, (list, tuple)) else v


def output_primitive(prim, index):
    """Output `index` of the multiple-results primitive `prim`, as a primitive."""
    p = core.Primitive(f"{prim.name}[out{index}]")
    core.register(
        p,
        impl=lambda *a, **kw: core.impl_rules[prim](*a, **kw)[index],
        abstract_eval=lambda *a, **kw: core.abstract_eval_rules[prim](*a, **kw)[index],
        weak_type=lambda *w, **kw: _pick(core.weak_type_rules.get(prim, core.all_weak)(*w, **kw),
                                         index),
        jvp=lambda primals, tangents, **kw: tuple(
            o[index] for o in core.jvp_rules[prim](primals, tangents, **kw)),
        batch=lambda vals, dims, **kw: tuple(
            o[index] for o in core.batch_rules[prim](vals, dims, **kw)))
    return p


SORT_OUT = [output_primitive(SO.sort_p, i) for i in range(3)]
TOP_K_OUT = [output_primitive(SO.top_k_p, i) for i in range(2)]


def _ref_sort(index):
    def ref(*ops, dimension, is_stable, num_keys):
        # np.lexsort: the last key is primary, and it is stable; complex keys sort by
        # real part, then imaginary part.
        keys = []
        for o in ops[:num_keys]:
            o = np.asarray(o)
            keys += [o.real.astype(np.float64), o.imag.astype(np.float64)] if is_complex(o.dtype) \
                else [o.astype(np.float64)]
        keys = keys[::-1]
        perm = np.lexsort(keys, axis=dimension) if len(keys) > 1 else \
            np.argsort(keys[0], axis=dimension, kind="stable")
        return np.take_along_axis(np.asarray(ops[index]), perm, axis=dimension)
    return ref


def _ref_top_k(index):
    def ref(x, k, axis):
        # Descending, lower index first among equal entries (no NaN or -0.0 here).
        perm = np.argsort(-np.asarray(x).astype(np.float64), axis=axis, kind="stable")
        perm = np.take(perm, np.arange(k), axis=axis)
        return np.take_along_axis(np.asarray(x), perm, axis=axis) if index == 0 else perm
    return ref


_SORT_PARAMS = lambda dim, nk: {"dimension": dim, "is_stable": True, "num_keys": nk}  # noqa: E731
for _dim in (0, 1):
    case(f"sort[out0,dim={_dim}]", SORT_OUT[0], [Spec(3, 5)], (f32, f64, bf16, i32, u8),
         _SORT_PARAMS(_dim, 1), ref=_ref_sort(0))
    case(f"sort[out1,key+values,dim={_dim}]", SORT_OUT[1], [Spec(4, 5), Spec(4, 5)],
         (f32, f64, c64), _SORT_PARAMS(_dim, 1), ref=_ref_sort(1))
# Tied integer keys: stability decides the order of the values.
case("sort[out1,tied int keys]", SORT_OUT[1], [Spec(3, 6, dtype=i32, int_lo=0, int_hi=2),
                                               Spec(3, 6)], (f32, f64), _SORT_PARAMS(1, 1),
     ref=_ref_sort(1), out_dtype=lambda dt: dt)
case("sort[out2,two keys]", SORT_OUT[2],
     [Spec(3, 6, dtype=i32, int_lo=0, int_hi=1), Spec(3, 6), Spec(3, 6)], (f32, f64),
     _SORT_PARAMS(1, 2), ref=_ref_sort(2), out_dtype=lambda dt: dt)
case("sort[out0,bool]", SORT_OUT[0], [Spec(7, dtype=boolean)], (boolean,), _SORT_PARAMS(0, 1),
     ref=_ref_sort(0))

for _k, _axis, _shape in [(3, 1, (3, 6)), (0, 1, (3, 6)), (6, 1, (3, 6)), (2, 0, (4, 5)),
                          (1, 2, (2, 3, 4))]:
    _p = {"k": _k, "axis": _axis}
    case(f"top_k[values,k={_k},axis={_axis}]", TOP_K_OUT[0], [Spec(*_shape)],
         (f32, f64, bf16, f16, i32, u8, i64), _p, ref=_ref_top_k(0))
    case(f"top_k[indices,k={_k},axis={_axis}]", TOP_K_OUT[1], [Spec(*_shape)],
         (f32, bf16, i32, u8), _p, ref=_ref_top_k(1), out_dtype=i32, jvp="zero")
# Ties: the lower index comes first (no finite differences across ties).
case("top_k[values,ties]", TOP_K_OUT[0], [Spec(3, 7, values=[-1.0, 0.0, 2.0, 2.5])],
     (f32, i32, boolean), {"k": 4, "axis": 1}, ref=_ref_top_k(0), jvp=None)
case("top_k[indices,ties]", TOP_K_OUT[1], [Spec(3, 7, values=[-1.0, 0.0, 2.0, 2.5])],
     (f32, i32, boolean), {"k": 4, "axis": 1}, ref=_ref_top_k(1), out_dtype=i32, jvp=None)

# ---------------------------------------------------------------------------
# Special values

_UNARY_NAMES = set(U) | {"round"}
_BINARY_NAMES = set(B) | set(C) | {"complex"}


def special_float_values(dt):
    dt = np.dtype(dt)
    info = ml_dtypes.finfo(dt) if dt == bf16 else np.finfo(dt)
    big = float(info.max) / 4
    vals = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, 2.0, 3.0,
            1e-3, -0.999, 0.999, 10.0, -10.0, 30.0, -30.0, 100.0, -100.0, big, -big,
            float(info.max), -float(info.max), float(info.tiny), -float(info.tiny)]
    # Large-but-finite arguments that matter for trig range reduction and overflow.
    vals += [1e4, -1e4, 8388609.0, 0.49999997] if dt.itemsize >= 4 else []
    return np.array(vals, dtype=f64).astype(dt)


def special_int_values(dt):
    info = np.iinfo(dt)
    vals = {int(info.min), int(info.min) + 1, int(info.max), int(info.max) - 1, 0, 1, 2, 3, 7,
            100 % (int(info.max) + 1)}
    if info.min < 0:
        vals |= {-1, -2, -3, -7, -100}
    return np.array([np.array(v, dtype=dt) for v in sorted(vals)], dtype=dt)


def special_values(dt):
    dt = np.dtype(dt)
    if dt == boolean:
        return np.array([False, True])
    if dtypes.issubdtype(dt, np.integer):
        return special_int_values(dt)
    if is_complex(dt):
        r = special_float_values(np.finfo(dt).dtype)[:14]
        out = np.empty((r.size, r.size), dt)
        out.real, out.imag = r[:, None], r[None, :]
        return out.ravel()
    return special_float_values(dt)


def _special_args(prim_name, nargs):
    def make(rng, dt):
        v = special_values(dt)
        if nargs == 1:
            return [v]
        if prim_name.startswith("shift"):
            bits = np.dtype(dt).itemsize * 8
            amounts = np.array([0, 1, 3, bits - 1, bits, bits + 1, 100 % 128], np.int64)
            if np.iinfo(dt).min < 0:
                amounts = np.concatenate([amounts, [-1, -bits]])
            x, y = np.meshgrid(v, amounts.astype(dt), indexing="ij")
            return [x.ravel(), y.ravel()]
        x, y = np.meshgrid(v, v, indexing="ij")
        return [x.ravel(), y.ravel()]
    return make


def special_cases():
    """For every elementwise case, the same primitive on special values (eager/jit/abstract)."""
    out = []
    seen = set()
    for c in CASES:
        name = c.prim.name
        if name not in _UNARY_NAMES | _BINARY_NAMES or c.name.endswith("halves]") \
                or "[ties]" in c.name or c.ref is None:
            continue
        key = (c.name.split("[")[0] if name != "round" else c.name)
        if key in seen:
            continue
        seen.add(key)
        nargs = 1 if name in _UNARY_NAMES else 2
        dts = tuple(d for d in c.dtypes)
        out.append(dataclasses.replace(
            c, name=f"{c.name}[special]", args=_special_args(name, nargs), dtypes=dts,
            special=True, jvp=None, vmap=False))
    # integer_pow, clamp, select and conversions of special values
    for y in (2, 3, -1, -2, 0, 7):
        out.append(Case(f"integer_pow[y={y}][special]", E.integer_pow_p,
                        lambda rng, dt: [special_values(dt)], (f32, f64, c64, i32) if y >= 0 else (f32, f64),
                        params={"y": y}, ref=lambda x, y: x ** y if y >= 0 else 1 / x ** (-y),
                        special=True, jvp=None, vmap=False, tol=4))
    for src, to in [(f32, i32), (f32, u8), (f32, i8), (f64, i64), (f64, u32), (f32, u32),
                    (f32, boolean), (f64, f32), (f32, bf16), (f32, f16), (c64, f32), (f32, i64),
                    (bf16, i32), (f16, i8)]:
        out.append(Case(f"convert_element_type[{to.name}][special]", E.convert_element_type_p,
                        lambda rng, dt: [special_values(dt)], (src,),
                        params={"new_dtype": to, "weak_type": False}, ref=ref_convert,
                        ref_upcast=False, out_dtype=to, special=True, jvp=None, vmap=False))
    out.append(Case("clamp[special]", E.clamp_p,
                    lambda rng, dt: [np.asarray(-1.5, dt), special_values(dt), np.asarray(2.0, dt)],
                    (f32, f64, i32), ref=ref_clamp, special=True, jvp=None, vmap=False))
    out.append(Case("argmax[special]", R.argmax_p, lambda rng, dt: [special_values(dt).reshape(1, -1)],
                    (f32, f64), params={"axes": (1,), "index_dtype": i32}, ref_upcast=False,
                    ref=lambda x, axes, index_dtype: np.argmax(x, axis=1).astype(i32),
                    out_dtype=i32, special=True, jvp=None, vmap=False))
    return out


SPECIAL_CASES = special_cases()
ALL_CASES = CASES + SPECIAL_CASES


def case_params(cases):
    """(case, dtype) pairs with readable ids."""
    out = []
    for c in cases:
        for dt in c.dtypes:
            out.append((c, np.dtype(dt)))
    return out


# ---------------------------------------------------------------------------
# The checks


def _rng(case, dtype, salt=0):
    # hash() of str is salted per process: derive the seed from a stable digest instead.
    seed = zlib.crc32(f"{case.name}|{np.dtype(dtype).name}|{salt}".encode())
    return np.random.default_rng(seed)


def expected_out_dtype(case, dtype, args):
    if case.out_dtype is None:
        return args[0].dtype if args else np.dtype(dtype)
    if callable(case.out_dtype):
        return np.dtype(case.out_dtype(np.dtype(dtype)))
    return np.dtype(case.out_dtype)


def run_eager(case, args, params):
    return pack(case.prim.bind(*[arr(a) for a in args], **params))


def check_eager(case, dtype):
    """1. eager vs the NumPy/SciPy reference (and the output dtype)."""
    with x64_for(case, dtype):
        params = case.get_params(dtype)
        args = make_args(case, _rng(case, dtype), dtype)
        out = run_eager(case, args, params)
        assert isinstance(out, core.Array)
        want_dt = expected_out_dtype(case, dtype, args)
        assert out.dtype == want_dt, f"{case.id(dtype)}: dtype {out.dtype} != expected {want_dt}"
        if case.ref is None:
            return
        ref_args = [_upcast(a) for a in args] if case.ref_upcast else args
        with np.errstate(all="ignore"):
            expected = np.asarray(pack_ref(case.ref(*ref_args, **params)))
            if expected.dtype != want_dt:
                if is_complex(expected.dtype) and not is_complex(want_dt):
                    expected = expected.real
                expected = expected.astype(want_dt)
        rtol = tolerance(want_dt, case.tol)
        assert_close(np.asarray(out), expected, rtol, msg=f"{case.id(dtype)} eager vs reference",
                     signed_zeros=case.signed_zeros)


def check_jit(case, dtype):
    """2. jit vs eager: same values, dtype and weak type; the staged jaxpr type-checks."""
    with x64_for(case, dtype), config.override(jax_enable_checks=True):
        params = case.get_params(dtype)
        args = make_args(case, _rng(case, dtype), dtype)
        for weak in (False, True):
            xs = [arr(a, weak and is_inexact(a.dtype)) for a in args]
            eager = pack(case.prim.bind(*xs, **params))
            jitted = pyjax.jit(bind(case, params))(*xs)
            assert jitted.dtype == eager.dtype, f"{case.id(dtype)}: jit dtype {jitted.dtype} != {eager.dtype}"
            assert jitted.shape == eager.shape
            assert jitted.weak_type == eager.weak_type, \
                f"{case.id(dtype)}: jit weak_type {jitted.weak_type} != eager {eager.weak_type}"
            assert_close(np.asarray(jitted), np.asarray(eager), tolerance(eager.dtype, 0.5),
                         msg=f"{case.id(dtype)} jit vs eager")
            jaxpr = pyjax.make_jaxpr(bind(case, params))(*xs)
            core.check_jaxpr(jaxpr.jaxpr)


def check_abstract(case, dtype):
    """3. abstract evaluation vs the eager result's shape, dtype and weak type."""
    with x64_for(case, dtype):
        params = case.get_params(dtype)
        args = make_args(case, _rng(case, dtype), dtype)
        for weak in (False, True):
            xs = [arr(a, weak) for a in args]
            outs = case.prim.bind(*xs, **params)
            avals = core.abstract_eval(case.prim, [x.aval for x in xs], params)
            if not case.prim.multiple_results:
                outs, avals = [outs], [avals]
            assert len(outs) == len(avals), f"{case.id(dtype)}: {len(avals)} avals, {len(outs)} outputs"
            for out, aval in zip(outs, avals):
                got = (aval.shape, aval.dtype, aval.weak_type)
                want = (out.shape, out.dtype, out.weak_type)
                assert got == want, \
                    f"{case.id(dtype)} (weak inputs: {weak}): abstract eval {got} != eager {want}"
                # The NumPy value must agree with the aval (impls may not return a wrong dtype).
                v = np.asarray(out)
                assert (v.shape, v.dtype) == (aval.shape, aval.dtype), \
                    f"{case.id(dtype)}: eager buffer {v.shape} {v.dtype} != aval {aval}"


def _diff_positions(case, args):
    return [i for i, a in enumerate(args) if is_inexact(a.dtype) and i not in case.nondiff]


def _random_like(rng, a):
    v = rng.standard_normal(a.shape)
    if is_complex(a.dtype):
        v = v + 1j * rng.standard_normal(a.shape)
    return np.asarray(v).astype(a.dtype)


def _closure(case, params, args, pos):
    def f(*d):
        full = [arr(a) for a in args]
        for i, v in zip(pos, d):
            full[i] = v
        return pack(case.prim.bind(*full, **params))
    return f


def fd_dtype_for(case, dtype):
    """Whether the finite-difference check runs for this dtype: once per kind (real/complex)."""
    first = {}
    for d in case.dtypes:
        k = "c" if is_complex(d) else ("f" if is_float(d) else "x")
        first.setdefault(k, np.dtype(d))
    k = "c" if is_complex(dtype) else ("f" if is_float(dtype) else "x")
    return first[k] == np.dtype(dtype)


def check_jvp(case, dtype):
    """4. jvp: the tangent has the output's type at `dtype`; at float64 it matches central
    finite differences (or is zero/float0 for primitives that are not differentiable)."""
    params = case.get_params(dtype)
    # (a) types at the case's own dtype
    with x64_for(case, dtype):
        args = make_args(case, _rng(case, dtype), dtype)
        pos = _diff_positions(case, args)
        f = _closure(case, params, args, pos)
        prim = [arr(args[i]) for i in pos]
        tans = [arr(_random_like(_rng(case, dtype, 1), args[i])) for i in pos]
        if pos:
            out, t = pyjax.jvp(f, prim, tans)
            want = out.dtype if is_inexact(out.dtype) else float0
            assert t.shape == out.shape and t.dtype == want, \
                f"{case.id(dtype)}: tangent {t.shape} {t.dtype} for output {out.shape} {out.dtype}"
            if case.jvp == "zero":
                if t.dtype != float0:
                    assert not np.any(np.asarray(t)), f"{case.id(dtype)}: tangent must be zero"
        if case.jvp != "fd" or not pos or not fd_dtype_for(case, dtype):
            return
    # (b) values against finite differences, in 64-bit precision
    wdt = wide(dtype)
    params = case.wide_params(dtype)
    with config.override(jax_enable_x64=True):
        args = make_args(case, _rng(case, wdt), wdt)
        args = [a.astype(wide(a.dtype)) if is_inexact(a.dtype) else a for a in args]
        pos = _diff_positions(case, args)
        f = _closure(case, params, args, pos)
        rng = _rng(case, wdt, 2)
        v = [_random_like(rng, args[i]) for i in pos]
        out, t = pyjax.jvp(f, [arr(args[i]) for i in pos], [arr(x) for x in v])
        eps = case.fd_eps
        plus = np.asarray(f(*[arr(args[i] + eps * x) for i, x in zip(pos, v)]))
        minus = np.asarray(f(*[arr(args[i] - eps * x) for i, x in zip(pos, v)]))
        fd = (plus.astype(wide(plus.dtype)) - minus.astype(wide(minus.dtype))) / (2 * eps)
        t = np.asarray(t)
        scale = max(1.0, float(np.max(np.abs(fd)))) if fd.size else 1.0
        np.testing.assert_allclose(t, fd, rtol=case.fd_tol * 10, atol=case.fd_tol * scale,
                                   err_msg=f"{case.id(dtype)}: jvp vs finite differences")


def _pair(a, b):
    """The real inner product <a, b> = Re(sum(a * b)) that makes vjp the transpose of jvp."""
    a, b = np.asarray(a), np.asarray(b)
    return float(np.real(np.sum(a.astype(c128) * b.astype(c128))))


def check_transpose(case, dtype):
    """5. <u, J v> == <J^T u, v>: vjp is the transpose of jvp (both linearize at x)."""
    params = case.wide_params(dtype)
    wdt = wide(dtype)
    with config.override(jax_enable_x64=True):
        args = make_args(case, _rng(case, wdt), wdt)
        args = [a.astype(wide(a.dtype)) if is_inexact(a.dtype) else a for a in args]
        pos = _diff_positions(case, args)
        if not pos:
            return
        f = _closure(case, params, args, pos)
        rng = _rng(case, wdt, 3)
        v = [_random_like(rng, args[i]) for i in pos]
        xs = [arr(args[i]) for i in pos]
        out, jv = pyjax.jvp(f, xs, [arr(x) for x in v])
        out2, vjp_fn = pyjax.vjp(f, *xs)
        assert out2.shape == out.shape and out2.dtype == out.dtype
        if is_inexact(out.dtype):
            u = _random_like(rng, np.asarray(out))
        else:
            u = np.zeros(out.shape, float0)
        cts = vjp_fn(arr(u) if u.dtype != float0 else u)
        assert len(cts) == len(xs)
        for c, x in zip(cts, xs):
            assert c.shape == x.shape and c.dtype == x.dtype, \
                f"{case.id(dtype)}: cotangent {c.shape} {c.dtype} for input {x.shape} {x.dtype}"
        if u.dtype == float0 or case.jvp == "zero":
            for c in cts:
                assert not np.any(np.asarray(c)), f"{case.id(dtype)}: cotangent must be zero"
            return
        lhs = _pair(u, jv)
        rhs = sum(_pair(c, x) for c, x in zip(cts, v))
        scale = np.sqrt(np.sum(np.abs(u) ** 2) * np.sum(np.abs(np.asarray(jv)) ** 2)) + sum(
            np.sqrt(np.sum(np.abs(np.asarray(c)) ** 2) * np.sum(np.abs(x) ** 2)) for c, x in zip(cts, v))
        assert abs(lhs - rhs) <= 1e-10 * max(scale, 1.0), \
            f"{case.id(dtype)}: <u, J v> = {lhs} but <J^T u, v> = {rhs}"


NB = 3  # batch size for vmap


def _axis_choices(ndim):
    return sorted({0, ndim, ndim // 2 + (ndim % 2)})


def check_vmap(case, dtype):
    """6. vmap vs a Python loop: each operand batched alone (at several axes), then all
    operands at once at different axes."""
    with x64_for(case, dtype):
        params = case.get_params(dtype)
        sets = [make_args(case, _rng(case, dtype, 10 + b), dtype) for b in range(NB)]
        base = sets[0]
        n = len(base)
        f = bind(case, params)
        configs = []
        for i in range(n):
            for ax in _axis_choices(base[i].ndim):
                axes = [None] * n
                axes[i] = ax
                configs.append(axes)
        if n > 1:
            for k in range(2):
                configs.append([(j + k) % (base[j].ndim + 1) for j in range(n)])
        for axes in configs:
            batched = []
            for j, ax in enumerate(axes):
                if ax is None:
                    batched.append(arr(base[j]))
                else:
                    batched.append(arr(np.stack([s[j] for s in sets], axis=ax)))
            got = pyjax.vmap(f, in_axes=tuple(axes))(*batched)
            loop = []
            for b in range(NB):
                xb = [arr(sets[b][j] if ax is not None else base[j]) for j, ax in enumerate(axes)]
                one = f(*xb)
                loop.append(np.asarray(one))
            want = np.stack(loop)
            assert got.dtype == want.dtype, f"{case.id(dtype)} in_axes={axes}: dtype {got.dtype} != {want.dtype}"
            assert got.weak_type == one.weak_type, f"{case.id(dtype)} in_axes={axes}: weak type changed"
            assert_close(np.asarray(got), want, tolerance(want.dtype, 4),
                         msg=f"{case.id(dtype)} vmap in_axes={axes} vs loop")


# ---------------------------------------------------------------------------
# Coverage

# Primitives of the families that the table must cover.
def family_primitives():
    prims = set(E.unary.values()) | set(E.binary.values()) | set(E.compare.values())
    prims |= set(R.reductions.values()) | set(R.cumulative.values())
    prims |= {E.round_p, E.complex_p, E.integer_pow_p, E.select_n_p, E.clamp_p,
              E.convert_element_type_p, E.bitcast_convert_type_p, E.stop_gradient_p,
              E.igamma_grad_a_p, R.argmax_p, R.argmin_p, D.dot_general_p}
    prims |= {v for v in vars(S).values() if isinstance(v, core.Primitive)}
    prims |= {v for v in vars(E).values() if isinstance(v, core.Primitive)}
    prims |= {v for v in vars(R).values() if isinstance(v, core.Primitive)}
    prims |= {v for v in vars(D).values() if isinstance(v, core.Primitive)}
    return prims


# Primitives registered by other modules and tested elsewhere (control flow, random,
# call primitives...), by name.  Adding a primitive here is a decision: say where it is tested.
COVERED_ELSEWHERE = {
    "jit": "tests of api/jit (a call primitive: inlined or executed as a sub-jaxpr)",
    "pjit": "call primitive", "core_call": "call primitive", "remat": "tests of checkpoint",
    "checkpoint": "tests of checkpoint", "custom_jvp_call": "tests of custom_derivatives",
    "custom_vjp_call": "tests of custom_derivatives", "custom_lin": "tests of custom_derivatives",
    "custom_vjp_call_jaxpr": "tests of custom_derivatives",
    "threefry2x32": "tests of random", "fma": "tests of random (pyjax/_src/prng.py)",
    "libm_log": "tests of random (pyjax/_src/prng.py)", "random_bits": "tests of random",
    "random_seed": "tests of random", "random_wrap": "tests of random",
    "random_unwrap": "tests of random", "random_fold_in": "tests of random",
    "random_split": "tests of random",
    "sort": "tests of lax sorting", "top_k": "tests of lax sorting",
    "while": "tests of control flow", "cond": "tests of control flow",
    "scan": "tests of control flow", "fori_loop": "tests of control flow",
    "gather": "tests of indexing", "scatter": "tests of indexing", "scatter-add": "tests of indexing",
    "scatter_add": "tests of indexing", "scatter_mul": "tests of indexing",
    "scatter_min": "tests of indexing", "scatter_max": "tests of indexing",
    "conv_general_dilated": "tests of convolutions", "reduce_window": "tests of windowed reductions",
    "reduce_window_sum": "tests of windowed reductions", "reduce_window_max": "tests of windowed reductions",
    "reduce_window_min": "tests of windowed reductions",
    "select_and_scatter_add": "tests of windowed reductions",
    "select_and_gather_add": "tests of windowed reductions",
    "reduce_precision": "tests of lax", "psum": "tests of collectives", "pmax": "tests of collectives",
    "pmin": "tests of collectives", "all_gather": "tests of collectives",
    "ppermute": "tests of collectives", "axis_index": "tests of collectives",
    "all_to_all": "tests of collectives", "pmean": "tests of collectives",
    "pbroadcast": "tests of collectives", "xla_pmap": "tests of pmap", "pmap": "tests of pmap",
    "cholesky": "tests of linalg", "lu": "tests of linalg", "qr": "tests of linalg",
    "eigh": "tests of linalg", "eig": "tests of linalg", "svd": "tests of linalg",
    "triangular_solve": "tests of linalg", "lu_pivots_to_permutation": "tests of linalg",
    "householder_product": "tests of linalg", "fft": "tests of fft",
    "cumred": "tests of lax", "reduce": "tests of lax (generic reduce with a jaxpr)",
    "debug_callback": "tests of debugging", "pure_callback": "tests of callbacks",
    "io_callback": "tests of callbacks", "name": "tests of api", "device_put": "tests of api",
    "copy": "tests of api", "copy_p": "tests of api",
    "linear_call": "tests of custom_derivatives", "closed_call": "call primitive",
    "custom_transpose_call": "tests of custom_derivatives",
    "erf_inv_grad": "internal", "random_gamma_grad": "tests of random",
    "tie_in": "legacy", "broadcast": "legacy", "iota_2x32_shape": "tests of random",
    "platform_index": "tests of api",
    "rng_uniform": "tests/test_lax_extras.py (stateful: every call draws new values)",
    "dce_sink": "tests/test_lax_extras.py (no outputs for the shared checks to compare)",
    "schur": "tests/test_linalg.py", "hessenberg": "tests/test_linalg.py",
    "tridiagonal": "tests/test_linalg.py", "geqrf": "tests/test_linalg.py",
    "custom_linear_solve": "tests/test_linalg.py, tests/test_scipy_linalg.py",
    "cpu_math": "tests/test_random_distributions.py (XLA-identical float helpers of random)",
    # Token values have no shape, dtype or data, so the harness's array checks (NumPy
    # reference, finite differences, vmap vs loop) cannot take them.
    "create_token": "tests/test_tokens.py (token values: no array data for the harness)",
    "after_all": "tests/test_tokens.py (token values: no array data for the harness)",
}

# Intended gaps in the rule tables, per primitive name: (table, reason).
# Every other table entry must be present: impl, abstract_eval, jvp, batch for all; transpose
# exactly for the linear primitives (LINEAR).
NO_BATCH = {"iota": "no operands: vmap never sees it batched"}
NO_JVP = {"igamma_grad_a": "second derivatives of igamma in `a` are not implemented (as in JAX)",
          "householder_product": "no derivative rule (as in JAX)"}

# Primitives linear in (some of) their operands: they must have a transpose rule.
LINEAR = {"neg", "add", "sub", "mul", "div", "real", "imag", "conj", "complex", "select_n",
          "convert_element_type", "broadcast_in_dim", "reshape", "transpose", "squeeze", "rev",
          "concatenate", "pad", "slice", "dynamic_slice", "dynamic_update_slice", "reduce_sum",
          "cumsum", "dot_general", "triangular_solve", "tridiagonal_solve", "fft",
          # pyjax/_src/lax/slicing.py: linear in operand (and updates, for the scatters)
          "gather", "scatter", "scatter-add", "scatter-sub", "scatter-mul",
          # pyjax/_src/lax/convolution.py, windowed_reductions.py
          "conv_general_dilated", "reduce_window_sum", "select_and_gather_add",
          "select_and_scatter_add", "reduce_precision",
          # pyjax/_src/lax/shape.py: multiple-results primitives
          "split", "optimization_barrier"}
