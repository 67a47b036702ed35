"""jax.numpy: statistics."""

__all__ = []
