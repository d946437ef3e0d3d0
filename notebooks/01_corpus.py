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
# # 1. The corpus and what cleaning removed
#
# **Question of the study.** How did English-language news and editorials frame Pakistan–Afghanistan
# security relations in the 2015 period of optimism (the NDS–ISI intelligence memorandum, Ghani's
# outreach) against the 2024 period of frictions (TTP attacks, Taliban rule), across Afghan, Pakistani
# and US outlets?
#
# **What five documents can and cannot show.** The seed corpus is five articles: two from 2015
# (one Afghan, one US), one Pakistani article from 2021 and two Pakistani pieces grouped with 2024.
# That is a *case study*, not a sample, and its own metadata doubts two of the five: 002 is dated
# about July 2025 on weak evidence and argues *for* anti-terror cooperation, and 003's outlet is
# unidentified, so the 2024 "frictions" group rests on one clearly dated frictions text. Every number
# below comes with the count of documents behind it, and every group has one or two documents, so:
#
# * the only intervals backed by the coverage simulation with fitted models (README, "Which intervals
#   are printed") combine five LDA runs, and at two documents per group they span almost everything:
#   about [0, 1] for a share, [−1, 1] for a change. Groups of one document, BERTopic and single LDA
#   runs get no interval, and each such row's `ci_note` says why; a permutation test of two documents
#   against two cannot give p below 1/3 (`p_min`);
# * period and country are confounded: every 2015 text is non-Pakistani and every 2024 text is
#   Pakistani, so a "2015 against 2024" difference cannot be told apart from an "outlet country"
#   difference, and the difference-in-differences is not estimable;
# * nothing here generalises to "the Pakistani press" or "2024 coverage". The notebooks show what the
#   method does and what these five texts say; the same calls scale to corpora of thousands of documents,
#   where intervals are printed and informative.
#
# This notebook loads the corpus, runs the whole analysis once (cached for the next notebooks) and
# shows what cleaning removed from each page capture.

# %%
import discourse
from discourse.figures import NotebookFigures
from study import CONFIG

FIGURES = NotebookFigures.from_environment()  # the folders `discourse figures` gives this kernel

corpus = discourse.load_seeds()
corpus.metadata[["outlet", "outlet_country", "published", "published_precision", "period"]]

# %% [markdown]
# Dates come from the researched metadata, never from page text: the masthead of document 000 says
# "Friday, April 19th, 2024", which is when the page was served, not when the editorial was written (May 2015).
# `published_precision` keeps how exact each date is.
#
# The whole analysis (cleaning, both topic models, every comparison) runs in one call; its result is
# cached, so the following notebooks load it instead of refitting.

# %%
result = discourse.analyze(corpus, CONFIG, cache_dir=str(FIGURES.cache))
result.write(FIGURES.tables)  # the numbers behind every figure, kept beside the figures
print(result.describe().splitlines()[0])
result.tables["documents"][["doc_id", "outlet_country", "period", "chars_raw", "chars_removed", "passages", "tokens"]]

# %% [markdown]
# ## What cleaning removed
#
# Each removal is recorded with the rule that made it and its character span in the raw text, so it
# can be audited. The chrome differs by site: a masthead and byline (000), an image credit, a site
# tagline and a comment form (001), a repeated title (002), a byline, an author bio with an e-mail
# address, share and comment widgets and a "Recent Posts" sidebar of unrelated headlines (003), and a
# first-publication line and an institutional disclaimer (004).

# %%
removals = result.prepared.removals
removals.assign(text=removals["text"].str.slice(0, 70).str.replace("\n", " "))

# %%
docs = result.tables["documents"]
labels = {d: f"{d[:3]} {c or 'unknown'} {p}" for d, c, p in zip(docs["doc_id"], docs["outlet_country"], docs["period"])}
# drawn by discourse.plot.plot_removals, each bar as long as the document's raw text
ax = FIGURES.standard(result, "corpus_removals", doc_labels=labels)

# %% [markdown]
# ## Passages
#
# Topic models see passages (paragraphs, with headings joined to the paragraph they introduce and
# long paragraphs split at sentence boundaries); results are aggregated back to documents, and every
# statistic resamples documents, not passages.

# %%
result.prepared.passages.groupby("doc_id").agg(passages=("passage_id", "size"), tokens=("n_tokens", "sum"))
