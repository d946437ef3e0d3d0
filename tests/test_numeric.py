"""The reproducible numeric mode: pinned kernels, where it is on, and that it is what makes builds agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from discourse import numeric

# Embeds the seeds' first passages and fits a small LDA; prints hashes of both and the recorded environment.
PROBE = """
import hashlib, json
import numpy as np
import discourse
from discourse import numeric
from discourse.models import LDA
from discourse.models.embed import SentenceTransformerEmbedder
prepared = discourse.prepare(discourse.load_seeds(), progress=False)
emb = SentenceTransformerEmbedder(cache_dir=False, progress=False).encode(list(prepared.passages.text[:12]))
lda = LDA(k=3, random_state=0, progress=False).fit(prepared)
h = lambda a: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
print(json.dumps({"emb": h(emb), "lda": h(lda.doc_topic_), "env": numeric.environment()}))
"""


def run_probe(env_changes: dict[str, str], probe: str = PROBE) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in numeric.pinned_env()}
    env.update(env_changes)
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_pinned_env_sets_every_kernel_choice_found_to_matter():
    env = numeric.pinned_env()
    for var in ("OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "MKL_CBWR", "NPY_DISABLE_CPU_FEATURES",
                "NUMBA_CPU_NAME", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        assert env.get(var), var
    assert env["OMP_NUM_THREADS"] == str(numeric.THREADS)


def test_this_process_reports_its_own_numeric_environment():
    env = numeric.environment()
    assert set(env) >= {"reproducible", "isa", "blas", "numpy_simd", "torch_cpu_capability", "threads"}
    assert env["reproducible"] is numeric.in_effect()
    assert numeric.fingerprint(reproducible=True) == "reproducible-1"
    if not env["reproducible"]:
        assert numeric.fingerprint().startswith("native:")


def test_provenance_records_the_numeric_environment():
    import discourse

    rec = discourse.provenance(params={"k": 3})
    assert rec["numeric"]["reproducible"] is numeric.in_effect() and "isa" in rec["numeric"]


def test_call_reproducibly_computes_in_the_mode_and_raises_its_errors(tmp_path):
    assert numeric.call_reproducibly(numeric.in_effect) is True
    from discourse.errors import InputError

    with pytest.raises(InputError, match="no_such_corpus"):
        numeric.call_reproducibly(__import__("discourse").load_corpus, str(tmp_path / "no_such_corpus"))


def test_analyze_reproducible_computes_in_the_mode_and_caches(tmp_path):
    import discourse

    kw = dict(by=("period",), models=("lda",), k=3, n_resamples=200, n_permutations=200, figures=False,
              progress=False, reproducible=True, cache_dir=str(tmp_path))
    first = discourse.analyze(discourse.load_seeds(), **kw)
    assert "reproducible_process" in first.timings or numeric.in_effect()
    assert first.models["lda"].provenance_["numeric"]["reproducible"] is True
    again = discourse.analyze(discourse.load_seeds(), **kw)
    assert again.tables["prevalence"].equals(first.tables["prevalence"])
    assert not discourse.analyze(discourse.load_seeds(), **(kw | {"reproducible": False})).models["lda"].provenance_[
        "numeric"]["reproducible"] or numeric.in_effect()


def test_native_request_overrides_a_configuration_that_asks_for_the_mode(tmp_path, monkeypatch):
    """`discourse figures --native-numerics` sets DISCOURSE_NUMERICS=native: no fresh pinned process then."""
    import discourse

    monkeypatch.setenv(numeric.MODE_VAR, "native")
    res = discourse.analyze(discourse.load_seeds(), by=("period",), models=("lda",), k=3, n_runs=1, figures=False,
                            progress=False, reproducible=True, cache_dir=str(tmp_path))
    assert "reproducible_process" not in res.timings and res.config.reproducible is False


def test_kernel_spec_runs_this_python_in_the_mode(tmp_path):
    where = numeric.install_kernel(prefix=str(tmp_path))
    spec = json.loads((os.path.join(where, "kernel.json") and open(os.path.join(where, "kernel.json")).read()))
    assert spec["argv"][0] == sys.executable
    for k, v in numeric.pinned_env().items():
        assert spec["env"][k] == v


def test_cli_analyze_reproducible_writes_the_environment_into_the_manifest(tmp_path):
    from discourse.cli import main

    out = tmp_path / "out"
    assert main(["--quiet", "analyze", "seeds", "--by", "period", "--models", "lda", "--k", "3", "--no-figures",
                 "--reproducible", "--cache", str(tmp_path / "cache"), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["numeric"]["reproducible"] is True and manifest["numeric"]["isa"] == numeric.ISA_LEVEL


@pytest.mark.slow
def test_emulated_cpus_change_results_unless_the_mode_pins_them(emulated_cpus):
    """Without the mode the emulated CPUs compute other bits (so the build test can fail); with it, the same."""
    native = {name: run_probe(env) for name, env in emulated_cpus.items()}
    assert native["A"]["emb"] != native["B"]["emb"], "the emulation does not reach torch's kernels"
    assert native["A"]["lda"] != native["B"]["lda"], "the emulation does not reach OpenBLAS"
    pinned = {name: run_probe(env | numeric.pinned_env()) for name, env in emulated_cpus.items()}
    assert pinned["A"] == pinned["B"]
    assert pinned["A"]["env"]["reproducible"] is True


# The computations of a corpus of 50,000+ passages that no figure reaches: UMAP's PCA start (what umap-learn's
# init="pca" runs: sklearn's PCA, on that many rows its covariance_eigh solver, BLAS and LAPACK) and the
# normal approximation of keyness's document permutation test.
PROBE_SCALE = """
import hashlib, json
import numpy as np
from scipy import sparse
from sklearn.decomposition import PCA
from discourse import numeric
from discourse.compare._docperm import permutation_normal
rng = np.random.default_rng(0)
centres = rng.standard_normal((8, 384))
x = (centres[rng.integers(0, 8, 4000)] + 0.5 * rng.standard_normal((4000, 384))).astype(np.float32)
x /= np.linalg.norm(x, axis=1, keepdims=True)
pca = PCA(n_components=5, random_state=0)
start = pca.fit_transform(x).astype(np.float32)
counts = sparse.csr_matrix(rng.poisson(0.2, (600, 500)).astype(float))
sizes = np.asarray(counts.sum(axis=1)).ravel() + rng.integers(0, 50, 600)
p = permutation_normal(counts[:250], counts[250:], sizes[:250], sizes[250:])
h = lambda a: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
print(json.dumps({"solver": pca._fit_svd_solver, "pca": h(start), "perm": h(p), "p_finite": int(np.isfinite(p).sum()),
                  "env": numeric.environment()}))
"""


def test_umaps_pca_start_and_the_normal_keyness_test_are_the_same_bytes_on_emulated_cpus(emulated_cpus):
    native = {name: run_probe(env, PROBE_SCALE) for name, env in emulated_cpus.items()}
    assert native["A"]["solver"] == "covariance_eigh" and native["A"]["p_finite"] > 400
    assert native["A"]["pca"] != native["B"]["pca"], "the emulation does not reach the PCA start's BLAS"
    pinned = {name: run_probe(env | numeric.pinned_env(), PROBE_SCALE) for name, env in emulated_cpus.items()}
    assert pinned["A"] == pinned["B"] and pinned["A"]["env"]["reproducible"] is True
    # the permutation test's normal approximation sums in a fixed order (bincount, fsum): no kernel choice reaches it
    assert native["A"]["perm"] == native["B"]["perm"] == pinned["A"]["perm"]


@pytest.mark.slow
def test_sensitivity_sees_no_change_without_noise_and_some_with_it(seeds):
    """BERTopic refit on identical embeddings moves nothing; on heavily perturbed ones it does."""
    import discourse
    from discourse.models.embed import SentenceTransformerEmbedder
    from discourse.sensitivity import numeric_sensitivity

    prepared = discourse.prepare(seeds, progress=False)
    emb = SentenceTransformerEmbedder(cache_dir=False, progress=False).encode(list(prepared.passages.text))
    same = numeric_sensitivity(prepared, models=("bertopic",), rel=0.0, embeddings=emb, by=("period",)).to_frame().iloc[0]
    assert same["passages_moved"] == 0 and same["ari"] == 1 and same["max_group_share_change"] == 0
    moved = numeric_sensitivity(prepared, models=("bertopic",), rel=0.5, embeddings=emb).to_frame().iloc[0]
    assert moved["passages_moved"] > 0 and moved["ari"] < 1


def test_sensitivity_refits_lda_under_another_blas_kernel(seeds):
    import discourse
    from discourse.sensitivity import numeric_sensitivity

    row = numeric_sensitivity(discourse.prepare(seeds, progress=False), models=("lda",), k=3).to_frame().iloc[0]
    assert row["perturbation"].startswith("OPENBLAS_CORETYPE=") and row["n_passages"] == 75
    assert 0 <= row["max_doc_share_change"] < 0.05  # LDA's variational fit is stable to last-bit noise here
