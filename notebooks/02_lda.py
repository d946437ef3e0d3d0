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
# # 2. LDA: choosing K, and the topics
#
# LDA (gensim's `LdaModel`) is fitted on the passages. K is chosen as R stm's `searchK` does, from a sweep
# over K and three seeds with half the tokens of 10% of the passages held out: held-out log-likelihood
# (document completion), semantic coherence (Mimno et al. 2011), exclusivity (FREX) and stability across
# seeds (topics matched between seeds with the Hungarian algorithm); C_V and NPMI are in the table too.
# The rule (`KSelection.rule`; README): K within one standard error of the best held-out
# likelihood and stable enough, then the best coherence + exclusivity. With about 75 passages from five
# documents only 7 passages are held out and the choice is fragile: read the K chosen here as a working
# resolution for this case study, not as "the number of frames in the debate".

# %%
import discourse
from discourse.figures import NotebookFigures
from study import CONFIG

FIGURES = NotebookFigures.from_environment()  # the folders `discourse figures` gives this kernel

result = discourse.analyze(discourse.load_seeds(), CONFIG, cache_dir=str(FIGURES.cache))
ksel = result.tables["k_selection"]
ksel

# %%
axes = FIGURES.standard(result, "k_selection")  # discourse.plot.plot_k_selection

# %% [markdown]
# ## The topics
#
# Top terms per topic with their probability in the topic; each panel is titled with the topic's label,
# its three best terms by FREX (frequent in the topic and exclusive to it: Bischof & Airoldi 2012), so
# that words every topic shares ("country", "security") do not name topics. Terms are lemmatised
# (names keep their form: "bin Laden", "Karzai"); name variants are
# merged by the alias table (`ttp` for Tehrik-i-Taliban Pakistan / Tehrik-e-Taliban Pakistan / TTP,
# `isi`, `nds`, …) and multi-word phrases learnt from the corpus are joined with `_`.

# %%
topics = result.tables["topics"]
axes = FIGURES.standard(result, "topics", model="lda")  # discourse.plot.plot_topic_terms

# %% [markdown]
# The most representative passages of each topic (highest topic weight) help to name it:

# %%
rep = result.tables["representative"]
rep[rep["model"] == "lda"].assign(text=lambda d: d["text"].str.slice(0, 160))[["topic", "rank", "doc_id", "weight", "text"]]
