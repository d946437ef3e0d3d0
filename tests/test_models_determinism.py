"""Same input and random_state give byte-identical tables and matrices, in fresh processes.

The two runs use different embedding caches (so embeddings are computed twice,
not read back) and different ``PYTHONHASHSEED`` values (so nothing may depend
on set or dict ordering of strings).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import numpy as np

    import discourse
    from discourse.models import LDA, BERTopicModel
    from discourse.provenance import to_json

    out, cache = Path(sys.argv[1]), sys.argv[2]
    prepared = discourse.prepare(discourse.load_seeds(), progress=False)
    new = ["Pakistan closed the Torkham border after clashes.", "Kabul and Islamabad signed a trade deal."]
    lda = LDA(k="auto", k_range=(2, 3, 4), seeds=(0, 1), passes=5, random_state=7, progress=False).fit(prepared)
    lda.selection_.scores.to_csv(out / "lda_selection_scores.csv", index=False)
    lda.selection_.summary.to_csv(out / "lda_selection_summary.csv", index=False)
    bt = BERTopicModel(cache_dir=cache, random_state=7, progress=False).fit(prepared)
    for m in (lda, bt):
        m.topic_terms(10).to_csv(out / f"{m.name}_topic_terms.csv", index=False)
        m.representative_passages(prepared, 3).to_csv(out / f"{m.name}_representative.csv", index=False)
        np.save(out / f"{m.name}_doc_topic.npy", m.doc_topic_)
        np.save(out / f"{m.name}_term_matrix.npy", m.term_matrix()[2])
        np.save(out / f"{m.name}_transform.npy", m.transform(new))
        (out / f"{m.name}_provenance.json").write_text(to_json(m.provenance_))
    np.save(out / "bertopic_similarity.npy", bt.similarity_)
    """
)


def _run(tmp_path, name, hashseed):
    out = tmp_path / name
    out.mkdir()
    env = dict(os.environ, PYTHONHASHSEED=str(hashseed))
    subprocess.run([sys.executable, "-c", SCRIPT, str(out), str(tmp_path / f"cache-{name}")], check=True, env=env,
                   timeout=900)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.mark.slow
def test_fresh_processes_give_byte_identical_outputs(tmp_path):
    first = _run(tmp_path, "a", 1)
    second = _run(tmp_path, "b", 2)
    assert len(first) == 15
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, f"outputs differ between fresh processes: {differ}"
    # the embeddings were computed in each run, not shared through a cache
    assert list((tmp_path / "cache-a").rglob("*.emb")) and list((tmp_path / "cache-b").rglob("*.emb"))
