"""lax control flow under every transformation: cond, switch, while_loop, fori_loop, scan, map."""
import numpy as np
import pytest

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax

rng = np.random.default_rng(0)


def close(a, b, tol=1e-4):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def fd_grad(f, x, eps=1e-3):
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (float(f(jnp.asarray(x + d, jnp.float32))) - float(f(jnp.asarray(x - d, jnp.float32)))) / (2 * eps)
    return g


# --- programs used by several tests ------------------------------------------

W = jnp.asarray(rng.normal(size=(3, 3)).astype(np.float32) * 0.5)
XS = jnp.asarray(rng.normal(size=(5, 3)).astype(np.float32))


def rnn_loss(w, h0=jnp.zeros(3)):
    def step(h, x):
        h = jnp.tanh(w @ h + x)
        return h, jnp.sum(h)
    h, ys = lax.scan(step, h0, XS)
    return jnp.sum(h ** 2) + jnp.sum(ys)


def piecewise(x):
    return lax.cond(x > 0, lambda v: jnp.sin(v) * v, lambda v: v ** 3, x)


def power_loop(x):
    return lax.fori_loop(0, 3, lambda i, c: c * c + x, x)


def while_square(x):
    return lax.while_loop(lambda c: c[1] < 3, lambda c: (c[0] * c[0] + 0.5, c[1] + 1), (x, 0))[0]


# --- eager = jit --------------------------------------------------------------

@pytest.mark.parametrize("f, arg", [
    (rnn_loss, W), (piecewise, 2.0), (piecewise, -2.0), (power_loop, 0.7), (while_square, 0.9),
])
def test_eager_equals_jit(f, arg):
    close(f(arg), jax.jit(f)(arg), 1e-6)


def test_switch_clamps_index_and_legacy_cond():
    branches = [lambda x: x, lambda x: 2 * x, lambda x: 3 * x]
    assert float(lax.switch(-4, branches, 1.0)) == 1.0
    assert float(lax.switch(7, branches, 1.0)) == 3.0
    assert float(jax.jit(lambda i: lax.switch(i, branches, 1.0))(1)) == 2.0
    assert float(lax.cond(True, 2.0, lambda a: a + 1, 5.0, lambda b: b - 1)) == 3.0


def test_cond_pytree_operands_and_outputs():
    out = lax.cond(False, lambda d: {"a": d["x"] + 1, "b": d["y"]},
                   lambda d: {"a": d["x"] - 1, "b": d["y"] * 2}, {"x": 1.0, "y": jnp.ones(2)})
    assert float(out["a"]) == 0.0 and out["b"].tolist() == [2.0, 2.0]


def test_scan_options():
    c, ys = lax.scan(lambda c, x: (c + x, c), 0.0, jnp.arange(4.0), reverse=True)
    assert float(c) == 6.0 and ys.tolist() == [6.0, 5.0, 3.0, 0.0]
    c, ys = lax.scan(lambda c, _: (c + 1, c * 2), 0, None, length=3)
    assert int(c) == 3 and ys.tolist() == [0, 2, 4]
    c, ys = lax.scan(lambda c, x: ((c[0] + x["a"], c[1]), None), (0.0, 1), {"a": jnp.ones(3)})
    assert float(c[0]) == 3.0 and ys is None
    assert lax.map(lambda x: x * 2, jnp.arange(5.0), batch_size=2).tolist() == [0, 2, 4, 6, 8]


def test_associative_scan():
    close(lax.associative_scan(jnp.add, jnp.arange(7.0)), np.cumsum(np.arange(7.0)))
    close(lax.associative_scan(jnp.multiply, jnp.arange(1.0, 6.0), reverse=True),
          np.cumprod(np.arange(1.0, 6.0)[::-1])[::-1])
    m = jnp.asarray(rng.normal(size=(3, 4)).astype(np.float32))
    close(lax.associative_scan(jnp.maximum, m, axis=1), np.maximum.accumulate(np.asarray(m), 1))


# --- derivatives ---------------------------------------------------------------

def test_grad_rnn_scan_matches_finite_differences():
    g = jax.grad(rnn_loss)(W)
    close(g, fd_grad(rnn_loss, W), 2e-2)
    close(jax.jit(jax.grad(rnn_loss))(W), g)


def test_grad_through_both_cond_branches():
    for x in (1.3, -1.3):
        close(jax.grad(piecewise)(x), fd_grad(piecewise, np.float32(x)), 2e-2)
    close(jax.vmap(jax.grad(piecewise))(jnp.array([1.3, -1.3])),
          [jax.grad(piecewise)(1.3), jax.grad(piecewise)(-1.3)])


def test_grad_fori_loop_and_jvp_while():
    close(jax.grad(power_loop)(0.7), fd_grad(power_loop, np.float32(0.7)), 2e-2)
    _, t = jax.jvp(while_square, (0.9,), (1.0,))
    close(t, fd_grad(while_square, np.float32(0.9)), 2e-2)


def test_reverse_mode_through_while_raises():
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work"):
        jax.grad(while_square)(0.9)
    with pytest.raises(ValueError, match="Reverse-mode"):
        jax.jit(jax.grad(lambda x, n: lax.fori_loop(0, n, lambda i, c: c * 2, x)))(1.0, 3)


def test_second_derivatives_through_scan_and_cond():
    f = lambda x: lax.scan(lambda c, _: (jnp.sin(c) * x, None), x, None, length=3)[0]
    h = jax.grad(jax.grad(f))(0.7)
    eps = 1e-2
    num = (float(jax.grad(f)(0.7 + eps)) - float(jax.grad(f)(0.7 - eps))) / (2 * eps)
    close(h, num, 2e-2)
    close(jax.hessian(piecewise)(2.0), (-np.sin(2.0) * 2 + 2 * np.cos(2.0)), 1e-4)


def test_closure_over_differentiated_variable():
    def f(a):
        return lax.scan(lambda c, x: (c * a + x, None), 0.0, jnp.arange(3.0))[0]
    # c = ((0*a + 0)*a + 1)*a + 2 = a + 2 -> df/da = 1
    close(jax.grad(f)(2.0), 1.0)
    g = lambda a: lax.cond(a > 0, lambda x: x * a, lambda x: x, 3.0)
    close(jax.grad(g)(2.0), 3.0)
    close(jax.grad(lambda a: lax.fori_loop(0, 2, lambda i, c: c * a, 1.0))(3.0), 6.0)


# --- batching -------------------------------------------------------------------

def test_vmap_cond_batched_predicate_matches_loop():
    xs = jnp.array([-2.0, -0.5, 0.5, 2.0])
    close(jax.vmap(piecewise)(xs), [piecewise(x) for x in xs])
    close(jax.jit(jax.vmap(piecewise))(xs), [piecewise(x) for x in xs])


def test_vmap_switch_batched_index():
    idx = jnp.array([0, 2, 1, 5])
    out = jax.vmap(lambda i, x: lax.switch(i, [lambda v: v, lambda v: -v, lambda v: v * 10], x))(
        idx, jnp.ones(4))
    assert out.tolist() == [1.0, 10.0, -1.0, 10.0]


def test_vmap_while_batched_trip_counts():
    limits = jnp.array([1.0, 3.0, 6.0])
    out = jax.vmap(lambda lim: lax.while_loop(lambda c: c[0] < lim, lambda c: (c[0] + 1.0, c[1] * 2),
                                              (0.0, 1)))(limits)
    assert out[0].tolist() == [1.0, 3.0, 6.0] and out[1].tolist() == [2, 8, 64]
    n = jnp.array([1, 2, 4])
    out = jax.vmap(lambda k: lax.fori_loop(0, k, lambda i, c: c + i, 0))(n)
    assert out.tolist() == [0, 1, 6]


def test_vmap_scan_matches_loop_and_vmap_of_grad():
    ws = jnp.asarray(rng.normal(size=(3, 3, 3)).astype(np.float32) * 0.5)
    close(jax.vmap(rnn_loss)(ws), [rnn_loss(w) for w in ws])
    close(jax.vmap(jax.grad(rnn_loss))(ws), np.stack([np.asarray(jax.grad(rnn_loss)(w)) for w in ws]))
    # Batched xs with an unbatched carry.
    xss = jnp.asarray(rng.normal(size=(2, 4)).astype(np.float32))
    out = jax.vmap(lambda xs: lax.scan(lambda c, x: (c + x, c * x), 1.0, xs))(xss)
    for i in range(2):
        ref = lax.scan(lambda c, x: (c + x, c * x), 1.0, xss[i])
        close(out[0][i], ref[0])
        close(out[1][i], ref[1])


def test_grad_of_vmap_of_scan_and_jit_of_vmap_of_cond():
    ws = jnp.asarray(rng.normal(size=(2, 3, 3)).astype(np.float32) * 0.5)
    g = jax.grad(lambda w: jnp.sum(jax.vmap(rnn_loss)(w)))(ws)
    close(g[1], jax.grad(rnn_loss)(ws[1]))
    close(jax.jit(jax.vmap(piecewise))(jnp.array([1.0, -1.0])), [piecewise(1.0), piecewise(-1.0)])


# --- errors ----------------------------------------------------------------------

def test_scan_carry_type_change_is_an_error():
    with pytest.raises(TypeError, match=r"carry input and carry output must have equal types.*f32\[2\]"):
        lax.scan(lambda c, x: (jnp.concatenate([c, c]), x), jnp.ones(1), jnp.ones(3))
    with pytest.raises(TypeError, match="carry"):
        lax.scan(lambda c, x: (c.astype(jnp.int32), x), jnp.ones(2), jnp.ones(3))


def test_cond_branch_structure_mismatch_is_an_error():
    with pytest.raises(TypeError, match="true_fun and false_fun output must have identical"):
        lax.cond(True, lambda x: (x, x), lambda x: x, 1.0)
    with pytest.raises(TypeError, match=r"identical types.*f32\[\].*i32\[\]"):
        lax.cond(True, lambda x: x, lambda x: x.astype(jnp.int32), 1.0)


def test_while_body_dtype_drift_is_an_error():
    with pytest.raises(TypeError, match=r"body_fun output and input must have identical types.*i32"):
        lax.while_loop(lambda c: c < 3, lambda c: (c + 1).astype(jnp.int32), jnp.float32(0))
    with pytest.raises(TypeError, match="boolean scalar"):
        lax.while_loop(lambda c: c, lambda c: c + 1, 0.0)


def test_against_jax():
    real = pytest.importorskip("jax")
    x = np.float32(0.7)
    progs = [
        lambda m, v: m.lax.scan(lambda c, xi: (m.numpy.sin(c * xi), c * 2), v, m.numpy.arange(1.0, 4.0))[1].sum(),
        lambda m, v: m.lax.cond(v > 0.5, lambda a: a ** 2, lambda a: -a, v),
        lambda m, v: m.lax.fori_loop(0, 4, lambda i, c: c * v + i, v),
    ]
    for p in progs:
        close(jax.grad(lambda v: p(jax, v))(x), real.grad(lambda v: p(real, v))(x), 1e-5)
        close(jax.vmap(lambda v: p(jax, v))(np.array([0.2, 0.9], np.float32)),
              real.vmap(lambda v: p(real, v))(np.array([0.2, 0.9], np.float32)), 1e-5)


def test_custom_rules_inside_control_flow():
    from test_custom_derivatives import clip_gradient, safe_log1pexp
    f = lambda x: lax.scan(lambda c, xi: (safe_log1pexp(c * xi), None), x, jnp.array([1.0, 100.0]))[0]
    expected = 100 / (1 + np.exp(-1.0))  # the custom rule keeps sigmoid(131) == 1 exact
    close(jax.grad(f)(1.0), expected)
    close(jax.jit(jax.grad(f))(1.0), expected)
    close(jax.vmap(jax.grad(f))(jnp.array([1.0, 1.0])), [expected, expected])
    g = lambda x: lax.scan(lambda c, xi: (10.0 * clip_gradient(c) * xi, None), x, jnp.array([1.0, 2.0]))[0]
    close(jax.grad(g)(1.0), 1.0)
    close(jax.vmap(jax.grad(g))(jnp.array([1.0, 2.0])), [1.0, 1.0])
    h = lambda x: lax.cond(x > 0, lambda v: 10.0 * clip_gradient(v), lambda v: v, x)
    close(jax.vmap(jax.grad(h))(jnp.array([1.0, -1.0])), [1.0, 1.0])
    w = lambda x: lax.while_loop(lambda c: c[1] < 2, lambda c: (safe_log1pexp(c[0]), c[1] + 1), (x, 0))[0]
    _, t = jax.jvp(w, (1.0,), (1.0,))
    close(t, fd_grad(w, np.float32(1.0)), 1e-2)
    second = jax.grad(jax.grad(lambda x: lax.scan(lambda c, xi: (safe_log1pexp(c) * xi, None), x,
                                                   jnp.array([1.0, 2.0]))[0]))(0.5)
    close(second, fd_grad(jax.grad(lambda x: lax.scan(lambda c, xi: (safe_log1pexp(c) * xi, None), x,
                                                       jnp.array([1.0, 2.0]))[0]), np.float32(0.5)), 1e-2)


def test_vmap_over_closed_over_batched_values():
    xs = jnp.arange(1.0, 4.0)
    a = jnp.array([0.5, 2.0])
    out = jax.vmap(lambda s: lax.scan(lambda c, x: (c * s + x, None), 1.0, xs)[0])(a)
    close(out, [lax.scan(lambda c, x: (c * s + x, None), 1.0, xs)[0] for s in (0.5, 2.0)])
    out = jax.vmap(lambda s: lax.cond(s > 1, lambda v: v * s, lambda v: v - s, 3.0))(a)
    close(out, [2.5, 6.0])
    out = jax.vmap(lambda s: lax.while_loop(lambda c: c < s * 10, lambda c: c + s, 0.0))(a)
    close(out, [5.0, 20.0])


def test_check_grads_through_control_flow():
    from pyjax.test_util import check_grads
    with jax.config.override(jax_enable_x64=True):
        check_grads(lambda x: lax.scan(lambda c, v: (jnp.sin(c) * v, c * v), x, jnp.arange(1.0, 4.0))[1].sum(),
                    (0.3,), order=2)
        check_grads(lambda x: lax.cond(x > 0, jnp.sin, jnp.cos, x), (0.4,), order=2)
        check_grads(lambda x: lax.fori_loop(0, 3, lambda i, c: c * x + 1.0, x), (0.6,), order=2)
        check_grads(lambda x: lax.while_loop(lambda c: c[1] < 3, lambda c: (jnp.sin(c[0]), c[1] + 1),
                                             (x, 0))[0], (0.6,), order=2, modes=("fwd",))


def test_batched_cond_branch_singular_off_its_lanes_has_finite_gradients():
    """Under vmap with a batched predicate every branch runs on every lane; a branch that
    is singular on lanes it does not own (1/x at 0) must not put NaN into their
    derivatives, in reverse or forward mode (JAX's values)."""
    f = lambda x: lax.cond(x > 0, lambda x: 1 / x, lambda x: x, x)  # noqa: E731
    xs = jnp.array([0., 2., -1.])
    expected = np.array([1., -0.25, 1.])
    np.testing.assert_array_equal(jax.grad(lambda v: jax.vmap(f)(v).sum())(xs), expected)
    np.testing.assert_array_equal(jax.vmap(jax.grad(f))(xs), expected)
    np.testing.assert_array_equal(jax.jacfwd(jax.vmap(f))(xs), np.diag(expected))
    # an unbatched operand closed over by the branches is protected the same way
    g = lambda p, c: lax.cond(p, lambda: 1 / c, lambda: c)  # noqa: E731
    grads = jax.grad(lambda c: jax.vmap(g, (0, None))(jnp.array([False, False]), c).sum())(0.)
    np.testing.assert_array_equal(grads, 2.)


def test_piecewise_gradient_ignores_branches_off_their_elements():
    f = lambda x: jnp.piecewise(x, [x > 0], [lambda x: 1 / x, lambda x: x])  # noqa: E731
    assert jax.grad(f)(0.) == 1.
    np.testing.assert_array_equal(jax.vmap(jax.grad(f))(jnp.array([0., 2., -1.])), [1., -0.25, 1.])
