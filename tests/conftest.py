"""Shared pytest fixtures."""

import pytest

import discourse


@pytest.fixture(scope="session")
def seeds():
    """The five shipped seed articles as a :class:`discourse.Corpus`."""
    return discourse.load_seeds()
