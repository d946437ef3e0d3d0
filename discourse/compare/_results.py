"""Immutable results objects returned by :mod:`discourse.compare`.

Each holds a tidy table (``.to_frame()`` returns a copy, columns in the order
of the matching CSV of ``discourse analyze``), the parameters it was computed
with (``.params``) and the denominators (``.counts``), and prints a short
readable summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "KeynessResult",
    "PrevalenceResult",
    "ContrastResult",
    "DiDResult",
    "AlignmentResult",
    "FrameResult",
    "EffectResult",
]


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "nan"
    if isinstance(x, (float, np.floating)):
        return f"{x:.{digits}f}"
    return str(x)


def _interval(row: Mapping[str, Any], est: str) -> str:
    return f"{_fmt(row[est])} [{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}]"


@dataclass(frozen=True, eq=False, repr=False)
class _Result:
    table: pd.DataFrame
    params: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)

    _title = "Result"

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy: changing it leaves the result untouched)."""
        return self.table.copy()

    def __len__(self) -> int:
        return len(self.table)

    def _lines(self, n: int) -> list[str]:  # pragma: no cover - overridden
        return []

    def summary(self, n: int = 5) -> str:
        """A short readable account: parameters, denominators and the main rows."""
        shown = {k: v for k, v in self.params.items() if not isinstance(v, (list, tuple, dict)) or len(str(v)) < 80}
        head = f"{self._title}: {len(self.table)} rows"
        par = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        lines = [head, f"  parameters: {par}"]
        lines += self._lines(n)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>\n" + self.summary()

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True, eq=False, repr=False)
class KeynessResult(_Result):
    """Keyness of terms between groups (see :func:`discourse.compare.keyness`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``grouping, group, reference, term, count, count_reference, log_odds, z,
        p_adj, p_value, docs_using, docs_using_reference, dp, dp_reference,
        top_doc_share, top_doc_share_reference, one_doc, n_docs,
        n_docs_reference, n_tokens, n_tokens_reference, exact, p_min, note``
        (one row per term and comparison).
    params, counts : dict
    """

    _title = "Keyness (log-odds ratio, informative Dirichlet prior)"

    def top(self, n: int = 10, *, group: str | None = None, reference: str | None = None) -> pd.DataFrame:
        """The ``n`` terms with the largest z per comparison (optionally one group/reference)."""
        t = self.table
        if group is not None:
            t = t[t["group"] == group]
        if reference is not None:
            t = t[t["reference"] == reference]
        keys = ["grouping", "group", "reference"]
        return t.groupby(keys, sort=False, group_keys=False).head(n).reset_index(drop=True)

    def _lines(self, n: int) -> list[str]:
        lines = [f"  documents with unknown group: {self.counts.get('n_docs_unknown', {})}"]
        if self.table.empty:
            return lines + ["  (no terms passed the minimum count)"]
        for (g, grp, ref), t in self.table.groupby(["grouping", "group", "reference"], sort=False):
            terms = ", ".join(f"{r.term} ({r.z:.1f}{', one doc' if r.one_doc else ''})" for r in t.head(n).itertuples())
            lines.append(f"  {g}: {grp} vs {ref}: {terms}")
            lines.append(f"    {t['note'].iloc[0]}")
        return lines


@dataclass(frozen=True, eq=False, repr=False)
class PrevalenceResult(_Result):
    """Topic weight per group (see :func:`discourse.compare.prevalence`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``model, topic, label, grouping, group, share, ci_low, ci_high, n_docs,
        too_few, n_passages``.
    document_shares : pandas.DataFrame
        Documents x topics: each document's topic shares (index ``doc_id``).
    """

    document_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    _title = "Topic prevalence (mean document share, document bootstrap CI)"

    def _lines(self, n: int) -> list[str]:
        lines = [f"  documents per group: {self.counts.get('n_docs_per_group', {})}",
                 f"  documents with unknown group: {self.counts.get('n_docs_unknown', {})}"]
        for r in self.table.head(n * 4).itertuples():
            flag = "  (too few documents)" if r.too_few else ""
            lines.append(
                f"  {r.model} topic {r.topic} {r.label!s:.30} | {r.grouping}={r.group}: "
                f"{_interval(r._asdict(), 'share')} n_docs={r.n_docs}{flag}"
            )
        if len(self.table) > n * 4:
            lines.append(f"  ... {len(self.table) - n * 4} more rows (use .to_frame())")
        return lines


@dataclass(frozen=True, eq=False, repr=False)
class ContrastResult(_Result):
    """Differences in topic weight between pairs of groups (see :func:`discourse.compare.contrasts`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``model, topic, grouping, group_a, group_b, difference, ci_low, ci_high,
        p_value, p_adj, n_a, n_b, label, too_few, exact``.
    """

    _title = "Topic weight contrasts (group_a - group_b)"

    def _lines(self, n: int) -> list[str]:
        t = self.table
        if t.empty:
            return ["  (no pairs)"]
        sig = t[t["p_adj"] < 0.05]
        lines = [f"  {len(sig)} of {len(t)} differences with BH-adjusted p < 0.05"]
        for r in t.sort_values(["p_adj", "topic"], kind="mergesort").head(n).itertuples():
            lines.append(
                f"  {r.model} topic {r.topic} | {r.grouping}: {r.group_a} - {r.group_b} = "
                f"{_interval(r._asdict(), 'difference')} p_adj={_fmt(r.p_adj)} (n={r.n_a}/{r.n_b})"
                + ("  (too few documents)" if r.too_few else "")
            )
        return lines


@dataclass(frozen=True, eq=False, repr=False)
class DiDResult(_Result):
    """Difference-in-differences of topic weight (see :func:`discourse.compare.diff_in_diff`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``model, topic, label, grouping, treated, control, before, after, did,
        ci_low, ci_high, change_treated, change_control, n_treated_before,
        n_treated_after, n_control_before, n_control_after, too_few``.
    """

    _title = "Difference in differences of topic weight"

    def _lines(self, n: int) -> list[str]:
        lines = [f"  documents per cell: {self.counts.get('n_docs_per_cell', {})}"]
        for r in self.table.head(n * 2).itertuples():
            flag = "  (too few documents)" if r.too_few else ""
            lines.append(f"  {r.model} topic {r.topic} {r.label!s:.30}: {_interval(r._asdict(), 'did')}{flag}")
        return lines


@dataclass(frozen=True, eq=False, repr=False)
class AlignmentResult(_Result):
    """Matching of LDA topics to BERTopic topics (see :func:`discourse.compare.align_models`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``lda_topic, bertopic_topic, similarity, lda_label, bertopic_label, matched``;
        a topic without counterpart has ``<NA>`` on the other side.
    similarity_matrix : pandas.DataFrame
        LDA topics (index) x BERTopic topics (columns).
    agreement : dict
        ``ari``, ``nmi`` and ``n_passages`` of the two models' passage
        assignments, or NaN when no passages were given.
    unmatched : dict
        ``{"lda": [...], "bertopic": [...]}``: topics with no counterpart.
    """

    similarity_matrix: pd.DataFrame = field(default_factory=pd.DataFrame)
    agreement: dict = field(default_factory=dict)
    unmatched: dict = field(default_factory=dict)
    _title = "Topic alignment (Hungarian matching on shared-vocabulary term distributions)"

    def _lines(self, n: int) -> list[str]:
        lines = [f"  shared vocabulary: {self.counts.get('n_shared_terms')} terms; "
                 f"agreement: {', '.join(f'{k}={_fmt(v)}' for k, v in self.agreement.items())}",
                 f"  unmatched: {self.unmatched}"]
        for r in self.table[self.table["matched"]].head(n * 2).itertuples():
            lines.append(f"  lda {r.lda_topic} ({r.lda_label!s:.25}) <-> bertopic {r.bertopic_topic} "
                         f"({r.bertopic_label!s:.25}): {_fmt(r.similarity)}")
        return lines


@dataclass(frozen=True, eq=False, repr=False)
class FrameResult(_Result):
    """Cooperation/confrontation frame balance per group (see :func:`discourse.compare.frame_balance`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``grouping, group, frame_balance, ci_low, ci_high, n_docs,
        coverage_docs, stance_per_1k, cooperation_per_1k,
        confrontation_per_1k, too_few, n_docs_total, domain, note``.
    documents : pandas.DataFrame
        One row per document: ``doc_id, n_tokens, cooperation, confrontation,
        frame_balance, cooperation_per_1k, confrontation_per_1k`` and one
        column per grouping with the document's group.
    terms : pandas.DataFrame
        ``term, frame, kind, count, n_docs``: how often each lexicon term
        occurred (topic terms too, though only stance terms enter the balance).
    """

    documents: pd.DataFrame = field(default_factory=pd.DataFrame)
    terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    _title = "Frame balance (cooperation - confrontation) / (cooperation + confrontation)"

    def _lines(self, n: int) -> list[str]:
        lines = [f"  lexicon: {self.counts.get('n_lexicon_terms')} terms ({self.counts.get('n_stance_terms')} stance); "
                 f"domain: {self.params.get('domain')}",
                 f"  coverage: {_fmt(self.counts.get('coverage_docs'))} of documents with a stance term, "
                 f"{_fmt(self.counts.get('stance_per_1k'), 2)} per 1,000 tokens; documents with none: "
                 f"{self.counts.get('n_docs_no_frame_terms')}"]
        if not self.counts.get("covered", True):
            lines.append(f"  {self.table['note'].iloc[0] if len(self.table) else 'no balance: coverage too low'}")
        for r in self.table.itertuples():
            flag = "  (too few documents)" if r.too_few else ""
            lines.append(f"  {r.grouping}={r.group}: {_interval(r._asdict(), 'frame_balance')} "
                         f"n_docs={r.n_docs}/{r.n_docs_total}{flag}")
        return lines


@dataclass(frozen=True, eq=False, repr=False)
class EffectResult(_Result):
    """Covariate effects on topic weight (see :func:`discourse.compare.effects`).

    Attributes
    ----------
    table : pandas.DataFrame
        ``model, topic, label, term, estimate, ci_low, ci_high, p_value,
        p_adj, n_docs, model_share, unstable, n_runs, ci_note``.
    predicted : pandas.DataFrame
        ``model, topic, label``, the covariate values, ``share, ci_low,
        ci_high, unstable, ci_note``.
    """

    predicted: pd.DataFrame = field(default_factory=pd.DataFrame)
    _title = "Covariate effects on topic weight (OLS on document shares)"

    def _lines(self, n: int) -> list[str]:
        lines = [f"  documents used: {self.counts.get('n_docs_used')} of {self.counts.get('n_docs')}; "
                 f"smallest cell: {self.counts.get('smallest_cell')}"]
        for r in self.table[self.table["term"] != "Intercept"].head(n * 2).itertuples():
            lines.append(f"  {r.model} topic {r.topic} {r.label!s:.25} | {r.term}: "
                         f"{_interval(r._asdict(), 'estimate')} p={_fmt(r.p_value)}")
        return lines
