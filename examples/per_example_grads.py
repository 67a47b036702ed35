"""Per-example gradients with vmap(grad): gradient norms and clipping as in DP-SGD.

    python examples/per_example_grads.py
"""
import numpy as np

import pyjax as jax
import pyjax.numpy as jnp


def loss(params, x, y):
    pred = jnp.tanh(x @ params["w"] + params["b"])
    return jnp.mean((pred - y) ** 2)


def main(n=32, d=5, seed=0):
    rng = np.random.default_rng(seed)
    x = jnp.asarray(rng.normal(size=(n, d)).astype(np.float32))
    y = jnp.asarray(rng.normal(size=(n, 1)).astype(np.float32))
    params = {"w": jnp.asarray(rng.normal(size=(d, 1)).astype(np.float32)), "b": jnp.zeros(1)}

    per_example = jax.jit(jax.vmap(jax.grad(loss), in_axes=(None, 0, 0)))(params, x, y)
    loop = [jax.grad(loss)(params, x[i:i + 1], y[i:i + 1]) for i in range(n)]
    max_err = max(float(jnp.max(jnp.abs(per_example["w"][i] - loop[i]["w"]))) for i in range(n))

    norms = jnp.sqrt(sum(jnp.sum(g.reshape(n, -1) ** 2, axis=1) for g in jax.tree_util.tree_leaves(per_example)))
    clip = jnp.minimum(1.0, 0.5 / norms)
    clipped = jax.tree_util.tree_map(lambda g: jnp.mean(g * clip.reshape((n,) + (1,) * (g.ndim - 1)), axis=0),
                                     per_example)
    full = jax.grad(loss)(params, x, y)
    mean_err = float(jnp.max(jnp.abs(jnp.mean(per_example["w"], axis=0) - full["w"])))
    print(f"per-example gradient shapes: {jax.tree_util.tree_map(lambda g: g.shape, per_example)}")
    print(f"largest difference from a Python loop: {max_err:.2e}")
    print(f"mean of per-example grads vs full-batch grad: {mean_err:.2e}")
    print(f"gradient norms: min {float(norms.min()):.3f}, max {float(norms.max()):.3f}; "
          f"clipped update norm {float(jnp.sqrt(jnp.sum(clipped['w'] ** 2))):.3f}")
    return {"loop_error": max_err, "mean_error": mean_err}


if __name__ == "__main__":
    main()
