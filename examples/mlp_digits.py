"""Train an MLP classifier on scikit-learn's bundled 8x8 digits with pyjax.

    python examples/mlp_digits.py [--epochs N]

Prints a progress bar with the loss, the final test accuracy and how long the jitted
training took.
"""
import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from tqdm import tqdm

import pyjax as jax
import pyjax.numpy as jnp


def init_params(key, sizes):
    params = []
    for k, (m, n) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        params.append({"w": jax.random.normal(k, (m, n)) * jnp.sqrt(2.0 / m), "b": jnp.zeros(n)})
    return params


def predict(params, x):
    for layer in params[:-1]:
        x = jnp.maximum(x @ layer["w"] + layer["b"], 0.0)
    logits = x @ params[-1]["w"] + params[-1]["b"]
    return logits - jax.lax.stop_gradient(jnp.max(logits, axis=-1, keepdims=True))


def loss_fn(params, x, y):
    logits = predict(params, x)
    log_probs = logits - jnp.log(jnp.sum(jnp.exp(logits), axis=-1, keepdims=True))
    return -jnp.mean(jnp.sum(log_probs * y, axis=-1))


@jax.jit
def train_step(params, velocity, x, y, lr=0.05, momentum=0.9):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    velocity = jax.tree_util.tree_map(lambda v, g: momentum * v + g, velocity, grads)
    params = jax.tree_util.tree_map(lambda p, v: p - lr * v, params, velocity)
    return params, velocity, loss


@jax.jit
def accuracy(params, x, labels):
    return jnp.mean(jnp.argmax(predict(params, x), axis=-1) == labels)


def load_data(seed=0):
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = len(x) // 5
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def main(epochs=30, batch_size=64, seed=0, progress=True):
    (x_train, y_train), (x_test, y_test) = load_data(seed)
    params = init_params(jax.random.PRNGKey(seed), [64, 128, 64, 10])
    velocity = jax.tree_util.tree_map(jnp.zeros_like, params)
    onehot = np.eye(10, dtype=np.float32)
    rng = np.random.default_rng(seed)
    steps = len(x_train) // batch_size
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="training", disable=not progress)
    for _ in bar:
        order = rng.permutation(len(x_train))
        for i in range(steps):
            idx = order[i * batch_size:(i + 1) * batch_size]
            params, velocity, loss = train_step(params, velocity, jnp.asarray(x_train[idx]),
                                                jnp.asarray(onehot[y_train[idx]]))
        bar.set_postfix(loss=f"{float(loss):.4f}")
    elapsed = time.perf_counter() - start
    acc = float(accuracy(params, jnp.asarray(x_test), jnp.asarray(y_test)))
    print(f"test accuracy: {acc:.4f}")
    print(f"jitted training: {epochs} epochs x {steps} steps in {elapsed:.2f}s")
    return {"accuracy": acc, "loss": float(loss), "seconds": elapsed}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    main(epochs=args.epochs)
