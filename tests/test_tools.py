"""The API coverage report."""
from pyjax.tools import api_coverage


def test_coverage_counts_present_and_missing_names():
    names = api_coverage.load_jax_names()["modules"]["jax.numpy"]
    present, missing, _ = api_coverage.coverage("jax.numpy", names)
    assert "sin" in present and "sum" in present and "einsum" in present
    assert not set(present) & set(missing)
    assert len(present) + len(missing) == sum(1 for k in names.values() if k == "function")


def test_report_lists_every_module():
    text = api_coverage.report(show_missing=True)
    for module in ("jax.numpy", "jax.lax", "jax.numpy.linalg", "jax.numpy.fft", "jax.scipy.linalg"):
        assert module in text
    assert "%" in text
