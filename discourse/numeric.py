"""Reproducible numerics: the same bytes on any x86-64 CPU.

Numeric libraries choose CPU-specific kernels when they load, and those
kernels round differently in the last bits.  On this project's seeds the
following were each found, by experiment, to change results (one setting
changed at a time, everything else equal; ``benchmarks/numeric_settings.py``):

==========================  =============================================  ===========================
setting                     library and what it selects                    what changed
==========================  =============================================  ===========================
``OPENBLAS_CORETYPE``       OpenBLAS kernels inside numpy and scipy        LDA (gensim's E-step)
``ONEDNN_MAX_CPU_ISA``      oneDNN inside torch (linear layers)            MiniLM embeddings
``ATEN_CPU_CAPABILITY``     torch's own vectorised kernels                 MiniLM embeddings
``MKL_CBWR``                Intel MKL inside torch (code path by vendor)   MiniLM embeddings
``NPY_DISABLE_CPU_FEATURES``  numpy's SIMD dispatch (AVX-512 variants)     UMAP layout, BERTopic topics
==========================  =============================================  ===========================

``NUMBA_CPU_NAME`` (UMAP, HDBSCAN, pynndescent) and the number of threads
(1, 2 or 4 for OpenMP, OpenBLAS, MKL and torch) changed nothing here; the
numba target is pinned as well, since its vector width follows the CPU.

The **reproducible mode** sets each of them to what every x86-64-v3 (AVX2)
CPU runs, and MKL to its vendor-independent code path, *before* the
libraries load: in the notebook kernels of ``discourse figures`` (always), in
``discourse analyze --reproducible``, in the kernel that ``discourse kernel``
registers, and for ``discourse.analyze(..., reproducible=True)`` in a fresh
process that computes the analysis.  Settings cannot be changed for
libraries already loaded in a running process, so the mode is never switched
on in place: :func:`in_effect` says whether this process runs under it.

Thread pools are pinned to :data:`THREADS` threads in the mode, so that the
recorded environment (:func:`environment`, part of every provenance record)
is the same on every machine.

Examples
--------
>>> from discourse import numeric
>>> env = numeric.pinned_env()
>>> env["OPENBLAS_CORETYPE"], env["ATEN_CPU_CAPABILITY"]
('Haswell', 'avx2')
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Mapping

__all__ = ["pinned_env", "in_effect", "environment", "fingerprint", "call_reproducibly", "call_in_fresh_process", "install_kernel", "THREADS", "ISA_LEVEL"]

#: Instruction-set level the reproducible mode computes at (every CPU of this kind has it).
ISA_LEVEL = "x86-64-v3 (AVX2, FMA)"

#: Threads per pool in the reproducible mode (results were measured not to depend on it).
THREADS = 2

# numpy's dispatch targets above AVX2, under the names of numpy >= 2.3 and of earlier releases;
# numpy ignores (with an ImportWarning) names it does not dispatch to.
_NUMPY_ABOVE_AVX2 = ("X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX "
                     "AVX512_CLX AVX512_CNL AVX512FP16")

_PINNED = {
    "OPENBLAS_CORETYPE": "Haswell",
    "MKL_CBWR": "COMPATIBLE",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "DNNL_MAX_CPU_ISA": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "NUMBA_CPU_NAME": "haswell",
    "NUMBA_CPU_FEATURES": "",
    "NPY_DISABLE_CPU_FEATURES": _NUMPY_ABOVE_AVX2,
}
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")

#: ``reproducible`` in a process started in the mode; ``native`` asks :func:`discourse.analyze` to
#: compute with this CPU's own kernels even where the configuration asks for the mode
#: (``discourse figures --native-numerics`` sets it in the notebook kernels).
MODE_VAR = "DISCOURSE_NUMERICS"


def pinned_env() -> dict[str, str]:
    """The environment variables of the reproducible mode, to give a process before it starts.

    Returns
    -------
    dict of str -> str
        Kernel selection pinned to x86-64-v3 for OpenBLAS, numpy, torch
        (ATen, oneDNN), numba; MKL on its vendor-independent path; every
        thread pool at :data:`THREADS`.
    """
    env = dict(_PINNED)
    env.update({var: str(THREADS) for var in _THREAD_VARS})
    env[MODE_VAR] = "reproducible"
    return env


def _numpy_above_avx2_enabled() -> bool | None:
    """Whether numpy dispatches to any AVX-512 kernel in this process (None: unknown)."""
    try:
        from numpy._core import _multiarray_umath as mu  # numpy >= 2
    except ImportError:  # pragma: no cover - numpy 1.x
        try:
            from numpy.core import _multiarray_umath as mu
        except ImportError:
            return None
    feats = getattr(mu, "__cpu_features__", {})
    dispatch = set(getattr(mu, "__cpu_dispatch__", ()))
    above = [f for f in _NUMPY_ABOVE_AVX2.split() if f in dispatch]
    return any(feats.get(f, False) for f in above)


def _openblas_core_types() -> list[str]:
    """Core types of the OpenBLAS libraries loaded in this process (numpy's at least; versions are
    in the package versions)."""
    import numpy  # noqa: F401 - loads numpy's OpenBLAS
    from threadpoolctl import threadpool_info

    return sorted({str(i.get("architecture")) for i in threadpool_info() if i.get("internal_api") == "openblas"})


def in_effect() -> bool:
    """Whether this process computes in the reproducible mode.

    True when every pinned variable was set before the libraries loaded: the
    variables hold their pinned values, numpy dispatches to no kernel above
    AVX2, and OpenBLAS runs its Haswell kernels.
    """
    env = pinned_env()
    if any(os.environ.get(k) != v for k, v in env.items()):
        return False
    if _numpy_above_avx2_enabled():
        return False
    return all(t.lower() == "haswell" for t in _openblas_core_types())


def _host_level() -> str:
    """The x86-64 level this CPU offers, from numpy's feature detection."""
    try:
        from numpy._core import _multiarray_umath as mu
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import _multiarray_umath as mu
    feats = getattr(mu, "__cpu_features__", {})
    avx512 = all(feats.get(f, False) for f in ("AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL"))
    if avx512:
        return "x86-64-v4 (AVX-512)"
    if feats.get("AVX2") and feats.get("FMA3"):
        return "x86-64-v3 (AVX2, FMA)"
    return "x86-64-v2 or lower"


def environment() -> dict[str, Any]:
    """The numeric environment of this process, as recorded in provenance.

    In the reproducible mode every entry is the pinned value, so the record is
    the same on every machine.  Otherwise it describes this machine and
    process: the instruction-set level in use, each library's kernel choice
    (``"native"`` where left to the library) and the thread counts asked for.
    Nothing is imported that the analysis does not import itself (torch is
    described from its settings, not loaded).

    Returns
    -------
    dict
        ``reproducible`` (bool), ``isa``, ``blas``, ``numpy_simd``,
        ``torch_cpu_capability``, ``onednn_max_cpu_isa``, ``mkl_cbwr``,
        ``numba_cpu_name``, ``threads``.
    """
    on = in_effect()
    cores = os.cpu_count() or 1
    threads = {var: (os.environ.get(var) or f"default ({cores} cores)") for var in _THREAD_VARS}
    blas = f"OpenBLAS ({', '.join(_openblas_core_types()) or 'not loaded'})"
    if on:
        return {
            "reproducible": True,
            "isa": ISA_LEVEL,
            "blas": blas,
            "numpy_simd": "up to AVX2 (AVX-512 dispatch disabled)",
            "torch_cpu_capability": _PINNED["ATEN_CPU_CAPABILITY"].upper(),
            "onednn_max_cpu_isa": _PINNED["ONEDNN_MAX_CPU_ISA"],
            "mkl_cbwr": _PINNED["MKL_CBWR"],
            "numba_cpu_name": _PINNED["NUMBA_CPU_NAME"],
            "threads": threads,
        }
    level = _host_level()
    avx512_numpy = _numpy_above_avx2_enabled()
    return {
        "reproducible": False,
        "isa": level,
        "blas": blas,
        "numpy_simd": "with AVX-512" if avx512_numpy else "up to AVX2",
        "torch_cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY", "native"),
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "native"),
        "mkl_cbwr": os.environ.get("MKL_CBWR", "native"),
        "numba_cpu_name": os.environ.get("NUMBA_CPU_NAME", "host"),
        "threads": threads,
    }


def fingerprint(*, reproducible: bool = False) -> str:
    """What of the numeric environment decides results: part of every cache key.

    ``"reproducible"`` in the mode (or when ``reproducible`` asks for a result
    computed in it); otherwise the kernel choices of this process, so that a
    result cached under one set of kernels is never served under another.
    """
    if reproducible or in_effect():
        return "reproducible-1"
    env = environment()
    keys = ("isa", "blas", "numpy_simd", "torch_cpu_capability", "onednn_max_cpu_isa", "mkl_cbwr", "numba_cpu_name")
    return "native:" + "|".join(str(env[k]) for k in keys)


def pin_before_import() -> bool:
    """Switch the mode on in this process if no numeric library has loaded yet.

    Used by the command line, which starts before numpy, torch or numba are
    imported.  Returns whether the mode could be switched on in place.
    """
    if any(m in sys.modules for m in ("numpy", "torch", "numba", "scipy")):
        return False
    os.environ.update(pinned_env())
    return True


def install_kernel(*, user: bool = False, prefix: str | None = None, name: str = "discourse") -> str:
    """Register a Jupyter kernel that runs this Python environment in the reproducible mode.

    Parameters
    ----------
    user : bool
        Register for this user rather than inside an environment.
    prefix : str, optional
        The environment to register in (default: this one, ``sys.prefix``).
    name : str
        The kernel's name (the notebooks name ``discourse``).

    Returns
    -------
    str
        The folder of the kernel spec.
    """
    from ipykernel.kernelspec import install

    return install(user=user, prefix=None if user else (prefix or sys.prefix), kernel_name=name,
                   display_name="discourse (reproducible numerics)",
                   env=pinned_env() | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})


def call_reproducibly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` computed in a fresh Python process in the reproducible mode.

    See :func:`call_in_fresh_process`, which this calls with :func:`pinned_env`.
    """
    return call_in_fresh_process(fn, *args, env=pinned_env(), **kwargs)


def call_in_fresh_process(fn: Callable[..., Any], *args: Any, env: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` computed in a fresh Python process whose environment adds ``env``.

    Numeric libraries read their settings when they load, so a setting can
    only be changed for a process that has not loaded them yet.  ``fn`` must
    be importable by name (a module-level function) and its arguments and
    result picklable.  The process runs ``python -m discourse.numeric`` (so
    it never re-imports the caller's script); an exception it raises is
    raised here.

    Raises
    ------
    DiscourseError
        If the process ends without a result (killed, out of memory).
    """
    import pickle
    import subprocess
    import tempfile
    from pathlib import Path

    from .errors import DiscourseError

    with tempfile.TemporaryDirectory(prefix="discourse-numeric-") as tmp:
        task, answer = Path(tmp) / "task.pkl", Path(tmp) / "answer.pkl"
        task.write_bytes(pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL))
        proc = subprocess.run([sys.executable, "-m", "discourse.numeric", str(task), str(answer)],
                              env={**os.environ, **dict(env or {})}, check=False)
        if not answer.exists():
            raise DiscourseError(f"the fresh process ended without a result (exit status {proc.returncode})")
        status, value = pickle.loads(answer.read_bytes())
    if status == "error":
        raise value
    return value


def _serve(task: str, answer: str) -> int:
    """The fresh process of :func:`call_reproducibly`: run the pickled call, pickle what it gives."""
    import logging
    import pickle
    from pathlib import Path

    logging.basicConfig(level=logging.WARNING, format="discourse: %(levelname)s: %(message)s")
    fn, args, kwargs = pickle.loads(Path(task).read_bytes())
    try:
        out = ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - handed back to the caller, which raises it
        out = ("error", exc)
    try:
        data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - an unpicklable result or exception
        from .errors import DiscourseError

        data = pickle.dumps(("error", DiscourseError(f"{type(exc).__name__}: {exc}")))
    Path(answer).write_bytes(data)
    return 0


if __name__ == "__main__":  # pragma: no cover - run by call_reproducibly
    sys.exit(_serve(sys.argv[1], sys.argv[2]))
