"""Tests of discourse.plot: each figure drawn from a small hand-made tidy table."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from discourse.errors import InputError, ParameterError  # noqa: E402
from discourse.plot import (  # noqa: E402
    PALETTE,
    paper_style,
    plot_alignment,
    plot_contrasts,
    plot_diff_in_diff,
    plot_frames,
    plot_k_selection,
    plot_keyness,
    plot_prevalence,
    plot_removals,
    plot_topic_terms,
    plot_trend,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- tables


def prevalence_table(with_single: bool = False) -> pd.DataFrame:
    rows = []
    groups = [("2015", 2), ("2024", 3)] + ([("2021", 1)] if with_single else [])
    for g, n in groups:
        for t, lab in enumerate(["border_fencing durand", "ttp attacks", "trade transit"]):
            share = 0.1 + 0.2 * t + (0.05 if g == "2024" else 0.0)
            lo, hi = (np.nan, np.nan) if n == 1 else (share - 0.05, share + 0.05)
            rows.append(dict(model="lda", topic=t, label=lab, grouping="period", group=g, share=share,
                             ci_low=lo, ci_high=hi, n_docs=n, too_few=n < 2))
    return pd.DataFrame(rows)


def contrasts_table() -> pd.DataFrame:
    return pd.DataFrame(dict(
        model="lda", topic=[0, 1, 2], label=["border", "ttp attacks", "trade"], grouping="period",
        group_a="2015", group_b="2024", difference=[0.30, -0.10, 0.05], ci_low=[0.10, -0.30, np.nan],
        ci_high=[0.50, 0.10, np.nan], p_value=[0.01, 0.4, np.nan], p_adj=[0.03, 0.6, np.nan],
        n_a=[2, 2, 1], n_b=[2, 2, 2],
    ))


def keyness_table() -> pd.DataFrame:
    terms = ["ttp", "attack", "fencing", "refugee", "trade", "cooperation", "agreement", "trust", "border"]
    z = [4.0, 2.5, 1.0, 0.5, -0.7, -3.5, -2.2, -1.1, 0.0]
    return pd.DataFrame(dict(
        grouping="period", group="2015", reference="2024", term=terms, count=[1, 2, 3, 4, 9, 8, 7, 6, 5],
        count_reference=[9, 8, 7, 6, 1, 2, 3, 4, 5], log_odds=np.array(z) / 2, z=z,
        p_adj=[0.001, 0.04, 0.5, 0.8, 0.7, 0.002, 0.06, 0.4, 1.0],
    ))


def k_summary(sd: float = 0.02) -> pd.DataFrame:
    ks = np.arange(2, 7)
    return pd.DataFrame(dict(
        k=ks, heldout_mean=-6.0 - 0.01 * ks, heldout_se=sd, coherence_mean=-60.0 + ks, coherence_se=sd,
        exclusivity_mean=8 + 0.1 * ks, exclusivity_se=sd, stability_mean=1 - ks / 10, stability_sd=sd, n_seeds=3,
        chosen=ks == 4,
    ))


def frames_table() -> pd.DataFrame:
    return pd.DataFrame(dict(
        grouping=["period"] * 3 + ["outlet_country"] * 2, group=["2015", "2021", "2024", "Afghanistan", "Pakistan"],
        frame_balance=[0.4, 0.1, -0.3, 0.2, -0.1], ci_low=[0.1, np.nan, -0.6, np.nan, -0.4],
        ci_high=[0.7, np.nan, 0.0, np.nan, 0.2], n_docs=[2, 1, 2, 1, 3], too_few=[False, True, False, True, False],
    ))


def removals_table() -> pd.DataFrame:
    return pd.DataFrame(dict(
        doc_id=["a", "a", "b", "b", "b"], start=[0, 100, 0, 50, 400], end=[30, 110, 20, 90, 450],
        rule=["masthead", "credit", "masthead", "sidebar", "sidebar"], text=["x"] * 5,
    ))


def _points(ax) -> list:
    return [ln for ln in ax.lines if ln.get_gid() == "points"]


def _n_points(ax) -> int:
    return sum(len(ln.get_xdata()) for ln in _points(ax))


def _errorbar_segments(ax) -> int:
    n = 0
    for c in ax.containers:
        if isinstance(c, ErrorbarContainer):
            for coll in c.lines[2]:
                n += len(coll.get_segments())
    return n


def _legend_texts(ax) -> list[str]:
    legends = [ax.get_legend()] + list(ax.figure.legends)
    return [t.get_text() for leg in legends if leg is not None for t in leg.get_texts()]


def _texts(ax, gid: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


# --------------------------------------------------------------------------- style


def test_palette_is_okabe_ito_and_distinct():
    okabe_ito = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
    assert {to_hex(c) for c in PALETTE} == okabe_ito
    assert len(PALETTE) == 8


def test_paper_style_restores_rcparams():
    before = dict(matplotlib.rcParams)
    with paper_style():
        assert matplotlib.rcParams["font.size"] == 8.0
        assert matplotlib.rcParams["figure.figsize"][0] == 3.5
    assert dict(matplotlib.rcParams) == before


def test_plots_leave_global_rcparams_unchanged():
    before = dict(matplotlib.rcParams)
    plot_prevalence(prevalence_table())
    plot_keyness(keyness_table(), group="2015", reference="2024")
    plot_k_selection(k_summary())
    assert dict(matplotlib.rcParams) == before


def test_importing_discourse_plot_does_not_load_pyplot():
    code = (
        "import sys, discourse, discourse.plot, discourse.figures; "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- prevalence


def test_prevalence_labels_intervals_and_n_docs():
    ax = plot_prevalence(prevalence_table())
    assert ax.get_xlabel() == "Topic weight (mean document share)"
    assert ax.get_ylabel() == "LDA topic"
    assert _n_points(ax) == 6  # 2 groups x 3 topics
    assert sum(isinstance(c, ErrorbarContainer) for c in ax.containers) == 2
    assert _errorbar_segments(ax) == 6
    legend = _legend_texts(ax)
    assert "2015 (n=2 docs)" in legend and "2024 (n=3 docs)" in legend
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 3 and ticks[0].startswith("0: border fencing")


def test_prevalence_single_document_group_has_point_but_no_bar():
    ax = plot_prevalence(prevalence_table(with_single=True))
    assert _n_points(ax) == 9
    assert _errorbar_segments(ax) == 6  # the n=1 group draws no interval
    legend = _legend_texts(ax)
    assert "2021 (n=1 doc, no interval)" in legend
    assert "hollow: too few documents" in legend
    hollow = [ln for ln in _points(ax) if ln.get_markerfacecolor() == "white"]
    assert sum(len(ln.get_xdata()) for ln in hollow) == 3


def test_prevalence_draws_on_given_axes_only():
    fig, (a0, a1) = plt.subplots(1, 2)
    out = plot_prevalence(prevalence_table(), ax=a1)
    assert out is a1
    assert len(fig.axes) == 2 and not a0.lines and a1.lines
    assert plt.get_fignums() == [fig.number]


def test_prevalence_group_order_and_selection():
    ax = plot_prevalence(prevalence_table(with_single=True), groups=["2024", "2015"])
    legend = _legend_texts(ax)
    assert legend[0].startswith("2024") and legend[1].startswith("2015")
    assert not any(t.startswith("2021") for t in legend)


def test_prevalence_errors_name_the_problem():
    with pytest.raises(InputError, match="ci_low"):
        plot_prevalence(prevalence_table().drop(columns="ci_low"))
    two = pd.concat([prevalence_table(), prevalence_table().assign(model="bertopic")])
    with pytest.raises(ParameterError, match="model=None.*'lda'.*'bertopic'"):
        plot_prevalence(two)
    assert plot_prevalence(two, model="bertopic").get_ylabel() == "BERTopic topic"
    with pytest.raises(ParameterError, match="groups"):
        plot_prevalence(prevalence_table(), groups=["1999"])


# --------------------------------------------------------------------------- topic terms


def test_topic_terms_small_multiples():
    rows = [dict(model="lda", topic=t, rank=r + 1, term=f"w{t}_{r}", weight=0.3 / (r + 1))
            for t in range(3) for r in range(6)]
    axes = plot_topic_terms(pd.DataFrame(rows), n_terms=4, ncols=2)
    assert len(axes) == 3
    for i, a in enumerate(axes):
        assert len(a.patches) == 4
        assert a.get_title(loc="left") == f"LDA topic {i}"
        assert [t.get_text() for t in a.get_yticklabels()] == [f"w{i} {r}" for r in range(4)]
    # bottom panels of each column carry the axis label
    assert axes[1].get_xlabel() == axes[2].get_xlabel() == "Word probability in topic"
    assert axes[0].get_xlabel() == ""


def test_topic_terms_draw_one_ranking_titled_with_the_label():
    rows = [dict(model="lda", topic=t, rank=r + 1, term=f"{rk[0]}{t}_{r}", weight=0.3 / (r + 1), ranking=rk,
                 score=1.0 / (r + 1), label=f"f{t}_0, f{t}_1")
            for rk in ("frex", "probability") for t in range(2) for r in range(3)]
    axes = plot_topic_terms(pd.DataFrame(rows), n_terms=3)
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["p0 0", "p0 1", "p0 2"]
    assert "f0 0, f0 1" in axes[0].get_title(loc="left").replace("\n", " ")
    axes = plot_topic_terms(pd.DataFrame(rows), n_terms=3, ranking="frex")
    assert [t.get_text() for t in axes[1].get_yticklabels()] == ["f1 0", "f1 1", "f1 2"]
    with pytest.raises(ParameterError, match="ranking"):
        plot_topic_terms(pd.DataFrame(rows), ranking="relevance")


def test_topic_terms_accepts_axes_and_rejects_too_few():
    rows = [dict(model="bertopic", topic=t, rank=r + 1, term=f"w{r}", weight=1.0 / (r + 1))
            for t in (-1, 0) for r in range(3)]
    fig, grid = plt.subplots(1, 2)
    axes = plot_topic_terms(pd.DataFrame(rows), ax=grid)
    assert list(axes) == list(grid)
    assert axes[0].get_title(loc="left") == "BERTopic topic outliers"
    assert axes[0].get_xlabel() == "Term weight (c-TF-IDF)"
    with pytest.raises(ParameterError, match="at least 2 Axes"):
        plot_topic_terms(pd.DataFrame(rows), ax=grid[:1])


# --------------------------------------------------------------------------- contrasts


def test_contrasts_forest_flips_to_requested_direction():
    table = contrasts_table()
    ax = plot_contrasts(table, group_a="2024", group_b="2015")
    assert ax.get_xlabel().splitlines()[0] == "Difference in topic weight, 2024 − 2015"
    assert "2024: n=2 docs" in ax.get_xlabel()
    xs = np.concatenate([ln.get_xdata() for ln in _points(ax)])
    assert sorted(np.round(xs, 6)) == sorted(np.round(-table["difference"].to_numpy(), 6))
    # the zero line
    assert any(np.allclose(ln.get_xdata(), 0) for ln in ax.lines if ln.get_gid() != "points")
    assert _errorbar_segments(ax) == 2
    p_texts = _texts(ax, "p-text")
    assert "adj. p" in p_texts and "0.03" in p_texts and "–" in p_texts
    filled = [ln for ln in _points(ax) if ln.get_markerfacecolor() != "white"]
    assert sum(len(ln.get_xdata()) for ln in filled) == 1  # only p_adj < 0.05
    notes = _texts(ax, "nan-note")
    assert notes == ["n=1 (2015): no interval"]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[1] == "1: ttp attacks"


def test_contrasts_interval_flipped_with_sign():
    ax = plot_contrasts(contrasts_table(), group_a="2024", group_b="2015")
    segs = [c.lines[2][0].get_segments() for c in ax.containers if isinstance(c, ErrorbarContainer)][0]
    spans = sorted((round(float(s[0][0]), 6), round(float(s[1][0]), 6)) for s in segs)
    assert spans == [(-0.5, -0.1), (-0.1, 0.3)]


def test_contrasts_pair_must_be_named_when_several():
    table = pd.concat([contrasts_table(), contrasts_table().assign(group_b="2021")])
    with pytest.raises(ParameterError, match="several pairs"):
        plot_contrasts(table)
    with pytest.raises(ParameterError, match="expected a pair"):
        plot_contrasts(table, group_a="2015", group_b="1999")
    with pytest.raises(ParameterError, match="alpha"):
        plot_contrasts(contrasts_table(), alpha=2)


def test_diff_in_diff_from_did_table():
    did = pd.DataFrame(dict(
        model="lda", topic=[0, 1], label=["border", "trade"], grouping="outlet_country:period",
        treated="Pakistan", control="others", before="2015", after="2024", did=[0.2, -0.1],
        ci_low=[0.05, -0.3], ci_high=[0.35, 0.1], n_treated_before=2, n_treated_after=3,
        n_control_before=4, n_control_after=2, too_few=False,
    ))
    ax = plot_diff_in_diff(did)
    xlabel = ax.get_xlabel()
    assert xlabel.startswith("Difference in differences of topic weight")
    assert "2015→2024: Pakistan minus others" in xlabel
    assert "Pakistan 2 → 3" in xlabel and "others 4 → 2" in xlabel
    assert _n_points(ax) == 2 and _errorbar_segments(ax) == 2
    assert not _texts(ax, "p-text")  # no p-value column in a DiD table


def test_diff_in_diff_without_intervals_says_so_once():
    did = pd.DataFrame(dict(
        model="lda", topic=[0, 1, 2], did=[0.2, -0.1, 0.0], ci_low=np.nan, ci_high=np.nan,
        n_treated_before=0, n_treated_after=2, n_control_before=2, n_control_after=1, too_few=True,
    ))
    ax = plot_diff_in_diff(did)
    assert _n_points(ax) == 3 and _errorbar_segments(ax) == 0
    assert not _texts(ax, "nan-note")
    legend = _legend_texts(ax)
    assert "hollow: too few documents" in legend
    assert any(t.startswith("no intervals") for t in legend)


def test_diff_in_diff_with_an_empty_cell_explains_the_blank():
    did = pd.DataFrame(dict(
        model="lda", topic=[0, 1], did=np.nan, ci_low=np.nan, ci_high=np.nan, treated="Pakistan",
        control="others", before="2015", after="2024", n_treated_before=0, n_treated_after=2,
        n_control_before=2, n_control_after=0, too_few=True,
    ))
    ax = plot_diff_in_diff(did)
    assert _n_points(ax) == 0
    (note,) = _texts(ax, "empty-note")
    assert " ".join(note.split()) == "No estimate: no documents in Pakistan 2015, others 2024"


def test_contrasts_without_a_backed_interval_draw_the_point_and_say_why():
    note = ("no interval: the smallest attainable p with these group sizes is 0.333, "
            "so no difference can be excluded at 0.05")
    table = contrasts_table().assign(ci_low=np.nan, ci_high=np.nan, n_a=2, n_b=2, ci_note=note)
    ax = plot_contrasts(table, group_a="2015", group_b="2024")
    assert _n_points(ax) == 3 and _errorbar_segments(ax) == 0
    assert "no intervals: p ≥ 0.333 always" in _legend_texts(ax)  # said once when no row has one
    one = table.assign(ci_low=[0.1, np.nan, np.nan], ci_high=[0.5, np.nan, np.nan])
    ax = plot_contrasts(one, group_a="2015", group_b="2024")
    assert _texts(ax, "nan-note") == ["p ≥ 0.333 always: no interval"] * 2


def test_unstable_topics_are_marked_in_every_topic_figure():
    ax = plot_contrasts(contrasts_table().assign(unstable=[False, True, False]), group_a="2015", group_b="2024")
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert ticks[1].startswith("1: [unstable] ttp") and "[unstable]" not in ticks[0] + ticks[2]
    prev = prevalence_table().assign(unstable=lambda d: d["topic"] == 2)
    ticks = [t.get_text().replace("\n", " ") for t in plot_prevalence(prev).get_yticklabels()]
    assert [("[unstable]" in t) for t in ticks] == [False, False, True]


def test_contrasts_too_few_rows_are_grey():
    ax = plot_contrasts(contrasts_table().assign(too_few=[True, False, False]), group_a="2015", group_b="2024")
    grey = [ln for ln in _points(ax) if to_hex(ln.get_markeredgecolor()) == "#8c8c8c"]
    assert sum(len(ln.get_xdata()) for ln in grey) == 1
    assert "grey: too few documents" in _legend_texts(ax)


# --------------------------------------------------------------------------- keyness


def test_keyness_top_terms_each_side():
    ax = plot_keyness(keyness_table(), group="2015", reference="2024", n=2)
    bars = [p for p in ax.patches if p.get_gid() == "keyness-bar"]
    assert len(bars) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ttp", "attack", "agreement", "cooperation"]
    widths = [b.get_width() for b in bars]
    assert widths == [4.0, 2.5, -2.2, -3.5]
    assert ax.get_xlabel().startswith("Keyness z")
    assert "more in 2015" in _legend_texts(ax)[0]
    # non-significant bars are pale
    alphas = [b.get_alpha() for b in bars]
    assert alphas[0] == 1.0 and alphas[2] < 1.0
    assert _texts(ax, "count-text") == ["1:9", "2:8", "7:3", "8:2"]


def test_keyness_marks_terms_resting_on_one_document():
    table = keyness_table().assign(one_doc=lambda d: d["term"] == "ttp")
    ax = plot_keyness(table, group="2015", reference="2024", n=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ttp †", "attack", "agreement", "cooperation"]
    assert "†: mostly one document" in _legend_texts(ax)


def test_keyness_reversed_pair_and_n_docs():
    table = keyness_table().assign(n_docs=2, n_docs_reference=3)
    ax = plot_keyness(table, group="2024", reference="2015", n=1)
    bars = [p for p in ax.patches if p.get_gid() == "keyness-bar"]
    assert [b.get_width() for b in bars] == [3.5, -4.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cooperation", "ttp"]
    legend = _legend_texts(ax)
    assert "more in 2024 (n=3 docs)" in legend and "more in 2015 (n=2 docs)" in legend


def test_keyness_reference_required_when_ambiguous():
    table = pd.concat([keyness_table(), keyness_table().assign(reference="rest")])
    with pytest.raises(ParameterError, match="reference=None"):
        plot_keyness(table, group="2015")
    ax = plot_keyness(table, group="2015", reference="rest", n=1)
    assert "more in other groups" in _legend_texts(ax)


# --------------------------------------------------------------------------- K selection


def test_k_selection_panels_of_the_rules_measures_with_bands_and_chosen_k():
    summary = k_summary()
    axes = plot_k_selection(summary)
    assert len(axes) == 4
    assert axes[-1].get_xlabel() == "Number of topics K"
    assert [a.get_ylabel().split()[0] for a in axes] == ["Held-out", "Semantic", "Exclusivity", "Stability"]
    for a, key, spread in zip(axes, ("heldout", "coherence", "exclusivity", "stability"), ("se", "se", "se", "sd")):
        assert [ln.get_gid() for ln in a.lines].count(f"mean-{key}") == 1
        (band,) = [c for c in a.collections if c.get_gid() == f"band-{key}"]
        top = band.get_paths()[0].vertices[:, 1].max()
        assert top == pytest.approx((summary[f"{key}_mean"] + summary[f"{key}_{spread}"]).max())
        chosen = [ln for ln in a.lines if ln.get_gid() == "chosen-k"]
        assert len(chosen) == 1 and np.allclose(chosen[0].get_xdata(), 4)
    assert _texts(axes[0], "chosen-text") == ["chosen K = 4"]
    assert "3 seeds" in axes[0].get_title(loc="left")


def test_k_selection_single_axes_and_missing_sd():
    fig, ax = plt.subplots()
    axes = plot_k_selection(k_summary(sd=np.nan), ax=ax)
    assert len(axes) == 1 and axes[0] is ax
    assert len([ln for ln in ax.lines if str(ln.get_gid()).startswith("mean-")]) == 4
    assert not [c for c in ax.collections if str(c.get_gid()).startswith("band-")]
    with pytest.raises(InputError, match="chosen"):
        plot_k_selection(k_summary().drop(columns="chosen"))


# --------------------------------------------------------------------------- alignment


def test_alignment_heatmap_outlines_matched_pairs():
    mat = pd.DataFrame([[0.1, 0.8, 0.2], [0.7, 0.1, 0.3]], index=[0, 1], columns=[-1, 0, 1])
    al = pd.DataFrame(dict(lda_topic=[0, 1], bertopic_topic=[0, -1], similarity=[0.8, 0.7],
                           matched=[True, False], lda_label=["border", "trade"], bertopic_label=["border_ttp", None]))
    ax = plot_alignment(al, mat)
    outlines = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == "matched"]
    assert len(outlines) == 1 and outlines[0].get_xy() == (0.5, -0.5)
    assert len(_texts(ax, "cell-text")) == 6
    assert ax.get_ylabel() == "LDA topic" and ax.get_xlabel().startswith("BERTopic topic")
    assert "no counterpart" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "outliers"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0: border", "1: trade"]
    cbar_labels = [a.get_ylabel() for a in ax.figure.axes if a is not ax]
    assert any("Similarity" in s for s in cbar_labels)


def test_alignment_from_long_table_and_bad_pair():
    al = pd.DataFrame(dict(lda_topic=[0, 0, 1, 1], bertopic_topic=[0, 1, 0, 1], similarity=[0.9, 0.1, 0.2, 0.6],
                           matched=[True, False, False, True]))
    ax = plot_alignment(al)
    assert len([p for p in ax.patches if p.get_gid() == "matched"]) == 2
    mat = pd.DataFrame([[0.5]], index=[0], columns=[0])
    with pytest.raises(InputError, match="not in the similarity matrix"):
        plot_alignment(al, mat)


# --------------------------------------------------------------------------- frames


def test_frames_blocks_n_docs_and_single_documents():
    ax = plot_frames(frames_table())
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Period", "2015 (n=2 docs)", "2021 (n=1 doc)", "2024 (n=2 docs)",
                     "Outlet country", "Afghanistan (n=1 doc)", "Pakistan (n=3 docs)"]
    assert [t.get_fontweight() for t in ax.get_yticklabels()][0] == "bold"
    assert _n_points(ax) == 5 and _errorbar_segments(ax) == 3
    assert _texts(ax, "nan-note") == ["n=1: no interval", "n=1: no interval"]
    assert "hollow: too few documents" in _legend_texts(ax)
    assert ax.get_xlabel().startswith("Frame balance")


def test_frames_one_grouping():
    ax = plot_frames(frames_table(), grouping="period", groups=["2024", "2015"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2024 (n=2 docs)", "2015 (n=2 docs)"]
    assert ax.get_ylabel() == "Period"
    with pytest.raises(ParameterError, match="grouping="):
        plot_frames(frames_table(), groups=["2015"])


# --------------------------------------------------------------------------- removals


def test_removals_stacked_by_rule():
    ax = plot_removals(removals_table(), doc_ids=["a", "b", "c"], lengths={"a": 400, "b": 1000, "c": 50})
    bars = [p for p in ax.patches if p.get_gid() == "removal-bar"]
    assert len(bars) == 3 * 3  # 3 documents x 3 rules (zeros included)
    per_doc = {}
    for b in bars:
        y = round(b.get_y() + b.get_height() / 2)
        per_doc[y] = per_doc.get(y, 0) + b.get_width()
    assert per_doc == {0: 40, 1: 110, 2: 0}
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert _texts(ax, "share-text") == ["10.0%", "11.0%", "0.0%"]
    assert set(_legend_texts(ax)) == {"masthead", "credit", "sidebar"}
    assert ax.get_xlabel().startswith("Characters removed")


def test_removals_limits_for_large_corpora():
    rng = np.random.default_rng(0)
    n = 200
    rem = pd.DataFrame(dict(doc_id=[f"d{i}" for i in range(n)], start=0, end=rng.integers(1, 1000, n),
                            rule=[f"rule{i % 12}" for i in range(n)], text=""))
    ax = plot_removals(rem, max_docs=10, max_rules=4)
    assert len(ax.get_yticks()) == 10
    assert "10 of 200 documents" in ax.get_xlabel()
    assert "other rules" in _legend_texts(ax) and len(_legend_texts(ax)) == 4
    with pytest.raises(ParameterError, match="max_rules"):
        plot_removals(rem, max_rules=1)


# --------------------------------------------------------------------------- rendering


SINGLE_COLUMN_FIGURES = {
    "prevalence": lambda: plot_prevalence(prevalence_table(with_single=True)),
    "contrasts": lambda: plot_contrasts(contrasts_table(), group_a="2024", group_b="2015"),
    "keyness": lambda: plot_keyness(keyness_table(), group="2015", reference="2024"),
    "k_selection": lambda: plot_k_selection(k_summary()),
    "frames": lambda: plot_frames(frames_table()),
    "removals": lambda: plot_removals(removals_table(), doc_ids=["a", "b", "c"]),
}


@pytest.mark.parametrize("name", sorted(SINGLE_COLUMN_FIGURES))
def test_single_column_figures_render_within_column_width(name, tmp_path):
    from PIL import Image

    from discourse.figures import save_figure

    (path,) = save_figure(SINGLE_COLUMN_FIGURES[name](), name, outdir=tmp_path, dpi=100)
    with Image.open(path) as im:
        width_in = im.size[0] / 100
    # 3.5 in column; a little slack for the tight bounding box
    assert 2.5 <= width_in <= 3.6, f"{name} renders {width_in:.2f} in wide"


def test_trend_draws_bands_only_where_the_table_has_intervals():
    rows = []
    for t, slope in ((0, 0.02), (1, -0.02)):
        for y in np.linspace(2015, 2024, 10):
            share = 0.5 + slope * (y - 2015)
            lo, hi = (share - 0.05, share + 0.05) if t == 0 else (np.nan, np.nan)
            rows.append(dict(model="lda", topic=t, label=f"topic {t}", formula="~ bs(year, df=3)", year=y,
                             share=share, ci_low=lo, ci_high=hi, unstable=t == 1,
                             ci_note="" if t == 0 else "no interval: fewer than 5 documents per group"))
    ax = plot_trend(pd.DataFrame(rows))
    assert ax.get_xlabel() == "Publication year"
    assert len([c for c in ax.collections if c.get_gid() == "band"]) == 1
    (note,) = _texts(ax, "band-note")
    assert note.startswith("lines without bands: fewer than 5 documents")
    assert any("[unstable]" in t for t in _legend_texts(ax))
