"""ficarchive: a self-hosted archive for fan fiction."""

__version__ = "0.1.0"
