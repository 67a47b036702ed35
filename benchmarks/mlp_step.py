"""One jitted training step (value_and_grad + SGD update) of a small MLP, pyjax vs JAX.

The same program runs on both libraries in one process; prints per-step times and the
ratio pyjax/JAX.
"""
import time

import numpy as np


def make_step(jax, jnp):
    def loss(params, x, y):
        h = jnp.tanh(x @ params["w1"] + params["b1"])
        logits = h @ params["w2"] + params["b2"]
        logits = logits - jnp.max(logits, axis=1, keepdims=True)
        logp = logits - jnp.log(jnp.sum(jnp.exp(logits), axis=1, keepdims=True))
        return -jnp.mean(jnp.sum(logp * y, axis=1))

    @jax.jit
    def step(params, x, y):
        l, g = jax.value_and_grad(loss)(params, x, y)
        return l, jax.tree_util.tree_map(lambda p, d: p - 0.1 * d, params, g)

    return step


def bench(jax, jnp, steps=200):
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(128, 64)).astype(np.float32))
    y = jnp.asarray(np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)])
    params = {"w1": jnp.asarray(rng.normal(size=(64, 128)).astype(np.float32) * 0.1),
              "b1": jnp.zeros(128), "w2": jnp.asarray(rng.normal(size=(128, 10)).astype(np.float32) * 0.1),
              "b2": jnp.zeros(10)}
    step = make_step(jax, jnp)
    t0 = time.perf_counter()
    l, params = step(params, x, y)
    l.block_until_ready()
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            l, params = step(params, x, y)
        l.block_until_ready()
        best = min(best, (time.perf_counter() - t0) / steps)
    return first, best, float(l)


def main():
    import pyjax
    import pyjax.numpy as pjnp
    rows = {"pyjax": bench(pyjax, pjnp)}
    try:
        import jax
        import jax.numpy as jjnp
        rows["jax"] = bench(jax, jjnp)
    except ImportError:
        pass
    print(f"{'':8s} {'first call (ms)':>16s} {'step (us)':>10s} {'loss':>10s}")
    for k, (first, step, loss) in rows.items():
        print(f"{k:8s} {first * 1e3:16.1f} {step * 1e6:10.1f} {loss:10.4f}")
    if "jax" in rows:
        print(f"ratio pyjax/jax per step: {rows['pyjax'][1] / rows['jax'][1]:.2f}")


if __name__ == "__main__":
    main()
