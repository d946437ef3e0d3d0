"""Tokenisation with no run-time downloads: aliases, words, stop words, lemmas, phrases.

For each text a :class:`Tokenizer`:

1. maps name variants to one token with the alias table (a CSV users can
   extend; longest variant first; acronyms matched case-sensitively on the
   text as written, so "ISI" -> ``isi`` while the word "is" is untouched;
   other variants matched on the lowercased text);
2. finds words in the lowercased text with one regular expression, in the
   manner of NLTK's ``RegexpTokenizer`` (letters, with inner apostrophes and
   underscores; numbers and punctuation are dropped).  A regular expression
   rather than ``NLTKWordTokenizer``: the Treebank rules split off
   punctuation that is dropped here anyway;
3. drops possessive/contraction endings ("Pakistan's" -> ``pakistan``);
4. drops stop words: scikit-learn's ``ENGLISH_STOP_WORDS`` (the Glasgow
   Information Retrieval Group's list; a copy in ``discourse/data``) plus a small domain list
   (``discourse/data/stopwords_domain.txt``), before and after lemmatising;
5. lemmatises with ``simplemma`` (ships its dictionaries; cached), except
   names: a capitalised word inside a sentence ("bin Laden", "Davos"), a
   capitalised word opening a sentence or in a title-case line that the
   lemmatiser's dictionary does not know, and the known names of
   ``discourse/data/names.txt`` keep their form (lower-cased; a plural "s"
   still goes: "Afghans" -> ``afghan``), so "Laden" stays ``laden`` rather
   than becoming ``lade``;
6. drops tokens shorter than ``min_length``;
7. joins learnt multi-word phrases, scored as gensim's ``Phrases`` scores
   them (learnt in :meth:`Tokenizer.fit`), e.g. ``security_cooperation``.

Steps 2-6 give the *words* (:meth:`Tokenizer.words`); step 7 gives the
*tokens* (:meth:`Tokenizer.tokenize`).

References
----------
Mikolov, T., Sutskever, I., Chen, K., Corrado, G., & Dean, J. (2013).
Distributed representations of words and phrases and their compositionality.
*NIPS 26*, 3111-3119.  (Phrase scoring, gensim ``scoring="default"``.)
Bouma, G. (2009). Normalized (pointwise) mutual information in collocation
extraction. *Proceedings of GSCL*, 31-40.  (``scoring="npmi"``.)
Barbaresi, A. (2023). simplemma: a simple multilingual lemmatizer for Python.
https://github.com/adbar/simplemma
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

from ._aliases import AliasMatcher, load_aliases
from ._lexicon import _lemma, default_stopwords
from ._names import Openers, _in_dictionary, default_names
from .errors import NotFittedError, ParameterError, check_param

__all__ = ["Tokenizer", "load_aliases", "default_stopwords", "default_names"]

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W\d_]+(?:['_][^\W\d_]+)*")
# the same words with the text between them: split gives [gap, word, gap, word, ..., gap] in one pass
_WORD_SPLIT = re.compile("(" + _WORD.pattern + ")")
# the same on ASCII text, where the letters ([^\W\d_]) are [A-Za-z]: a plain character set, faster in re
_WORD_SPLIT_ASCII = re.compile(r"([A-Za-z]+(?:['_][A-Za-z]+)*)")
_CONTRACTIONS = frozenset({"s", "re", "ve", "ll", "d", "m", "t"})
_SCORINGS = ("default", "npmi")


class Tokenizer:
    """Turn texts into lists of tokens (aliases, words, stop words, lemmas, phrases).

    A scikit-learn style estimator: ``__init__`` only stores its parameters;
    :meth:`fit` checks them, reads the alias table and stop words, and learns
    phrases with gensim's ``Phrases``.

    Parameters
    ----------
    aliases : path, mapping, None or False, keyword-only
        Alias table (see :func:`load_aliases`); ``None`` = the shipped table,
        ``False`` = no aliases.
    extra_aliases : mapping, optional, keyword-only
        More ``{variant: canonical}`` pairs, added to ``aliases``.
    stopwords : iterable of str or None, keyword-only
        Stop words; ``None`` = :func:`default_stopwords`.
    extra_stopwords : iterable of str, keyword-only
        Added to ``stopwords``.
    lemmatize : bool, keyword-only
        Lemmatise with simplemma.
    names : bool, keyword-only
        Keep names unlemmatised: capitalised words inside a sentence,
        capitalised sentence openers the lemmatiser's dictionary does not
        know, and :func:`default_names`.
    min_length : int, keyword-only
        Shortest token kept (characters).
    phrases : bool, keyword-only
        Learn and join multi-word phrases.
    phrase_min_count : int, keyword-only
        Gensim ``Phrases(min_count=...)``: fewest occurrences of a phrase.
    phrase_threshold : float, keyword-only
        Gensim ``Phrases(threshold=...)``; for ``"npmi"`` in (-1, 1].
    phrase_scoring : {"npmi", "default"}, keyword-only
        Gensim ``Phrases(scoring=...)``: normalised PMI (Bouma 2009) or
        Mikolov et al. (2013).

    Attributes
    ----------
    aliases_ : dict
        ``{variant: canonical}`` in use.
    stopwords_ : frozenset
        Stop words in use.
    phrases_ : dict
        Learnt phrases ``{"word_word": score}`` (what gensim's ``Phrases``
        exports, see :mod:`discourse._phrases`; empty when ``phrases=False``).
    n_texts_ : int
        Texts seen by :meth:`fit`.

    Examples
    --------
    >>> tok = Tokenizer(phrases=False).fit([])
    >>> tok.tokenize("Pakistan's ISI and the NDS signed it; Tehrik-e-Taliban Pakistan is active on the Durand Line.")
    ['pakistan', 'isi', 'nds', 'sign', 'ttp', 'active', 'durand_line']
    """

    def __init__(
        self,
        *,
        aliases: Union[str, Path, Mapping[str, str], None, bool] = None,
        extra_aliases: Optional[Mapping[str, str]] = None,
        stopwords: Optional[Iterable[str]] = None,
        extra_stopwords: Iterable[str] = (),
        lemmatize: bool = True,
        names: bool = True,
        min_length: int = 2,
        phrases: bool = True,
        phrase_min_count: int = 3,
        phrase_threshold: float = 0.4,
        phrase_scoring: str = "npmi",
    ) -> None:
        self.aliases = aliases
        self.extra_aliases = extra_aliases
        self.stopwords = stopwords
        self.extra_stopwords = extra_stopwords
        self.lemmatize = lemmatize
        self.names = names
        self.min_length = min_length
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.phrase_scoring = phrase_scoring

    # ------------------------------------------------------------- params
    _PARAMS = (
        "aliases",
        "extra_aliases",
        "stopwords",
        "extra_stopwords",
        "lemmatize",
        "names",
        "min_length",
        "phrases",
        "phrase_min_count",
        "phrase_threshold",
        "phrase_scoring",
    )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters by name (scikit-learn convention)."""
        return {k: getattr(self, k) for k in self._PARAMS}

    def set_params(self, **params: Any) -> "Tokenizer":
        """Set parameters (scikit-learn convention); refit afterwards."""
        for k, v in params.items():
            if k not in self._PARAMS:
                raise ParameterError(f"{k}: not a Tokenizer parameter; parameters are {list(self._PARAMS)}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        defaults = Tokenizer()
        changed = {k: v for k, v in self.get_params().items() if v != getattr(defaults, k)}
        return "Tokenizer(" + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")"

    def _check_params(self) -> None:
        check_param("min_length", self.min_length, "an integer >= 1", isinstance(self.min_length, int) and self.min_length >= 1)
        check_param("lemmatize", self.lemmatize, "True or False", isinstance(self.lemmatize, bool))
        check_param("names", self.names, "True or False", isinstance(self.names, bool))
        check_param("phrases", self.phrases, "True or False", isinstance(self.phrases, bool))
        check_param(
            "phrase_min_count", self.phrase_min_count, "an integer >= 1", isinstance(self.phrase_min_count, int) and self.phrase_min_count >= 1
        )
        check_param("phrase_scoring", self.phrase_scoring, f"one of {_SCORINGS}", self.phrase_scoring in _SCORINGS)
        ok = isinstance(self.phrase_threshold, (int, float)) and not isinstance(self.phrase_threshold, bool)
        if ok and self.phrase_scoring == "npmi":
            ok = -1 < self.phrase_threshold <= 1
        elif ok:
            ok = self.phrase_threshold > 0
        check_param(
            "phrase_threshold",
            self.phrase_threshold,
            "a number in (-1, 1] for npmi scoring, > 0 for default scoring",
            ok,
        )
        check_param(
            "aliases",
            self.aliases,
            "a CSV path, a mapping, None (shipped table) or False (none)",
            self.aliases is None or self.aliases is False or isinstance(self.aliases, (str, Path, Mapping)),
        )
        check_param("extra_aliases", self.extra_aliases, "a mapping or None", self.extra_aliases is None or isinstance(self.extra_aliases, Mapping))
        for name in ("stopwords", "extra_stopwords"):
            v = getattr(self, name)
            check_param(name, v, "an iterable of strings" + (" or None" if name == "stopwords" else ""),
                        (v is None and name == "stopwords") or (not isinstance(v, (str, bytes)) and hasattr(v, "__iter__")))

    # -------------------------------------------------------------- setup
    def _setup(self) -> None:
        """Check parameters; build the alias matcher and stop words."""
        self._check_params()
        if self.aliases is False:
            table: dict[str, str] = {}
        else:
            table = load_aliases(None if self.aliases is True else self.aliases)
        if self.extra_aliases:
            table.update(load_aliases(self.extra_aliases))
        sw = default_stopwords() if self.stopwords is None else frozenset(str(w).lower() for w in self.stopwords)
        sw = sw | frozenset(str(w).lower() for w in self.extra_stopwords)
        self.aliases_ = dict(sorted(table.items()))
        self.stopwords_ = sw
        self._compile()
        self.phrases_, self._pairs = {}, {}

    def _compile(self) -> None:
        table = self.aliases_
        self._matcher = AliasMatcher(table) if table else None
        self._canonicals = frozenset(self._matcher.canon.values()) if self._matcher else frozenset()
        self._names = default_names() if getattr(self, "names", True) else frozenset()
        self._cache: dict[str, str] = {}
        self._cache_context: Optional[bool] = None

    def _fitted(self) -> None:
        if not hasattr(self, "stopwords_"):
            raise NotFittedError("this Tokenizer is not fitted yet; call fit(texts) first (fit([]) if you need no phrases)")

    # ------------------------------------------------------------ words
    def apply_aliases(self, text: str) -> str:
        """``text`` lowercased, with every alias variant replaced by its canonical token.

        Acronyms (variants written in capitals) are matched as written, other
        variants in any case; a name followed by its own acronym in brackets
        counts once: "National Directorate of Security (NDS)" -> ``nds``.

        Examples
        --------
        >>> Tokenizer().fit([]).apply_aliases("The National Directorate of Security (NDS), ISI and what is it?")
        'the nds, isi and what is it?'
        """
        return self._aliased(text).lower()

    def _aliased(self, text: str) -> str:
        """``text`` with every alias variant replaced by its (lower-case) canonical token, other letters as written."""
        self._fitted()
        return text if self._matcher is None else self._matcher(text)

    def _norm_word(self, tok: str, *, name: bool = False) -> Optional[str]:
        """The token of one word (lower case), or None; ``name`` keeps it unlemmatised."""
        if not tok.replace("'", "").replace("_", "").isalpha():
            # \w also matches numeric symbols such as superscripts ("a\u00b2"): keep letters only
            tok = "".join(ch for ch in tok if ch.isalpha() or ch in "'_").strip("'_")
        if "'" in tok:
            if tok.endswith("n't"):
                return None
            base, _, suffix = tok.partition("'")
            if suffix in _CONTRACTIONS:
                tok = base
        sw = self.stopwords_
        if tok in sw or len(tok) < self.min_length:
            return None
        if tok in self._canonicals or "_" in tok or tok in self._names:
            return tok
        if name:
            # a name keeps its form; only a plural "s" goes ("Afghans" -> afghan), as for any noun
            lemma = _lemma(tok) if self.lemmatize else tok
            return lemma if lemma + "s" == tok or lemma + "es" == tok else tok
        if self.lemmatize:
            tok = _lemma(tok)
            if tok in sw or len(tok) < self.min_length:
                return None
        return tok

    def words(self, text: str) -> List[str]:
        """Tokens before phrase joining (aliases, words, stop words, lemmas).

        Examples
        --------
        >>> Tokenizer().fit([]).words("The agencies' talks were held in Islamabad.")
        ['agency', 'talk', 'hold', 'islamabad']
        """
        text = self._aliased(text)
        if "\u2019" in text:
            text = text.replace("\u2019", "'")
        parts = (_WORD_SPLIT_ASCII if text.isascii() else _WORD_SPLIT).split(text)
        toks = parts[1::2]
        context = self.names and self.lemmatize
        if context is not self._cache_context:
            self._cache.clear()
            self._cache_context = context
        # One lookup per token, in C: a word whose token does not depend on where it stands maps
        # to that token ("" when it is dropped); new words and capitalised words whose token
        # depends on their place in the sentence come back None and are filled in one by one.
        vals = list(map(self._cache.get, toks))
        if None in vals:
            self._fill(vals, toks, parts, context)
        return list(filter(None, vals))

    def _fill(self, vals: list, toks: Sequence[str], parts: Sequence[str], context: bool) -> None:
        """Replace each None of ``vals`` by the token of ``toks[i]`` (``""`` when dropped), caching it."""
        cache = self._cache
        openers = Openers(toks, parts[0::2]) if context else None
        i = -1
        try:
            while True:
                i = vals.index(None, i + 1)
                tok = toks[i]
                if openers is not None and tok[:1].isupper() and not tok.isupper():
                    # a capitalised word is a name inside a sentence; opening one (or in a title), only if no dictionary word
                    key = tok + ("\x01" if openers.opens(i) else "\x02")
                    w = cache.get(key)
                    if w is None:
                        low = tok.lower()
                        as_name = self._norm_word(low, name=True) or ""
                        as_word = self._norm_word(low, name=False) or ""
                        if as_name == as_word:
                            # the same token wherever it stands: later lookups find it by the word alone
                            key = tok
                        w = as_name if key.endswith("\x02") or (key.endswith("\x01") and not _in_dictionary(low.split("'")[0])) else as_word
                        self._store(key, w)
                else:
                    w = cache.get(tok)
                    if w is None:
                        w = self._norm_word(tok.lower()) or ""
                        self._store(tok, w)
                vals[i] = w
        except ValueError:  # no None left
            pass

    def _store(self, key: str, w: str) -> None:
        cache = self._cache
        if len(cache) > 500_000:
            cache.clear()
        cache[key] = w

    def apply_phrases(self, words: Sequence[str]) -> List[str]:
        """Join learnt phrases in a word list, greedily left to right.

        Gives the same result as gensim's ``FrozenPhrases[words]`` with no
        connector words.
        """
        self._fitted()
        pairs = self._pairs
        if not pairs or len(words) < 2:
            return list(words)
        out: list[str] = []
        append = out.append
        i, n = 0, len(words)
        get = pairs.get
        while i < n - 1:
            joined = get((words[i], words[i + 1]))
            if joined is None:
                append(words[i])
                i += 1
            else:
                append(joined)
                i += 2
        if i == n - 1:
            append(words[i])
        return out

    def tokenize(self, text: str, *, phrases: bool = True) -> List[str]:
        """Tokens of ``text``; ``phrases=False`` gives :meth:`words`.

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        w = self.words(text)
        return self.apply_phrases(w) if phrases else w

    # -------------------------------------------------------------- fit
    def fit(self, texts: Iterable[str]) -> "Tokenizer":
        """Read aliases and stop words; learn phrases from ``texts``.

        Parameters
        ----------
        texts : iterable of str
            The texts (e.g. passages) phrases are learnt from; streamed once.

        Returns
        -------
        Tokenizer
            ``self``.
        """
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Iterable[str]) -> List[List[str]]:
        """Fit on ``texts`` and return their tokens (each text tokenised once)."""
        self._setup()
        word_lists = [self.words(t) for t in texts]
        self._learn_phrases(word_lists)
        self.n_texts_ = len(word_lists)
        return [self.apply_phrases(w) for w in word_lists]

    def fit_words(self, word_lists: Sequence[Sequence[str]]) -> "Tokenizer":
        """Learn phrases from word lists already made by :meth:`words` (after :meth:`setup`).

        Returns
        -------
        Tokenizer
            ``self``.
        """
        self._fitted()
        self._learn_phrases(word_lists)
        self.n_texts_ = len(word_lists)
        return self

    def setup(self) -> "Tokenizer":
        """Check parameters and read aliases and stop words, without learning phrases.

        After ``setup`` :meth:`words` works; :meth:`fit_words` then learns
        phrases from its output.  ``fit`` does both.
        """
        self._setup()
        return self

    def fit_phrase_counts(self, counts: Any, n_texts: int) -> "Tokenizer":
        """Learn phrases from the unigram and bigram counts of ``n_texts`` word lists (after :meth:`setup`).

        ``counts`` is a :class:`discourse._phrases.PhraseCounts`; counts of
        parts of a corpus add up, so this learns from partitions' merged
        counts what :meth:`fit_words` learns from the whole corpus' words.

        Returns
        -------
        Tokenizer
            ``self``.
        """
        self._fitted()
        found: dict = {}
        if self.phrases:
            from ._phrases import score_phrases

            found = score_phrases(counts, min_count=self.phrase_min_count, threshold=float(self.phrase_threshold),
                                  scoring=self.phrase_scoring)
        self._set_phrases(found)
        self.n_texts_ = int(n_texts)
        return self

    def _learn_phrases(self, word_lists: Sequence[Sequence[str]]) -> None:
        found: dict = {}
        if self.phrases:
            from ._phrases import learn_phrases

            found = learn_phrases(word_lists, min_count=self.phrase_min_count, threshold=float(self.phrase_threshold),
                                  scoring=self.phrase_scoring)
        self._set_phrases(found)

    def _set_phrases(self, found: Mapping[tuple[str, str], float]) -> None:
        self.phrases_, self._pairs = {}, {}
        for (a, b), score in sorted(found.items(), key=lambda kv: f"{kv[0][0]} {kv[0][1]}"):
            joined = f"{a}_{b}"
            self.phrases_[joined] = float(score)
            self._pairs[(a, b)] = joined

    # ----------------------------------------------------------- state I/O
    def state(self) -> dict[str, Any]:
        """The learnt state as JSON-friendly values (for :meth:`from_state`)."""
        self._fitted()
        return {
            "aliases_": dict(self.aliases_),
            "stopwords_": sorted(self.stopwords_),
            "phrases_": [[a, b, joined, self.phrases_[joined]] for (a, b), joined in sorted(self._pairs.items())],
            "n_texts_": getattr(self, "n_texts_", 0),
        }

    @classmethod
    def from_state(cls, params: Mapping[str, Any], state: Mapping[str, Any]) -> "Tokenizer":
        """Rebuild a fitted tokenizer from :meth:`get_params` and :meth:`state` output."""
        tok = cls(**{k: v for k, v in params.items() if k in cls._PARAMS})
        tok.aliases_ = dict(state["aliases_"])
        tok.stopwords_ = frozenset(state["stopwords_"])
        tok.n_texts_ = int(state.get("n_texts_", 0))
        tok._compile()
        tok.phrases_ = {joined: float(score) for _a, _b, joined, score in state["phrases_"]}
        tok._pairs = {(a, b): joined for a, b, joined, _s in state["phrases_"]}
        return tok
