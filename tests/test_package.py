"""The package as a whole: curated API, no global state changed on import."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import discourse


def test_public_names_resolve_to_objects_not_modules():
    import types

    for name in discourse.__all__:
        if name == "__version__":
            continue
        obj = getattr(discourse, name)
        assert not isinstance(obj, types.ModuleType), f"discourse.{name} is a module"


def test_import_changes_no_global_state():
    code = textwrap.dedent(
        """
        import logging, random, warnings
        import numpy as np
        import matplotlib
        # third-party imports add their own filters; take them first so only discourse is measured
        import pandas, scipy.stats, scipy.sparse, scipy.optimize, pyarrow, sklearn.metrics  # noqa: F401
        before = (list(warnings.filters), list(logging.getLogger().handlers), {k: matplotlib.rcParams[k] for k in list(matplotlib.rcParams.keys()) if k != "backend"},
                  random.getstate(), np.random.get_state()[1].tolist())
        import discourse
        import discourse.plot, discourse.compare, discourse.figures
        after = (list(warnings.filters), list(logging.getLogger().handlers), {k: matplotlib.rcParams[k] for k in list(matplotlib.rcParams.keys()) if k != "backend"},
                 random.getstate(), np.random.get_state()[1].tolist())
        assert before[0] == after[0], "warnings filters changed"
        assert before[1] == after[1], "root logging handlers changed"
        assert logging.getLogger("discourse").handlers == [], "discourse installed a logging handler"
        assert before[2] == after[2], "rcParams changed"
        assert before[3] == after[3] and before[4] == after[4], "random state changed"
        import sys
        heavy = [m for m in ("torch", "bertopic", "umap", "gensim", "matplotlib.pyplot") if m in sys.modules]
        assert not heavy, heavy
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
