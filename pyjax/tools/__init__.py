"""Developer tools shipped with pyjax (API coverage report)."""
