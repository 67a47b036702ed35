"""jax.numpy: polynomial."""

__all__ = []
