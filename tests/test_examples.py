"""Every example program runs (in a short mode) and reaches its stated result."""
import importlib.util
import os

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mlp_digits_reaches_95_percent():
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    result = load("mlp_digits").main(epochs=15, progress=False)
    assert result["accuracy"] > 0.95


def test_cnn_digits_learns(capsys):
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    # smoke mode: two epochs (the full run, 15 epochs, reaches about 99%)
    result = load("cnn_digits").main(epochs=2, progress=False)
    out = capsys.readouterr().out
    assert f"test accuracy: {result['accuracy']:.4f}" in out
    assert f"final training loss: {result['loss']:.4f}" in out
    assert result["accuracy"] > 0.9 and result["loss"] < 0.5


def test_char_rnn_learns():
    result = load("char_rnn").main(steps=120)
    assert result["loss"] < 0.6 * result["uniform"]


def test_per_example_grads_match_loop():
    result = load("per_example_grads").main()
    assert result["loop_error"] < 1e-5 and result["mean_error"] < 1e-5


def test_pendulum_physics():
    result = load("pendulum_physics").main()
    assert result["accel_error"] < 1e-4 and result["energy_drift"] < 1e-3


def test_bayesian_logreg_hmc():
    result = load("bayesian_logreg_hmc").main(n_samples=300)
    assert result["acceptance"] > 0.6 and result["error"] < 0.8


def test_quickstart_runs(capsys):
    load("quickstart").main()
    assert "loss" in capsys.readouterr().out
