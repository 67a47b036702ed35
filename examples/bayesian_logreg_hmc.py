"""Bayesian logistic regression sampled with Hamiltonian Monte Carlo written in pyjax.

Leapfrog steps use jax.grad of the log posterior; the whole chain is one jitted
lax.scan, and every random number comes from pyjax.random.

    python examples/bayesian_logreg_hmc.py
"""
import time

import numpy as np

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax


def make_data(n=200, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    true_w = np.array([1.5, -2.0, 0.5], np.float32)[:d]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-x @ true_w))).astype(np.float32)
    return jnp.asarray(x), jnp.asarray(y), true_w


def log_posterior(w, x, y):
    logits = x @ w
    log_lik = jnp.sum(y * logits - jnp.logaddexp(0.0, logits))
    return log_lik - 0.5 * jnp.sum(w ** 2)  # standard normal prior


def hmc_chain(key, w0, x, y, n_samples=500, step=0.05, n_leapfrog=10):
    grad_lp = jax.grad(log_posterior)

    def leapfrog(w, p):
        p = p + 0.5 * step * grad_lp(w, x, y)

        def body(_, wp):
            w, p = wp
            w = w + step * p
            return w, p + step * grad_lp(w, x, y)

        w, p = lax.fori_loop(0, n_leapfrog - 1, body, (w, p))
        w = w + step * p
        return w, p + 0.5 * step * grad_lp(w, x, y)

    def sample(carry, key):
        w, accepted = carry
        k_mom, k_acc = jax.random.split(key)
        p0 = jax.random.normal(k_mom, w.shape)
        w_new, p_new = leapfrog(w, p0)
        h0 = -log_posterior(w, x, y) + 0.5 * jnp.sum(p0 ** 2)
        h1 = -log_posterior(w_new, x, y) + 0.5 * jnp.sum(p_new ** 2)
        accept = jnp.log(jax.random.uniform(k_acc)) < h0 - h1
        w = jnp.where(accept, w_new, w)
        return (w, accepted + accept), w

    (w, accepted), samples = lax.scan(sample, (w0, 0), jax.random.split(key, n_samples))
    return samples, accepted / n_samples


def main(n_samples=500, seed=0):
    x, y, true_w = make_data(seed=seed)
    start = time.perf_counter()
    samples, rate = jax.jit(hmc_chain, static_argnums=(4,))(jax.random.PRNGKey(seed), jnp.zeros(3), x, y,
                                                            n_samples)
    posterior_mean = np.asarray(samples[n_samples // 5:]).mean(0)
    print(f"{n_samples} HMC samples in {time.perf_counter() - start:.1f}s, acceptance {float(rate):.2f}")
    print(f"posterior mean {np.round(posterior_mean, 2)}; true weights {true_w}")
    return {"acceptance": float(rate), "error": float(np.abs(posterior_mean - true_w).max())}


if __name__ == "__main__":
    main()
