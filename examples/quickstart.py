"""A tiny regression model trained with pyjax: jit(grad) of a loss over a pytree of parameters."""
import time

import numpy as np

import pyjax as jax
import pyjax.numpy as jnp


def loss(params, x, y):
    w, b = params["w"], params["b"]
    return jnp.mean((jnp.tanh(x @ w + b) - y) ** 2)


def main():
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(256, 8)).astype(np.float32))
    true_w = rng.normal(size=(8, 1)).astype(np.float32)
    y = jnp.tanh(x @ true_w)
    params = {"w": jnp.zeros((8, 1)), "b": jnp.zeros(1)}

    print(jax.make_jaxpr(loss)(params, x, y))
    step_grad = jax.jit(jax.grad(loss))
    start = time.perf_counter()
    for step in range(201):
        grads = step_grad(params, x, y)
        params = jax.tree_util.tree_map(lambda p, g: p - 0.5 * g, params, grads)
        if step % 50 == 0:
            print(f"step {step:3d}  loss {float(loss(params, x, y)):.6f}")
    print(f"trained in {time.perf_counter() - start:.2f}s")

    per_example = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, x[:4], y[:4])
    print("per-example gradient shapes:", jax.tree_util.tree_map(lambda g: g.shape, per_example))
    print("hessian of sum(sin(v)^2):", jax.hessian(lambda v: jnp.sum(jnp.sin(v) ** 2))(jnp.arange(3.0)))


if __name__ == "__main__":
    main()
