"""Covariate effects: formulas over metadata, a smooth trend in the publication date."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from discourse.compare import effects
from discourse.compare._effects import decimal_year


def test_decimal_year_reads_every_precision():
    years = decimal_year(pd.Series(["2015-05-19", "2021-05", "2024", "", None, "May 2015"]))
    np.testing.assert_allclose(years[:3], [2015 + (4 + 18.5 / 30.5) / 12, 2021 + (4 + 15 / 30.5) / 12, 2024.5])
    assert years[3:].isna().all()


def test_smooth_trend_in_the_publication_date_is_recovered():
    rng = np.random.default_rng(0)
    n = 120
    year = rng.uniform(2010, 2024, size=n)
    share0 = 0.2 + 0.5 * (year - 2010) / 14 + rng.normal(0, 0.05, size=n)  # topic 0 rises over time
    theta = np.column_stack([np.clip(share0, 0.01, 0.99), 1 - np.clip(share0, 0.01, 0.99)])
    ids = [f"d{i}" for i in range(n)]
    published = [f"{int(y)}-{int((y % 1) * 12) + 1:02d}" for y in year]
    prepared = SimpleNamespace(
        passages=pd.DataFrame({"doc_id": ids, "passage_id": ids, "n_tokens": 10}),
        metadata=pd.DataFrame({"doc_id": ids, "published": published}).set_index("doc_id"))
    model = SimpleNamespace(name="lda", doc_topic_=theta, topic_ids_=[0, 1], labels_={0: "rising", 1: "falling"})
    res = effects(prepared, model, "~ bs(year, df=3)", require_calibration=False)
    pred = res.predicted[res.predicted.topic == 0].sort_values("year")
    assert len(pred) == 25 and pred["year"].between(2010, 2025).all()
    assert pred["share"].iloc[-1] - pred["share"].iloc[0] > 0.4
    assert (pred["ci_low"] <= pred["share"]).all() and (pred["share"] <= pred["ci_high"]).all()
    mid = pred.iloc[12]
    truth = 0.2 + 0.5 * (mid["year"] - 2010) / 14
    assert mid["ci_low"] <= truth <= mid["ci_high"]


def test_confounded_terms_are_reported_not_identified(caplog):
    # period and country coincide, as in the seeds: their separate effects cannot be told apart
    ids = [f"d{i}" for i in range(8)]
    theta = np.random.default_rng(1).dirichlet([2, 2], size=8)
    prepared = SimpleNamespace(
        passages=pd.DataFrame({"doc_id": ids, "passage_id": ids, "n_tokens": 10}),
        metadata=pd.DataFrame({"doc_id": ids, "period": ["2015"] * 4 + ["2024"] * 4,
                               "country": ["US"] * 4 + ["PK"] * 4}).set_index("doc_id"))
    model = SimpleNamespace(name="lda", doc_topic_=theta, topic_ids_=[0, 1], labels_={})
    with caplog.at_level("WARNING", logger="discourse.compare._effects"):
        res = effects(prepared, model, "~ period + country", require_calibration=False)
    t = res.to_frame()
    assert t["estimate"].isna().all() and t["p_value"].isna().all() and t["ci_low"].isna().all()
    assert t["ci_note"].str.startswith("not identified").all()
    assert "design rank 2 of 3" in caplog.text
    # the predicted share of each observed combination is still the group mean
    pred = res.predicted[res.predicted.topic == 0].set_index("period")["share"]
    np.testing.assert_allclose(pred["2015"], theta[:4, 0].mean())
