"""Shared pytest fixtures."""

import pytest

import discourse


@pytest.fixture(scope="session")
def seeds():
    """The five shipped seed articles as a :class:`discourse.Corpus`."""
    return discourse.load_seeds()


#: Two other "CPUs", emulated by the settings numeric libraries read when they load (kernel choice
#: for OpenBLAS, oneDNN, torch, numba and numpy, and thread counts).  Both stay at or below
#: x86-64-v3, so they run on any machine of this kind.
EMULATED_CPUS = {
    "A": {"OPENBLAS_CORETYPE": "Sandybridge", "ONEDNN_MAX_CPU_ISA": "SSE41", "ATEN_CPU_CAPABILITY": "default",
          "NUMBA_CPU_NAME": "sandybridge", "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
          "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    "B": {"OPENBLAS_CORETYPE": "Nehalem", "ONEDNN_MAX_CPU_ISA": "AVX", "NUMBA_CPU_NAME": "nehalem",
          "MKL_CBWR": "AUTO", "OMP_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": "3", "MKL_NUM_THREADS": "3"},
}


@pytest.fixture(scope="session")
def emulated_cpus():
    """Calling environments of two emulated CPUs (see ``EMULATED_CPUS``)."""
    return EMULATED_CPUS


# Hypothesis: no per-example deadline (these 2-core machines are noisy), and in CI a
# derandomized search so a run is reproducible; locally the search stays random.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("discourse", deadline=None)
settings.register_profile("discourse-ci", deadline=None, derandomize=True)
settings.load_profile("discourse-ci" if os.environ.get("CI") else "discourse")
