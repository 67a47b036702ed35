"""jnp.vectorize, apply_along_axis, apply_over_axes, matvec, vecmat (built on vmap), and the
printing / .npy / small predicate names.  Oracles: NumPy's functions of the same names, and
real JAX 0.10.2 where installed."""
import io

import ml_dtypes
import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
from pyjax._src.config import config

rng = np.random.default_rng(0)
A = rng.standard_normal((2, 3, 4)).astype(np.float32)


def close(ours, ref, dtype=None):
    assert isinstance(ours, pyjax.Array), type(ours)
    assert ours.shape == np.shape(ref), (ours.shape, np.shape(ref))
    np.testing.assert_allclose(np.asarray(ours), ref, rtol=1e-5, atol=1e-5)
    if dtype is not None:
        assert ours.dtype == np.dtype(dtype), (ours.dtype, dtype)


# ---------------------------------------------------------------------------
# vectorize


def test_vectorize_scalar_function_broadcasts():
    calls = []

    def f(x, y):
        calls.append(np.shape(x))
        return jnp.where(x > y, x - y, 2 * y)
    vf = jnp.vectorize(f)
    x, y = A[0], A[1, :, :1]                         # (3, 4) with (3, 1)
    ref = np.vectorize(lambda a, b: a - b if a > b else 2 * b)(x, y)
    close(vf(x, y), ref, np.float32)
    assert calls and all(s == () for s in calls)    # f only ever sees scalars
    assert vf.__name__ == "f"


def test_vectorize_with_signature():
    def solve_like(m, v):
        return m @ v, jnp.sum(v)
    vf = jnp.vectorize(solve_like, signature="(n,n),(n)->(n),()")
    m, v = rng.standard_normal((5, 1, 3, 3)), rng.standard_normal((4, 3))
    out, total = vf(m, v)
    nf = np.vectorize(lambda a, b: (a @ b, b.sum()), signature="(n,n),(n)->(n),()")
    ref_out, ref_total = nf(m, v)
    close(out, ref_out)
    close(total, ref_total)
    # core dimensions only: no mapping, same result as the function
    close(jnp.vectorize(jnp.outer, signature="(a),(b)->(a,b)")(A[0, 0], A[0, 1]),
          np.outer(A[0, 0], A[0, 1]))


def test_vectorize_excluded_and_none():
    def f(x, scale, *, power):
        return jnp.sum(x ** power) * scale
    vf = jnp.vectorize(f, excluded={1, "power"}, signature="(n)->()")
    close(vf(A, 2.0, power=2), (A ** 2).sum(-1) * 2.0)
    # a None positional argument is passed through unmapped
    g = jnp.vectorize(lambda x, y: x if y is None else x + y)
    close(g(A[0], None), A[0])


def test_vectorize_errors():
    vf = jnp.vectorize(jnp.dot, signature="(n),(n)->()")
    with pytest.raises(ValueError, match="inconsistent size for core dimension 'n': 4 vs 3"):
        vf(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="not have enough dimensions"):
        vf(np.float32(1), np.ones(3))
    with pytest.raises(ValueError, match="not a valid gufunc signature"):
        jnp.vectorize(jnp.dot, signature="(n),(n)")(np.ones(3), np.ones(3))
    with pytest.raises(TypeError, match="wrong number of positional arguments"):
        vf(np.ones(3))
    with pytest.raises(ValueError, match="output shape"):
        jnp.vectorize(lambda x: x, signature="(n)->()")(np.ones((2, 3)))
    with pytest.raises(TypeError, match="can only exclude integer or string"):
        jnp.vectorize(jnp.sin, excluded={1.5})
    with pytest.raises(ValueError, match="negative"):
        jnp.vectorize(jnp.sin, excluded={-1})
    with config.override(jax_numpy_rank_promotion="raise"):
        with pytest.raises(ValueError, match="rank promotion"):
            jnp.vectorize(jnp.add)(np.ones((2, 3)), np.ones(3))


def test_vectorize_under_jit_and_grad():
    vf = jnp.vectorize(lambda x, y: jnp.sin(x) * y)
    f = pyjax.jit(lambda x: vf(x, 2.0).sum())
    close(f(A), (np.sin(A) * 2).sum())
    close(pyjax.grad(f)(A), np.cos(A) * 2)


def test_vectorize_matches_jax():
    jax = pytest.importorskip("jax")
    for fn_ours, fn_jax, kw, args in [
            (jnp.sum, jax.numpy.sum, dict(signature="(n)->()"), (A,)),
            (jnp.add, jax.numpy.add, {}, (A[0], 1)),
            (lambda x, y=5.0: x + y, lambda x, y=5.0: x + y, {}, (A[0],))]:
        ours, theirs = jnp.vectorize(fn_ours, **kw)(*args), jax.numpy.vectorize(fn_jax, **kw)(*args)
        assert ours.dtype == theirs.dtype and ours.weak_type == theirs.weak_type
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)
    # As in JAX, keyword arguments that are not excluded do not reach the function.
    h = lambda x, y=1.0: x + y
    kw_ours = jnp.vectorize(h)(A[0, 0], y=10.0)
    kw_theirs = jax.numpy.vectorize(h)(A[0, 0], y=10.0)
    np.testing.assert_allclose(np.asarray(kw_ours), np.asarray(kw_theirs))


# ---------------------------------------------------------------------------
# apply_along_axis / apply_over_axes


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
@pytest.mark.parametrize("func", [
    lambda v: v.sum(), lambda v: v[:2] * 2, lambda v: v[:, None] * v[None, :]],
    ids=["scalar", "vector", "matrix"])
def test_apply_along_axis_matches_numpy(func, axis):
    ours = jnp.apply_along_axis(func, axis, A)
    ref = np.apply_along_axis(func, axis, A)
    close(ours, ref)


def test_apply_along_axis_extra_args_and_jit():
    f = lambda v, p, *, shift: (v ** p).sum() + shift
    close(jnp.apply_along_axis(f, 1, A, 2, shift=1.0),
          np.apply_along_axis(f, 1, A, 2, shift=1.0))
    jitted = pyjax.jit(lambda x: jnp.apply_along_axis(jnp.max, 0, x))
    close(jitted(A), A.max(axis=0))
    with pytest.raises(ValueError, match="axis 3 is out of bounds for array of dimension 3"):
        jnp.apply_along_axis(jnp.sum, 3, A)
    with pytest.raises(TypeError, match="apply_along_axis"):
        jnp.apply_along_axis(jnp.sum, 0, [1, 2])


def test_apply_over_axes_matches_numpy():
    for axes in ([0], [0, 2], [2, 1], []):
        close(jnp.apply_over_axes(jnp.sum, A, axes), np.apply_over_axes(np.sum, A, axes))
    keep = lambda a, axis: jnp.cumsum(a, axis=axis)   # same rank: kept as is
    close(jnp.apply_over_axes(keep, A, [1]), np.apply_over_axes(np.cumsum, A, [1]))
    with pytest.raises(ValueError, match="correct shape"):
        jnp.apply_over_axes(lambda a, axis: jnp.sum(a), A, [0])


# ---------------------------------------------------------------------------
# matvec / vecmat


def test_matvec_vecmat_match_numpy():
    m = rng.standard_normal((4, 1, 3, 5)).astype(np.float32)
    v5 = rng.standard_normal((2, 5)).astype(np.float32)
    v3 = rng.standard_normal((2, 3)).astype(np.float32)
    close(jnp.matvec(m, v5), np.matvec(m, v5), np.float32)
    close(jnp.vecmat(v3, m), np.vecmat(v3, m), np.float32)
    c = (rng.standard_normal((3,)) + 1j * rng.standard_normal((3,))).astype(np.complex64)
    cm = (rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(np.complex64)
    close(jnp.vecmat(c, cm), np.vecmat(c, cm), np.complex64)      # x1 is conjugated
    close(jnp.matvec(cm.T, c), np.matvec(cm.T, c), np.complex64)
    close(jnp.matvec(np.ones((2, 2), np.int32), np.arange(2, dtype=np.int32)), [1, 1], np.int32)
    with pytest.raises(ValueError, match="inconsistent size for core dimension 'm': 4 vs 5"):
        jnp.matvec(m, np.ones(4, np.float32))
    with pytest.raises(TypeError, match="matvec"):
        jnp.matvec([[1.0]], [1.0])


# ---------------------------------------------------------------------------
# printing, files, iterable, NumPy type names


def test_print_options_apply_to_arrays():
    x = jnp.asarray([1.123456789, 2.0])
    before = jnp.get_printoptions()
    assert before == np.get_printoptions()
    with jnp.printoptions(precision=2):
        assert jnp.get_printoptions()["precision"] == 2
        assert "1.12," in repr(x) and "1.123" not in repr(x)
    assert jnp.get_printoptions() == before
    try:
        jnp.set_printoptions(precision=3)
        assert np.get_printoptions()["precision"] == 3
        assert "1.123," in repr(x) and "1.1235" not in repr(x)
    finally:
        np.set_printoptions(**before)


def test_array_repr_and_str_are_numpys():
    x = jnp.asarray([[1, 2], [3, 4]], dtype=np.int32)
    assert jnp.array_str(x) == np.array_str(np.asarray(x)) == str(x)
    assert jnp.array_repr(np.arange(3)) == "array([0, 1, 2])"
    # NumPy names the class, as it does for JAX's arrays: JAX prints ArrayImpl(...) too
    assert jnp.array_repr(jnp.arange(3)) == "ArrayImpl([0, 1, 2], dtype=int32)"
    assert jnp.array_str(jnp.asarray([1.5, 2.25]), precision=1) == "[1.5 2.2]"
    jax = pytest.importorskip("jax")
    assert jnp.array_repr is jax.numpy.array_repr and jnp.array_str is jax.numpy.array_str


def test_save_load_roundtrip():
    for value in [np.arange(6, dtype=np.int32).reshape(2, 3),
                  np.array([1.5, -2.0], ml_dtypes.bfloat16)]:
        f = io.BytesIO()
        jnp.save(f, jnp.asarray(value))
        f.seek(0)
        loaded = jnp.load(f)
        assert isinstance(loaded, pyjax.Array)
        assert loaded.dtype == value.dtype      # bfloat16 is restored from NumPy's void16
        np.testing.assert_array_equal(np.asarray(loaded), value)
    f = io.BytesIO()
    jnp.savez(f, a=jnp.arange(3), b=np.ones(2))
    f.seek(0)
    with jnp.load(f) as npz:                    # .npz: NumPy's NpzFile, as in JAX
        np.testing.assert_array_equal(npz["a"], [0, 1, 2])
        assert isinstance(npz["b"], np.ndarray)
    f = io.BytesIO()
    np.save(f, np.array(["a", "bc"]))
    f.seek(0)
    assert isinstance(jnp.load(f), np.ndarray)  # strings stay NumPy arrays


def test_iterable_and_type_names():
    assert jnp.iterable(jnp.arange(3)) and jnp.iterable([1]) and not jnp.iterable(3)
    assert jnp.flexible is np.flexible and jnp.object_ is np.object_
    assert jnp.ComplexWarning is np.exceptions.ComplexWarning
    assert issubclass(jnp.ComplexWarning, RuntimeWarning)
