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


@lru_cache(maxsize=1)
def _english_rules():
    """simplemma's English suffix rules (``RULE_FUNCTIONS["en"]``), or None if this simplemma has none."""
    try:
        from simplemma.strategies.defaultrules import RULE_FUNCTIONS
    except ImportError:
        return None
    return RULE_FUNCTIONS.get("en")


@lru_cache(maxsize=1 << 18)
def _lemma(word: str) -> str:
    """``simplemma.lemmatize(word, lang="en")``, lowercase.

    For an English ASCII word, simplemma's steps are fixed: a lookup of the
    word in its dictionary, then (the word holding no apostrophe, hyphen or
    underscore: the clitic, hyphen, prefix, affix and morpheme steps do not
    apply to English or to such a word) a lookup with the first letter's case
    flipped, its English suffix rules, and the word itself.  Those steps are
    taken here directly, without simplemma's per-call normalisation and
    dispatch; every other word goes through ``simplemma.lemmatize``.  Both
    give the same lemma (``tests/test_tokenize.py`` compares them on tens of
    thousands of words, in and out of the dictionary).
    """
    if word.isascii() and not word.isnumeric():
        forms = _english_forms()
        hit = forms.get(word)
        if hit is not None:
            return hit.lower()
        rules = _english_rules()
        if word.isalpha() and rules is not None:
            hit = forms.get(word.lower() if word[:1].isupper() else word.capitalize())
            if hit is None:
                hit = rules(word)
            return (word if hit is None else hit).lower()
    import simplemma

    # simplemma restores capitals of proper nouns ("kabul" -> "Kabul"): tokens stay lowercase
    return simplemma.lemmatize(word, lang="en").lower()
