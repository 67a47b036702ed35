"""Per-call overhead: one eager jnp.add of two 8-element arrays, and a call of a jitted x + 1.

Runs pyjax and (if installed) real JAX in the same process and prints the times and the
ratios pyjax/JAX (below 1 means pyjax is faster).
"""
import timeit

import numpy as np


def measure(jnp, jit, number=20000, repeat=7):
    x = jnp.asarray(np.arange(8, dtype=np.float32))
    y = jnp.asarray(np.ones(8, dtype=np.float32))
    f = jit(lambda v: v + 1)
    f(x).block_until_ready()
    jnp.add(x, y).block_until_ready()
    add = min(timeit.repeat(lambda: jnp.add(x, y), number=number, repeat=repeat)) / number
    call = min(timeit.repeat(lambda: f(x), number=number, repeat=repeat)) / number
    return add, call


def main():
    import pyjax
    import pyjax.numpy as pjnp
    results = {"pyjax": measure(pjnp, pyjax.jit)}
    try:
        import jax
        import jax.numpy as jjnp
        results["jax"] = measure(jjnp, jax.jit)
    except ImportError:
        pass
    print(f"{'':8s} {'eager jnp.add (us)':>20s} {'jitted x+1 call (us)':>22s}")
    for name, (add, call) in results.items():
        print(f"{name:8s} {add * 1e6:20.2f} {call * 1e6:22.2f}")
    if "jax" in results:
        (pa, pc), (ja, jc) = results["pyjax"], results["jax"]
        print(f"{'ratio':8s} {pa / ja:20.2f} {pc / jc:22.2f}   (pyjax / jax)")


if __name__ == "__main__":
    main()
