"""Example strategies shipped inside the package (used by the embedded default config)."""
