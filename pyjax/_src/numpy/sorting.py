"""jax.numpy: sorting."""

__all__ = []
