"""corptls-lint: find and fix Python code that gets TLS trust wrong."""

__version__ = "0.1.0"
