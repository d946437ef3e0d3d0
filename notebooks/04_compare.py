# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: discourse (reproducible numerics)
#     language: python
#     name: discourse
# ---

# %% [markdown]
# # 4. Comparing outlets and periods
#
# Four views of "optimism against frictions", each with its denominators:
#
# 1. **topic weight** by period and by outlet country, for both models: a document's topic shares are
#    its passages' topic rows weighted by passage tokens; a group's share is the mean over its
#    documents. LDA is fitted with five seeds, aligned to the first; its intervals combine the
#    documents' variation with the variation between runs (Rubin's rules), so they include the topic
#    model's own uncertainty (`model_share` says how much of the width it adds);
# 2. **contrasts**: the change 2015 → 2024 per topic (share in 2024 minus share in 2015), with an
#    interval and a p-value from one test (so they never disagree), Benjamini–Hochberg adjusted
#    across topics; and the difference-in-differences for outlet country × period;
# 3. **keyness**: which words rose and which fell between the periods (log-odds with an informative
#    Dirichlet prior, Monroe, Colaresi & Quinn 2008; p-values from permuting whole documents between
#    the periods; how many documents use each word and whether its count rests on one of them), and
#    how the same topic is worded differently across periods (drift);
# 4. **frames**: the balance of cooperation against confrontation stance words per document
#    (a documented, extendable lexicon that declares its domain), with the lexicon's coverage, by period.
#
# **Read with care.** Two documents in 2015, one in 2021 and two in 2024 (of which 002 is dated on
# weak evidence and argues for cooperation, and 003 comes from an unidentified outlet), one per
# country for Afghanistan and the US. The coverage simulation with fitted models (README) backs
# only the intervals that combine five LDA runs, and at two documents per group those span almost
# everything (about [0, 1] for a share, [−1, 1] for a change): that is all these texts can support.
# Groups of one document, BERTopic and single runs get no interval (`ci_note` says why, and the
# figures draw points without bars). The permutation test of two documents against two cannot give
# p below 1/3 (`p_min`). Period is confounded with outlet country. Topic labels are each topic's
# three best words by FREX (frequent and exclusive to the topic), not its three most probable words. The figures show the direction of differences
# in *these five texts*; they are not evidence about the press of any country or year.

# %%
import discourse
from discourse.figures import NotebookFigures
from study import CONFIG

FIGURES = NotebookFigures.from_environment()  # the folders `discourse figures` gives this kernel
result = discourse.analyze(discourse.load_seeds(), CONFIG, cache_dir=str(FIGURES.cache))
T = result.tables


# %% [markdown]
# ## 1. Topic weight by period and by outlet country

# %%
for model in ("lda", "bertopic"):
    for grouping in ("period", "outlet_country"):
        FIGURES.standard(result, "prevalence", model=model, grouping=grouping)  # discourse.plot.plot_prevalence

# %%
T["prevalence"].query("grouping == 'period'")[
    ["model", "topic", "label", "group", "share", "ci_low", "ci_high", "n_docs", "unstable", "ci_note"]]

# %% [markdown]
# How stable is each topic across the five runs of each model? (Median cosine similarity of its matched
# topics in the other runs, the share of runs in which it recurs and, for BERTopic, the share of its
# passages that keep their topic when the embeddings are perturbed by one part in a million.)

# %%
T["stability"]

# %% [markdown]
# ## 2. The change 2015 → 2024, per topic

# %%
for model in ("lda", "bertopic"):
    FIGURES.standard(result, "contrast", model=model, grouping="period", group_a="2024", group_b="2015")
T["contrasts"].query("grouping == 'period' and group_a == '2024' and group_b == '2015'")[
    ["model", "topic", "label", "difference", "ci_low", "ci_high", "p_value", "p_min", "p_adj", "n_a", "n_b",
     "ci_note"]]

# %% [markdown]
# ### Difference in differences: did Pakistani outlets move from 2015 to 2024 more than others did?
#
# This needs documents in all four cells (Pakistani and other outlets, in 2015 and in 2024). The seeds
# have no Pakistani text from 2015 and no non-Pakistani text from 2024, so the estimate is not
# identifiable here; the table shows the cell counts that say why, and the figure marks it.

# %%
did = T["did"]
did_pk = did[did["treated"] == "Pakistan"]
did_pk[["model", "topic", "label", "did", "n_treated_before", "n_treated_after", "n_control_before", "n_control_after"]]

# %%
_ = FIGURES.standard(result, "diff_in_diff", model="lda", treated="Pakistan")  # discourse.plot.plot_diff_in_diff

# %% [markdown]
# ## 3. Which words rose and which fell between 2015 and 2024
#
# Bars are Monroe et al.'s z (tokens as independent draws); its test permutes whole documents, so with
# two documents per period every bar is pale (no adjusted p below 0.05 is possible) and `p_min` says
# why. A dagger marks a word whose count rests mostly on one document (`one_doc`): one article, not a
# period, uses it.

# %%
_ = FIGURES.standard(result, "keyness", grouping="period", group="2024", reference="2015")  # discourse.plot.plot_keyness
T["keyness"].query("grouping == 'period' and group == '2024' and reference == '2015'").head(15)[
    ["term", "count", "count_reference", "log_odds", "z", "p_adj", "p_min", "docs_using", "docs_using_reference",
     "dp", "one_doc"]]

# %% [markdown]
# ### Drift within a topic
#
# Keyness between periods computed only on the passages of one topic: how the same subject is worded
# differently over time. Shown for each LDA topic, top terms by |z| (2024 against 2015).

# %%
drift = T["drift"]
sel = drift[(drift["model"] == "lda") & (drift["group"] == "2024") & (drift["reference"] == "2015")]
sel.assign(abs_z=sel["z"].abs()).sort_values(["topic", "abs_z"], ascending=[True, False]).groupby("topic").head(6)[
    ["topic", "term", "count", "count_reference", "z"]]

# %% [markdown]
# ## 4. Frames: cooperation against confrontation
#
# Per document, `frame_balance = (cooperation − confrontation) / (cooperation + confrontation)` over the
# lexicon's stance terms (`discourse/data/frames.csv`, user-extendable): +1 is all cooperation stance
# words (trust, rapprochement), −1 all confrontation ones (mistrust, accusation). Topic words such as
# "terrorism" or "agreement" say what is discussed, not how, and are left out. Group values are means
# over documents, with bootstrap intervals only from 10 documents (below that they were not shown to
# cover: none here); `coverage_docs` and `stance_per_1k` say how much of the text
# the lexicon reaches (a corpus it barely reaches gets no balance). On 80 hand-coded seed sentences the
# stance words are fairly precise (0.60 for cooperation, 0.75 for confrontation) but find only 15% and
# 33% of the framed sentences: the balance is that of explicit stance words.

# %%
for grouping in ("period", "outlet_country"):
    FIGURES.standard(result, "frames", grouping=grouping)  # discourse.plot.plot_frames
T["frames"][["grouping", "group", "frame_balance", "ci_low", "ci_high", "n_docs", "coverage_docs", "stance_per_1k",
             "cooperation_per_1k", "confrontation_per_1k"]]
