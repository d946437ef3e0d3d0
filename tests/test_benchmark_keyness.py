"""The core of benchmarks/keyness_simulation.py on small inputs (the committed results come from the full run)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np


def _load():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "keyness_simulation.py"
    spec = importlib.util.spec_from_file_location("keyness_simulation", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_simulated_corpus_has_the_planted_and_burst_words():
    sim = _load()
    prep = sim.simulate(4, np.random.default_rng(0), **sim.SETTINGS)
    docs = prep.passages["doc_id"].tolist()
    assert len(docs) == 8 and prep.metadata["group"].tolist() == ["A"] * 4 + ["B"] * 4
    burst = [toks.count("burst") for toks in prep.tokens]
    assert burst == [sim.SETTINGS["burst_count"]] + [0] * 7
    assert all(toks.count("planted") == 0 for toks in prep.tokens[4:])


def test_one_replicate_separates_document_and_token_tests():
    sim = _load()
    few = sim.one_replicate(3, np.random.default_rng(1), **sim.SETTINGS)
    assert few["smallest_p"] == 0.1  # 3 against 3 documents: 20 splits
    assert not few["document_permutation"]["any_null_adj"] and not few["document_permutation"]["burst_adj"]
    assert few["token_z"]["burst_adj"]  # tokens as independent draws: one document's burst looks key
    more = sim.one_replicate(12, np.random.default_rng(2), **sim.SETTINGS)
    assert more["document_permutation"]["planted_adj"] and not more["document_permutation"]["burst_adj"]
    assert more["token_z"]["null_rate"] > 0.1 > more["document_permutation"]["null_rate"]
