"""The cores of benchmarks/frames_coverage.py and benchmarks/frames_validation.py on small inputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np


def _load(name: str):
    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_frames_coverage_simulation_core():
    sim = _load("frames_coverage")
    truth = sim.true_balance(np.random.default_rng(0), **sim.SETTINGS)
    assert 0.1 < truth < 0.3  # Beta(6, 4): mean cooperation share 0.6
    prep = sim.simulate(4, np.random.default_rng(1), **sim.SETTINGS)
    assert len(prep.tokens) == 4 and all(t.count("filler") == sim.SETTINGS["filler"] for t in prep.tokens)
    # below the library's interval threshold no interval is given, so nothing is counted
    assert sim.covered(4, np.random.default_rng(2), truth, n_resamples=200, min_docs_interval=10, **sim.SETTINGS) is None
    assert sim.covered(4, np.random.default_rng(2), truth, n_resamples=200, **sim.SETTINGS) is not None
    hits = [sim.covered(30, np.random.default_rng(k), truth, n_resamples=300, **sim.SETTINGS) for k in range(6)]
    assert all(h is not None for h in hits) and sum(hits) >= 4


def test_frames_validation_sample_is_the_one_the_procedure_draws():
    import discourse
    from discourse.compare._lexicon_check import load_validation_sample

    val = _load("frames_validation")
    seeds = discourse.prepare(discourse.load_seeds())
    frame = val.seed_sentences(seeds)
    assert len(frame) == 250
    assert val.draw(frame)["text"].tolist() == load_validation_sample()["text"].tolist()
