"""Every lax primitive against the shared checks of the primitive harness.

The table of cases lives in `primitive_harness.py`; this file turns it into
parametrized tests (ids name the case and the dtype), checks that the table
covers every registered primitive, and compares selected semantics with real
JAX where it is installed.
"""
import contextlib
import warnings

import numpy as np
import pytest

import pyjax
from pyjax._src import core
from pyjax._src.config import config
from pyjax._src.lax import dot as D
from pyjax._src.lax import elementwise as E
from pyjax._src.lax import reduce as R
from pyjax._src.lax import shape as S

import primitive_harness as H

# Importing the public modules registers every primitive the library defines.
import pyjax.numpy  # noqa: F401,E402
for _mod in ("pyjax.random", "pyjax.nn", "pyjax.scipy", "pyjax.lax"):
    try:
        __import__(_mod)
    except ImportError:
        pass


def _params(cases, pred=lambda c, d: True):
    out = []
    for c, d in H.case_params(cases):
        if pred(c, d):
            marks = XFAIL.get((c.name, d.name), XFAIL.get((c.name, None), ()))
            out.append(pytest.param(c, d, id=c.id(d), marks=marks))
    return out


# Known failures whose cause lies outside the four lax files this harness may fix:
# {(case name, dtype name or None for all): pytest mark}.
XFAIL = {}


@pytest.mark.parametrize("case,dtype", _params(H.ALL_CASES, lambda c, d: c.ref is not None))
def test_eager_vs_reference(case, dtype):
    H.check_eager(case, dtype)


@pytest.mark.parametrize("case,dtype", _params(H.ALL_CASES))
def test_jit_vs_eager(case, dtype):
    H.check_jit(case, dtype)


@pytest.mark.parametrize("case,dtype", _params(H.ALL_CASES))
def test_abstract_eval(case, dtype):
    H.check_abstract(case, dtype)


@pytest.mark.parametrize("case,dtype", _params(H.CASES, lambda c, d: c.jvp is not None))
def test_jvp(case, dtype):
    H.check_jvp(case, dtype)


@pytest.mark.parametrize("case,dtype", _params(
    H.CASES, lambda c, d: c.jvp is not None and H.is_inexact(d) and H.fd_dtype_for(c, d)))
def test_transpose_identity(case, dtype):
    H.check_transpose(case, dtype)


@pytest.mark.parametrize("case,dtype", _params(H.CASES, lambda c, d: c.vmap))
def test_vmap_vs_loop(case, dtype):
    H.check_vmap(case, dtype)


# ---------------------------------------------------------------------------
# Coverage of the table


def test_every_primitive_is_covered():
    in_table = {c.prim for c in H.CASES}
    registered = set(core.abstract_eval_rules) | set(core.impl_rules) | H.family_primitives()
    missing = sorted(p.name for p in registered
                     if p not in in_table and p.name not in H.COVERED_ELSEWHERE)
    assert not missing, (f"primitives without a case in tests/primitive_harness.py: {missing}. "
                         "Add a case (or list them in COVERED_ELSEWHERE with where they are tested).")


def test_every_primitive_has_its_rules():
    """impl, abstract eval, jvp and batching for every primitive in the table; transpose
    exactly for the linear ones.  Gaps are listed (with reasons) in the harness."""
    problems = []
    for p in {c.prim for c in H.CASES}:
        for table, name in ((core.impl_rules, "impl"), (core.abstract_eval_rules, "abstract_eval")):
            if p not in table:
                problems.append(f"{p.name}: no {name} rule")
        if p not in core.jvp_rules and p.name not in H.NO_JVP:
            problems.append(f"{p.name}: no jvp rule")
        if p not in core.batch_rules and p.name not in H.NO_BATCH:
            problems.append(f"{p.name}: no batching rule")
        has_t = p in core.transpose_rules
        if has_t != (p.name in H.LINEAR):
            problems.append(f"{p.name}: transpose rule {'present' if has_t else 'missing'} but "
                            f"{'listed' if p.name in H.LINEAR else 'not listed'} as linear")
    for name in list(H.NO_JVP) + list(H.NO_BATCH) + list(H.LINEAR):
        assert any(c.prim.name == name for c in H.CASES), f"gap list names unknown primitive {name}"
    assert not problems, "\n".join(sorted(problems))


def test_every_check_runs_for_every_primitive():
    """Each primitive in the table has at least one case for each check (or an explicit gap)."""
    by_prim = {}
    for c in H.CASES:
        by_prim.setdefault(c.prim.name, []).append(c)
    for name, cases in by_prim.items():
        assert any(c.ref is not None for c in cases), f"{name}: no reference"
        if name not in H.NO_JVP:
            assert any(c.jvp is not None for c in cases), f"{name}: jvp never checked"
        if name not in H.NO_BATCH:
            assert any(c.vmap for c in cases), f"{name}: vmap never checked"
    # Special values for every elementwise primitive with floating-point cases.
    special = {c.prim.name for c in H.SPECIAL_CASES}
    for name in H._UNARY_NAMES | H._BINARY_NAMES:
        assert name in special or name not in by_prim, f"{name}: no special-value case"


# ---------------------------------------------------------------------------
# Oracle checks against real JAX


def _jax():
    jax = pytest.importorskip("jax")
    return jax


@contextlib.contextmanager
def jax_x64(enabled=True):
    """Both JAX's and pyjax's x64 flag, restored afterwards."""
    jax = _jax()
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", enabled)
    try:
        with config.override(jax_enable_x64=enabled), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield jax
    finally:
        jax.config.update("jax_enable_x64", old)


_JAX_NAMES = {"not": "bitwise_not", "and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor"}

# Elementwise primitives compared on special values with XLA's CPU results, with a relative
# tolerance in float32 ulps-ish units.  XLA's transcendental approximations differ from
# NumPy's by a few ulps; a few functions are known to be much less accurate in XLA at
# extreme arguments: those get `None` for the extreme values (compared on moderate values only).
_ORACLE_UNARY_TOL = {n: 4e-6 for n in H._UNARY_NAMES}
_ORACLE_UNARY_TOL.update({"lgamma": 1e-5, "digamma": 1e-5, "erf_inv": 1e-5, "tan": 1e-5,
                          "acosh": 1e-5, "asinh": 1e-5, "cosh": 1e-5, "sinh": 1e-5,
                          "logistic": 1e-5, "expm1": 1e-5, "log1p": 1e-5, "erfc": 1e-5,
                          "atanh": 1e-5, "exp2": 1e-5, "pow": 1e-5})


def _oracle_inputs(dt, nargs, name):
    c = H.Case(name, None, H._special_args(name, nargs), (dt,))
    return H.make_args(c, None, dt)


def _jax_op(jax, name):
    if name == "round":
        return None
    return getattr(jax.lax, _JAX_NAMES.get(name, name))


def _compare_with_jax(name, prim, args, rtol, params=None, jax_fn=None):
    jax = _jax()
    params = params or {}
    got = np.asarray(prim.bind(*[H.arr(a) for a in args], **params))
    fn = jax_fn or _jax_op(jax, name)
    want = np.asarray(fn(*args, **params))
    assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} vs JAX {want.dtype}"
    H.assert_match(got, want, args, rtol, msg=f"{name} vs jax.lax")


# Where XLA's algorithm is known to be inaccurate or to break down, and SciPy is not.
_ORACLE_DOMAIN = {
    # XLA's igamma breaks down for a -> 0 (igamma(1e-38, 0.5) = 0, igamma(0, 0.5) = nan
    # but igamma(0, 1) = 1) and loses digits for large a == x.
    "igamma": lambda a, x: (a >= 1e-3) & (a <= 100) & (x <= 100),
    "igammac": lambda a, x: (a >= 1e-3) & (a <= 100) & (x <= 100),
    # Large orders lose digits in XLA (polygamma(30, 1) is off by 5e-6), and neither it nor
    # SciPy is accurate for large orders at negative x (polygamma(30, -2.5) = -2.56e19).
    "polygamma": lambda m, x: (m <= 10) & ((x > 0) | (m <= 3)),
    # The branch cut of the complex expansion -i log((y + i x) / sqrt(x^2 + y^2)): the sign
    # of +-pi follows rounding there; and it is ill-conditioned where x^2 + y^2 ~ 0.
    "atan2": lambda x, y: _away_from_atan2_cut(x, y) if np.iscomplexobj(x) else True,
    # XLA gives nan for 0 ** z with complex z (NumPy: 0 when Re z > 0).
    "pow": lambda x, y: x != 0 if np.iscomplexobj(x) else True,
    # Complex division by zero: the signs of the infinite parts differ.
    "div": lambda x, y: y != 0 if np.iscomplexobj(x) else True,
}


def _away_from_atan2_cut(x, y):
    x, y = x.astype(np.complex128), y.astype(np.complex128)
    with np.errstate(all="ignore"):
        d = x * x + y * y
        w = (y + 1j * x) / np.sqrt(d)
    return (np.abs(d) > 0.1) & ~((w.real < 0) & (np.abs(w.imag) < 1e-3))
_ORACLE_UNARY_TOL.update({"igamma": 2e-5, "igammac": 2e-5})


def _accepts_like_jax(jax, name, prim, dt, nargs):
    """Whether both accept operands of dtype `dt`; fails when only one of them does."""
    try:
        core.abstract_eval(prim, [core.ShapedArray((), dt)] * nargs, {})
        ours = True
    except TypeError:
        ours = False
    try:   # abstractly: no compilation
        jax.eval_shape(_jax_op(jax, name), *[jax.ShapeDtypeStruct((), dt)] * nargs)
        theirs = True
    except TypeError:
        theirs = False
    assert ours == theirs, f"{name}({dt.name}): pyjax {'accepts' if ours else 'rejects'} it, JAX does not"
    return ours


def _finite_moderate(args, limit=1e4):
    """Mask of elements whose inputs are all finite and moderate."""
    m = np.ones(np.shape(args[0]), bool)
    for a in args:
        f = H.to_f64(a)
        m &= np.isfinite(f) & (np.abs(f) <= limit) if f.dtype.kind in "fc" else True
    return m


# The special values where XLA's result is not what a correctly rounded function gives,
# and pyjax (on NumPy) is more accurate: compared on moderate inputs only.
_XLA_EXTREMES_DIFFER = {"sin", "cos", "tan", "lgamma", "digamma", "erf_inv", "cosh", "sinh",
                        "exp", "exp2", "expm1", "tanh", "logistic", "pow", "atan2", "acosh",
                        "asinh", "log1p", "polygamma", "igamma", "igammac", "rem", "rsqrt",
                        "acos", "asin", "atan", "atanh", "cbrt", "erf", "erfc", "log", "sqrt",
                        "div", "mul", "add", "sub"}


@pytest.mark.parametrize("name", sorted(n for n in H._UNARY_NAMES
                                        if n not in ("real", "imag", "conj", "round")))
def test_oracle_unary_special_values(name):
    jax = _jax()
    prim = E.unary[name]
    kinds = [k for k in ("float32", "int32", "uint8", "bool")]
    checked = False
    for k in kinds:
        dt = np.dtype(k)
        if not _accepts_like_jax(jax, name, prim, dt, 1):
            continue
        (x,) = _oracle_inputs(dt, 1, name)
        with np.errstate(all="ignore"):
            got = np.asarray(prim.bind(H.arr(x)))
        want = np.asarray(_jax_op(jax, name)(x))
        assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} vs JAX {want.dtype}"
        m = _finite_moderate([x]) if name in _XLA_EXTREMES_DIFFER else np.ones(x.shape, bool)
        H.assert_match(got[m], want[m], [x[m]], _ORACLE_UNARY_TOL[name] if dt.kind == "f" else 0,
                       msg=f"{name}({dt}) vs jax.lax")
        checked = True
    assert checked


@pytest.mark.parametrize("name", sorted(set(E.binary) | set(E.compare)))
def test_oracle_binary_special_values(name):
    jax = _jax()
    prim = E.binary.get(name) or E.compare[name]
    checked = False
    for k in ("float32", "int32", "uint32", "int8", "bool", "complex64"):
        dt = np.dtype(k)
        if not _accepts_like_jax(jax, name, prim, dt, 2):
            continue
        x, y = _oracle_inputs(dt, 2, name)
        if name in ("igamma", "igammac"):   # XLA takes seconds on huge arguments
            keep = _ORACLE_DOMAIN[name](x, y)
            x, y = x[keep], y[keep]
        with np.errstate(all="ignore"):
            got = np.asarray(prim.bind(H.arr(x), H.arr(y)))
        want = np.asarray(_jax_op(jax, name)(x, y))
        assert got.dtype == want.dtype
        # Complex arithmetic on infinities and nans follows different (C99 Annex G-like or
        # not) conventions in NumPy and XLA: compared on finite values only.
        m = _finite_moderate([x, y]) if name in _XLA_EXTREMES_DIFFER or dt.kind == "c" \
            else np.ones(x.shape, bool)
        if name in _ORACLE_DOMAIN:
            m &= _ORACLE_DOMAIN[name](x, y)
        tol = _ORACLE_UNARY_TOL.get(name, 4e-6) if dt.kind in "fc" else 0
        H.assert_match(got[m], want[m], [x[m], y[m]], tol, msg=f"{name}({dt}) vs jax.lax")
        checked = True
    assert checked


@pytest.mark.parametrize("dt", ["int8", "int32", "uint8", "uint32"])
@pytest.mark.parametrize("name", ["div", "rem"])
def test_oracle_integer_division(name, dt):
    """C semantics: truncation toward zero, x/0 = -1 (or all ones), x%0 = x, INT_MIN/-1."""
    jax = _jax()
    x, y = _oracle_inputs(np.dtype(dt), 2, name)
    _compare_with_jax(name, E.binary[name], [x, y], 0, jax_fn=getattr(jax.lax, name))


@pytest.mark.parametrize("dt", ["int8", "int32", "uint8", "uint32"])
@pytest.mark.parametrize("name", ["shift_left", "shift_right_arithmetic", "shift_right_logical"])
def test_oracle_shifts_out_of_range(name, dt):
    x, y = _oracle_inputs(np.dtype(dt), 2, name)
    _compare_with_jax(name, E.binary[name], [x, y], 0)


@pytest.mark.parametrize("src,to", [("float32", "int32"), ("float32", "uint8"), ("float32", "int8"),
                                    ("float32", "uint32"), ("float32", "bool"), ("float32", "int16"),
                                    ("float32", "bfloat16"), ("float32", "float16"),
                                    ("int32", "int8"), ("uint32", "int32"), ("int32", "float32"),
                                    ("complex64", "float32"), ("bfloat16", "int32")])
def test_oracle_convert_special_values(src, to):
    jax = _jax()
    src, to = np.dtype(H.bf16 if src == "bfloat16" else src), np.dtype(H.bf16 if to == "bfloat16" else to)
    x = H.special_values(src)
    with np.errstate(all="ignore"):
        got = np.asarray(E.convert_element_type_p.bind(H.arr(x), new_dtype=to, weak_type=False))
        want = np.asarray(jax.lax.convert_element_type(x, to))
    assert got.dtype == want.dtype
    H.assert_match(got, want, [x], 0, msg=f"convert {src}->{to}")


def test_oracle_convert_64bit():
    with jax_x64() as jax:
        for src, to in [("float64", "int64"), ("float64", "uint64"), ("float64", "int32"),
                        ("float32", "int64"), ("int64", "float32"), ("uint64", "float64")]:
            x = H.special_values(np.dtype(src))
            with np.errstate(all="ignore"):
                got = np.asarray(E.convert_element_type_p.bind(H.arr(x), new_dtype=np.dtype(to),
                                                               weak_type=False))
                want = np.asarray(jax.lax.convert_element_type(x, np.dtype(to)))
            H.assert_match(got, want, [x], 0, msg=f"convert {src}->{to}")


@pytest.mark.parametrize("method", [0, 1])
@pytest.mark.parametrize("dt", ["float32", "float16", "bfloat16"])
def test_oracle_round(method, dt):
    jax = _jax()
    dt = np.dtype(H.bf16 if dt == "bfloat16" else dt)
    x = np.concatenate([H.special_values(dt),
                        np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 4097.5,
                                  8388609.0, 1.4999999], np.float32).astype(dt)])
    got = np.asarray(E.round_p.bind(H.arr(x), rounding_method=method))
    want = np.asarray(jax.lax.round(x, jax.lax.RoundingMethod(method)))
    H.assert_match(got, want, [x], 0, msg=f"round method {method}")
    H.assert_close(got, want, 0, msg=f"round method {method} of {x}", signed_zeros=True)


def test_oracle_clamp():
    jax = _jax()
    x = H.special_values(H.f32)
    for lo, hi in [(-1.5, 2.0), (2.0, -1.0), (np.nan, 1.0), (-np.inf, np.inf), (0.0, -0.0)]:
        lo, hi = np.float32(lo), np.float32(hi)
        got = np.asarray(E.clamp_p.bind(H.arr(lo), H.arr(x), H.arr(hi)))
        want = np.asarray(jax.lax.clamp(lo, x, hi))
        H.assert_match(got, want, [x], 0, msg=f"clamp({lo}, x, {hi})")
    xi = H.special_values(H.i32)
    got = np.asarray(E.clamp_p.bind(H.arr(np.int32(-7)), H.arr(xi), H.arr(np.int32(100))))
    H.assert_close(got, np.asarray(jax.lax.clamp(np.int32(-7), xi, np.int32(100))), 0)


def test_oracle_clamp_jvp():
    jax = _jax()
    # (JAX's rule needs bounds of the operand's shape; pyjax also takes scalar bounds.)
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0], np.float32)
    lo, hi = np.full(5, -1.0, np.float32), np.full(5, 1.0, np.float32)
    for i in range(3):
        args = [lo, x, hi]
        tans = [np.ones_like(np.asarray(a)) for a in args]
        tans = [t if j == i else np.zeros_like(t) for j, t in enumerate(tans)]
        _, got = pyjax.jvp(lambda a, b, c: E.clamp_p.bind(a, b, c), [H.arr(a) for a in args],
                           [H.arr(t) for t in tans])
        _, want = jax.jvp(jax.lax.clamp, tuple(args), tuple(tans))
        H.assert_close(np.asarray(got), np.asarray(want), 0, msg=f"clamp jvp, argument {i}")


@pytest.mark.parametrize("p", ["argmax", "argmin"])
def test_oracle_argmax_with_nans(p):
    jax = _jax()
    prim = R.argmax_p if p == "argmax" else R.argmin_p
    rows = [[1.0, np.nan, 3.0, np.nan], [np.nan, 1.0, 2.0, 0.0], [1.0, 2.0, 3.0, np.nan],
            [2.0, 2.0, 1.0, 1.0], [-0.0, 0.0, -0.0, 0.0], [np.inf, -np.inf, np.inf, 1.0],
            [-np.inf, -np.inf, np.inf, np.inf]]
    x = np.array(rows, np.float32)
    for axis in (0, 1):
        got = np.asarray(prim.bind(H.arr(x), axes=(axis,), index_dtype=H.i32))
        want = np.asarray(getattr(jax.lax, p)(x, axis, np.int32))
        H.assert_close(got, want, 0, msg=f"{p} axis {axis} of {x}")
    xi = np.array([[3, 1, 3, 1], [5, 5, 5, 5]], np.int32)
    got = np.asarray(prim.bind(H.arr(xi), axes=(1,), index_dtype=H.i32))
    H.assert_close(got, np.asarray(getattr(jax.lax, p)(xi, 1, np.int32)), 0)


@pytest.mark.parametrize("p", ["reduce_max", "reduce_min"])
def test_oracle_reduce_max_with_nans(p):
    jax = _jax()
    x = np.array([[1.0, np.nan, 3.0], [-0.0, 0.0, -1.0], [np.inf, -np.inf, 0.0]], np.float32)
    got = np.asarray(R.reductions[p].bind(H.arr(x), axes=(1,)))
    want = np.asarray(getattr(jax.lax, p)(x, (1,)))
    H.assert_close(got, want, 0)


def test_oracle_reduce_max_jvp_ties():
    jax = _jax()
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], np.float32)
    t = np.array([[1.0, 2.0, 4.0], [1.0, 1.0, 7.0]], np.float32)
    _, got = pyjax.jvp(lambda v: R.reductions["reduce_max"].bind(v, axes=(1,)), [H.arr(x)], [H.arr(t)])
    _, want = jax.jvp(lambda v: jax.lax.reduce_max(v, (1,)), (x,), (t,))
    H.assert_close(np.asarray(got), np.asarray(want), 1e-6)


def test_oracle_dynamic_slice_out_of_bounds():
    """The primitive clamps start indices into range, as XLA does."""
    jax = _jax()
    x = np.arange(30, dtype=np.float32).reshape(5, 6)
    u = -np.ones((3, 2), np.float32)
    for idx in [(4, -2), (100, 3), (-7, 9), (2, 5), (0, 0)]:
        idx = [np.int32(i) for i in idx]
        got = np.asarray(S.dynamic_slice_p.bind(H.arr(x), *[H.arr(i) for i in idx], slice_sizes=(3, 2)))
        want = np.asarray(jax.lax.dynamic_slice_p.bind(x, *idx, slice_sizes=(3, 2)))
        H.assert_close(got, want, 0, msg=f"dynamic_slice at {idx}")
        got = np.asarray(S.dynamic_update_slice_p.bind(H.arr(x), H.arr(u), *[H.arr(i) for i in idx]))
        want = np.asarray(jax.lax.dynamic_update_slice_p.bind(x, u, *idx))
        H.assert_close(got, want, 0, msg=f"dynamic_update_slice at {idx}")


def test_oracle_lax_dynamic_slice_negative_indices():
    jax = _jax()
    from pyjax import lax as plax
    x = np.arange(30, dtype=np.float32).reshape(5, 6)
    got = np.asarray(plax.dynamic_slice(x, (-2, -3), (2, 2)))
    want = np.asarray(jax.lax.dynamic_slice(x, (-2, -3), (2, 2)))
    H.assert_close(got, want, 0)
    u = -np.ones((2, 2), np.float32)
    got = np.asarray(plax.dynamic_update_slice(x, u, (-2, -3)))
    want = np.asarray(jax.lax.dynamic_update_slice(x, u, (-2, -3)))
    H.assert_close(got, want, 0)


def test_oracle_pad_negative_and_interior():
    jax = _jax()
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    for cfg in [((1, 2, 0), (0, 1, 1)), ((-1, 2, 1), (1, -2, 0)), ((0, 0, 2), (-3, -1, 1)),
                ((-2, -1, 1), (3, 0, 3))]:
        got = np.asarray(S.pad_p.bind(H.arr(x), H.arr(np.float32(-1)), padding_config=cfg))
        want = np.asarray(jax.lax.pad(x, np.float32(-1), cfg))
        H.assert_close(got, want, 0, msg=f"pad {cfg}")


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"])
def test_oracle_cumulative(name):
    jax = _jax()
    x = np.array([[1.0, -2.0, 0.5, np.nan, 3.0], [0.25, 2.0, -1.0, 1.5, -np.inf]], np.float32)
    for axis in (0, 1):
        for reverse in (False, True):
            got = np.asarray(R.cumulative[name].bind(H.arr(x), axis=axis, reverse=reverse))
            want = np.asarray(getattr(jax.lax, name)(x, axis=axis, reverse=reverse))
            H.assert_close(got, want, 1e-6, msg=f"{name} axis={axis} reverse={reverse}")


def test_oracle_dot_general_preferred_type():
    jax = _jax()
    rng = np.random.default_rng(0)
    a = rng.integers(-128, 127, (2, 3, 40), endpoint=True).astype(np.int8)
    b = rng.integers(-128, 127, (2, 40, 5), endpoint=True).astype(np.int8)
    dn = (((2,), (1,)), ((0,), (0,)))
    for pet in (None, np.int32, np.float32):
        got = np.asarray(D.dot_general_p.bind(H.arr(a), H.arr(b), dimension_numbers=dn, precision=None,
                                              preferred_element_type=None if pet is None else np.dtype(pet)))
        want = np.asarray(jax.lax.dot_general(a, b, dn, preferred_element_type=pet))
        assert got.dtype == want.dtype, f"{pet}: {got.dtype} vs {want.dtype}"
        H.assert_close(got, want, 0, msg=f"dot_general preferred {pet}")
    x = rng.standard_normal((3, 4)).astype(H.bf16)
    y = rng.standard_normal((4, 5)).astype(H.bf16)
    got = np.asarray(D.dot_general_p.bind(H.arr(x), H.arr(y), dimension_numbers=(((1,), (0,)), ((), ())),
                                          precision=None, preferred_element_type=H.f32))
    want = np.asarray(jax.lax.dot_general(x, y, (((1,), (0,)), ((), ())), preferred_element_type=np.float32))
    assert got.dtype == want.dtype
    H.assert_close(got, want, 1e-5)


@pytest.mark.parametrize("name", ["igamma", "igammac", "polygamma", "lgamma", "digamma", "erf_inv"])
def test_oracle_special_function_gradients(name):
    """Derivatives of the special functions against JAX's (float64)."""
    with jax_x64() as jax:
        rng = np.random.default_rng(1)
        if name in ("igamma", "igammac"):
            args = [rng.uniform(0.5, 4, 6), rng.uniform(0.2, 5, 6)]
        elif name == "polygamma":
            args = [np.array([0.0, 1.0, 2.0, 3.0, 1.0, 0.0]), rng.uniform(0.5, 4, 6)]
        elif name == "erf_inv":
            args = [rng.uniform(-0.9, 0.9, 6)]
        else:
            args = [rng.uniform(0.3, 5, 6)]
        nd = len(args)
        prim = E.binary[name] if nd == 2 else E.unary[name]
        for i in range(nd):
            if name == "polygamma" and i == 0:
                continue
            t = np.linspace(0.5, 1.5, args[i].size)

            def f(v, mod, i=i):
                full = list(args)
                full[i] = v
                return mod.bind(*full) if mod is prim else getattr(mod, name)(*full)
            _, got = pyjax.jvp(lambda v: f(v, prim), [H.arr(args[i])], [H.arr(t)])
            _, want = jax.jvp(lambda v: f(v, jax.lax), (args[i],), (t,))
            H.assert_close(np.asarray(got), np.asarray(want), 1e-7, msg=f"d{name}/darg{i}")


def test_oracle_complex_with_infinities():
    jax = _jax()
    x = H.special_values(H.f32)
    xx, yy = np.meshgrid(x, x, indexing="ij")
    got = np.asarray(E.complex_p.bind(H.arr(xx.ravel()), H.arr(yy.ravel())))
    want = np.asarray(jax.lax.complex(xx.ravel(), yy.ravel()))
    H.assert_close(got.real, want.real, 0)
    H.assert_close(got.imag, want.imag, 0)


# (name, fn(lax module, weak float factory, strong float factory, weak int factory)):
# weak types of primitive results for mixes of weakly and strongly typed operands.
_WEAK_CASES = [
    ("sin", lambda L, W, S, I: L.sin(W())),
    ("is_finite", lambda L, W, S, I: L.is_finite(W())),
    ("round", lambda L, W, S, I: L.round(W())),
    ("sign", lambda L, W, S, I: L.sign(W())),
    ("population_count", lambda L, W, S, I: L.population_count(I())),
    ("clz", lambda L, W, S, I: L.clz(I())),
    ("not", lambda L, W, S, I: L.bitwise_not(I())),
    ("shift_left", lambda L, W, S, I: L.shift_left(I(), I())),
    ("add ww", lambda L, W, S, I: L.add(W(), W())),
    ("add ws", lambda L, W, S, I: L.add(W(), S())),
    ("nextafter", lambda L, W, S, I: L.nextafter(W(), W())),
    ("igamma", lambda L, W, S, I: L.igamma(W(), W())),
    ("eq ww", lambda L, W, S, I: L.eq(W(), W())),
    ("eq ws", lambda L, W, S, I: L.eq(W(), S())),
    ("lt ww", lambda L, W, S, I: L.lt(W(), W())),
    ("complex ww", lambda L, W, S, I: L.complex(W(), W())),
    ("real", lambda L, W, S, I: L.real(L.complex(W(), W()))),
    ("integer_pow", lambda L, W, S, I: L.integer_pow(W(), 2)),
    ("select_n ww", lambda L, W, S, I: L.select_n(L.lt(S(), S()), W(), W())),
    ("select_n ws", lambda L, W, S, I: L.select_n(L.lt(S(), S()), W(), S())),
    ("clamp sws", lambda L, W, S, I: L.clamp(S(), W(), S())),
    ("clamp www", lambda L, W, S, I: L.clamp(W(), W(), W())),
    ("convert", lambda L, W, S, I: L.convert_element_type(W(), np.float32)),
    ("bitcast", lambda L, W, S, I: L.bitcast_convert_type(W(), np.int32)),
    ("stop_gradient", lambda L, W, S, I: L.stop_gradient(W())),
    ("broadcast_in_dim", lambda L, W, S, I: L.broadcast_in_dim(W(), (2, 3), (1,))),
    ("reshape", lambda L, W, S, I: L.reshape(W(), (3, 1))),
    ("transpose", lambda L, W, S, I: L.transpose(L.reshape(W(), (3, 1)), (1, 0))),
    ("squeeze", lambda L, W, S, I: L.squeeze(L.reshape(W(), (3, 1)), (1,))),
    ("rev", lambda L, W, S, I: L.rev(W(), (0,))),
    ("slice", lambda L, W, S, I: L.slice(W(), (1,), (3,))),
    ("concatenate ww", lambda L, W, S, I: L.concatenate([W(), W()], 0)),
    ("concatenate ws", lambda L, W, S, I: L.concatenate([W(), S()], 0)),
    ("pad ws", lambda L, W, S, I: L.pad(W(), S(()), [(1, 1, 0)])),
    ("pad sw", lambda L, W, S, I: L.pad(S(), W(()), [(1, 1, 0)])),
    ("pad ww", lambda L, W, S, I: L.pad(W(), W(()), [(1, 1, 0)])),
    ("dynamic_slice", lambda L, W, S, I: L.dynamic_slice(W(), (np.int32(1),), (2,))),
    ("dynamic_update_slice ws", lambda L, W, S, I: L.dynamic_update_slice(W(), S((1,)), (np.int32(1),))),
    ("dynamic_update_slice sw", lambda L, W, S, I: L.dynamic_update_slice(S(), W((1,)), (np.int32(1),))),
    ("dynamic_update_slice ww", lambda L, W, S, I: L.dynamic_update_slice(W(), W((1,)), (np.int32(1),))),
    ("reduce_sum", lambda L, W, S, I: L.reduce_sum(W(), (0,))),
    ("reduce_max", lambda L, W, S, I: L.reduce_max(W(), (0,))),
    ("argmax", lambda L, W, S, I: L.argmax(W(), 0, np.int32)),
    ("cumsum", lambda L, W, S, I: L.cumsum(W())),
    ("cummax", lambda L, W, S, I: L.cummax(W())),
    ("dot ww", lambda L, W, S, I: L.dot_general(W(), W(), (((0,), (0,)), ((), ())))),
    ("dot ws", lambda L, W, S, I: L.dot_general(W(), S(), (((0,), (0,)), ((), ())))),
    ("iota", lambda L, W, S, I: L.iota(np.int32, 3)),
]


@pytest.mark.parametrize("name", [n for n, _ in _WEAK_CASES])
def test_oracle_weak_types(name):
    """Weak types (and dtypes) of primitive outputs agree with JAX's."""
    jax = _jax()
    jnp = jax.numpy
    fn = dict(_WEAK_CASES)[name]
    from pyjax import lax as plax

    def ours(weak, dt=np.float32, v=1.5):
        return lambda shape=(3,): H.arr(np.full(shape, v, dt), weak)

    def theirs(weak, dt=np.float32, v=1.5):
        def make(shape=(3,)):
            if not weak:
                return jnp.full(shape, v, dt)
            x = jnp.asarray(int(v) if dt == np.int32 else v)
            return jax.lax.broadcast(x, shape) if shape else x
        return make

    got = fn(plax, ours(True), ours(False), ours(True, np.int32, 5))
    want = fn(jax.lax, theirs(True), theirs(False), theirs(True, np.int32, 5))
    assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} vs JAX {want.dtype}"
    assert got.weak_type == want.weak_type, \
        f"{name}: weak_type {got.weak_type} vs JAX {want.weak_type}"
