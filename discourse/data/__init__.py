"""Data files shipped with :mod:`discourse` (alias table, domain stop words)."""
