"""A character-level RNN language model trained with lax.scan on a short text in the repo.

    python examples/char_rnn.py [--steps N]
"""
import argparse
import os
import time

import numpy as np

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax

TEXT = os.path.join(os.path.dirname(__file__), "data", "tiny_text.txt")


def init(key, vocab, hidden):
    k1, k2, k3 = jax.random.split(key, 3)
    scale = 1.0 / np.sqrt(hidden)
    return {"wx": jax.random.normal(k1, (vocab, hidden)) * 0.1,
            "wh": jax.random.normal(k2, (hidden, hidden)) * scale,
            "b": jnp.zeros(hidden),
            "wy": jax.random.normal(k3, (hidden, vocab)) * scale,
            "by": jnp.zeros(vocab)}


def logsumexp(x):
    m = lax.stop_gradient(jnp.max(x))
    return m + jnp.log(jnp.sum(jnp.exp(x - m)))


def sequence_loss(params, inputs, targets):
    """Mean next-character cross-entropy over one sequence (inputs/targets: int arrays)."""
    vocab = params["wx"].shape[0]

    def step(h, xt):
        x, t = xt
        h = jnp.tanh(params["wx"][x] + h @ params["wh"] + params["b"])
        logits = h @ params["wy"] + params["by"]
        logp = logits - logsumexp(logits)
        return h, -jnp.sum(logp * (jnp.arange(vocab) == t))

    _, losses = lax.scan(step, jnp.zeros(params["wh"].shape[0]), (inputs, targets))
    return jnp.mean(losses)


def batch_loss(params, inputs, targets):
    return jnp.mean(jax.vmap(sequence_loss, in_axes=(None, 0, 0))(params, inputs, targets))


@jax.jit
def train_step(params, inputs, targets, lr=0.5):
    loss, grads = jax.value_and_grad(batch_loss)(params, inputs, targets)
    grads = jax.tree_util.tree_map(lambda g: jnp.clip(g, -1.0, 1.0), grads)
    return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads), loss


def main(steps=300, seq_len=24, batch=16, hidden=64, seed=0):
    text = open(TEXT).read()
    chars = sorted(set(text))
    ids = np.array([chars.index(c) for c in text], np.int32)
    params = init(jax.random.PRNGKey(seed), len(chars), hidden)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    first = None
    for i in range(steps):
        starts = rng.integers(0, len(ids) - seq_len - 1, batch)
        x = np.stack([ids[s:s + seq_len] for s in starts])
        y = np.stack([ids[s + 1:s + seq_len + 1] for s in starts])
        params, loss = train_step(params, jnp.asarray(x), jnp.asarray(y))
        first = float(loss) if first is None else first
        if i % 100 == 0 or i == steps - 1:
            print(f"step {i:4d}  loss {float(loss):.3f}")
    print(f"trained {steps} steps in {time.perf_counter() - start:.1f}s; "
          f"loss {first:.3f} -> {float(loss):.3f} (uniform guess: {np.log(len(chars)):.3f})")
    return {"first_loss": first, "loss": float(loss), "uniform": float(np.log(len(chars)))}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    main(steps=parser.parse_args().steps)
