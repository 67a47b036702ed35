"""jax.numpy: setops."""

__all__ = []
