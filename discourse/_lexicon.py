"""Word lexicons of the tokenizer: stop words and lemmas (simplemma's English dictionary).

References
----------
Barbaresi, A. (2023). simplemma: a simple multilingual lemmatizer for Python.
https://github.com/adbar/simplemma
"""

from __future__ import annotations

from functools import lru_cache

from ._names import _data_text

__all__ = ["default_stopwords"]


def default_stopwords() -> frozenset[str]:
    """scikit-learn's English stop words plus the shipped domain list.

    scikit-learn's ``ENGLISH_STOP_WORDS`` are read from the copy in
    ``discourse/data/stopwords_english.txt`` (the tests check it equals the
    installed list), so tokenising does not import scikit-learn.

    Examples
    --------
    >>> sw = default_stopwords()
    >>> "the" in sw, "said" in sw, "security" in sw
    (True, True, False)
    """

    def words(name: str) -> frozenset[str]:
        return frozenset(w.strip().lower() for w in _data_text(name).splitlines() if w.strip() and not w.startswith("#"))

    return words("stopwords_english.txt") | words("stopwords_domain.txt")


@lru_cache(maxsize=1)
def _english_forms():
    """simplemma's English form -> lemma dictionary (the object its ``lemmatize`` looks words up in)."""
    from simplemma.strategies.dictionaries import dictionary_factory

    factory = getattr(dictionary_factory, "DEFAULT_DICTIONARY_FACTORY", None)
    if factory is None:  # simplemma before 2.0
        factory = dictionary_factory.DefaultDictionaryFactory()
    return factory.get_dictionary("en")


@lru_cache(maxsize=1 << 18)
def _lemma(word: str) -> str:
    """``simplemma.lemmatize(word, lang="en")``, lowercase.

    For English, simplemma's first step for a non-numeric NFC token is a
    lookup of the token itself in its dictionary; an ASCII token (always NFC)
    found there is answered by that lookup directly, without simplemma's
    per-call normalisation and strategy dispatch.  Every other token goes
    through ``simplemma.lemmatize``.  Both give the same lemma
    (``tests/test_tokenize.py``).
    """
    if word.isascii() and not word.isnumeric():
        hit = _english_forms().get(word)
        if hit is not None:
            return hit.lower()
    import simplemma

    # simplemma restores capitals of proper nouns ("kabul" -> "Kabul"): tokens stay lowercase
    return simplemma.lemmatize(word, lang="en").lower()
