"""Train a small convolutional network on scikit-learn's bundled 8x8 digits with pyjax.

    python examples/cnn_digits.py [--epochs N]

Two 3x3 convolutions (`lax.conv_general_dilated`), each followed by ReLU and 2x2 max
pooling (`lax.reduce_window`), then a dense layer.  Prints a progress bar with the loss,
the final test accuracy and how long the jitted training took.
"""
import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from tqdm import tqdm

import pyjax as jax
import pyjax.numpy as jnp
from pyjax import lax

# Images are NHWC, kernels HWIO: the layouts JAX users write for TPU/GPU-friendly models.
DIMENSION_NUMBERS = ("NHWC", "HWIO", "NHWC")


def init_params(key, channels=(16, 32), n_classes=10):
    k1, k2, k3 = jax.random.split(key, 3)
    he = jax.nn.initializers.he_normal()
    c1, c2 = channels
    return {
        "conv1": {"w": he(k1, (3, 3, 1, c1)), "b": jnp.zeros(c1)},
        "conv2": {"w": he(k2, (3, 3, c1, c2)), "b": jnp.zeros(c2)},
        # two 2x2 poolings take 8x8 images to 2x2
        "dense": {"w": he(k3, (2 * 2 * c2, n_classes)), "b": jnp.zeros(n_classes)},
    }


def conv_block(layer, x):
    y = lax.conv_general_dilated(x, layer["w"], window_strides=(1, 1), padding="SAME",
                                 dimension_numbers=DIMENSION_NUMBERS)
    y = jax.nn.relu(y + layer["b"])
    # 2x2 max pooling with stride 2 over the spatial dimensions
    return lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def predict(params, images):
    x = conv_block(params["conv1"], images)
    x = conv_block(params["conv2"], x)
    x = x.reshape(x.shape[0], -1)
    return x @ params["dense"]["w"] + params["dense"]["b"]


def loss_fn(params, images, labels):
    log_probs = jax.nn.log_softmax(predict(params, images))
    return -jnp.mean(jnp.take_along_axis(log_probs, labels[:, None], axis=1))


@jax.jit
def train_step(params, velocity, images, labels, lr=0.05, momentum=0.9):
    loss, grads = jax.value_and_grad(loss_fn)(params, images, labels)
    velocity = jax.tree_util.tree_map(lambda v, g: momentum * v + g, velocity, grads)
    params = jax.tree_util.tree_map(lambda p, v: p - lr * v, params, velocity)
    return params, velocity, loss


@jax.jit
def accuracy(params, images, labels):
    return jnp.mean(jnp.argmax(predict(params, images), axis=-1) == labels)


def load_data(seed=0):
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]   # (n, 8, 8, 1)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = len(x) // 5
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def main(epochs=15, batch_size=64, seed=0, progress=True):
    (x_train, y_train), (x_test, y_test) = load_data(seed)
    params = init_params(jax.random.PRNGKey(seed))
    velocity = jax.tree_util.tree_map(jnp.zeros_like, params)
    rng = np.random.default_rng(seed)
    steps = len(x_train) // batch_size
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="training", disable=not progress)
    for _ in bar:
        order = rng.permutation(len(x_train))
        for i in range(steps):
            idx = order[i * batch_size:(i + 1) * batch_size]
            params, velocity, loss = train_step(params, velocity, jnp.asarray(x_train[idx]),
                                                jnp.asarray(y_train[idx]))
        bar.set_postfix(loss=f"{float(loss):.4f}")
    elapsed = time.perf_counter() - start
    acc = float(accuracy(params, jnp.asarray(x_test), jnp.asarray(y_test)))
    print(f"final training loss: {float(loss):.4f}")
    print(f"test accuracy: {acc:.4f}")
    print(f"jitted training: {epochs} epochs x {steps} steps in {elapsed:.2f}s")
    return {"accuracy": acc, "loss": float(loss), "seconds": elapsed}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    main(epochs=args.epochs)
