"""Shared pytest fixtures."""

import pytest

import discourse


@pytest.fixture(scope="session")
def seeds():
    """The five shipped seed articles as a :class:`discourse.Corpus`."""
    return discourse.load_seeds()


# Hypothesis: no per-example deadline (these 2-core machines are noisy), and in CI a
# derandomized search so a run is reproducible; locally the search stays random.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("discourse", deadline=None)
settings.register_profile("discourse-ci", deadline=None, derandomize=True)
settings.load_profile("discourse-ci" if os.environ.get("CI") else "discourse")
