"""Tokenizer: aliases, stop words, lemmas, phrases (gensim), estimator contract."""

from __future__ import annotations

import pytest

from discourse.clean import Cleaner
from discourse.errors import InputError, NotFittedError, ParameterError
from discourse.passages import split_passages
from discourse.tokenize import Tokenizer, default_stopwords, load_aliases


@pytest.fixture(scope="module")
def tok():
    return Tokenizer(phrases=False).fit([])


@pytest.fixture(scope="module")
def seed_passages(seeds):
    cl = Cleaner()
    return [p.text for d in seeds for p in split_passages(cl(d.text), d.id)]


@pytest.fixture(scope="module")
def fitted(seed_passages):
    return Tokenizer().fit(seed_passages)


# ------------------------------------------------------------------- aliases

ALIASES = {
    "ttp": ["Tehrik-i-Taliban Pakistan", "Tehrik-e-Taliban Pakistan", "Tehreek-e-Taliban Pakistan", "TTP", "tehrik-e-taliban pakistan"],
    "isi": ["Inter-Services Intelligence", "Inter-Service Intelligence", "Inter Services Intelligence", "ISI"],
    "nds": ["National Directorate of Security", "NDS"],
    "iskp": ["Islamic State Khorasan Province", "IS-K", "ISIS-K", "ISKP"],
    "durand_line": ["Durand Line", "durand line", "Durand\nLine"],
    "amrullah_saleh": ["Amarullah Saleh", "Amrullah Saleh"],
    "pti": ["Pakistan Tehreek-e-Insaf", "Tehreek-e-Insaf", "PTI"],
    "united_states": ["United States", "U.S.", "US", "USA"],
}


@pytest.mark.parametrize("canonical", sorted(ALIASES))
def test_aliases_map_variants_to_one_token(tok, canonical):
    for variant in ALIASES[canonical]:
        assert tok.words(f"Officials said {variant} attacked.") == ["official", canonical, "attack"], variant


def test_acronyms_are_case_sensitive(tok):
    # "is", "us", "Us" are not the acronyms ISI / US
    assert tok.apply_aliases("what is it, is it us? Us? ISIS") == "what is it, is it us? us? isis"
    assert tok.words("US troops, said us; Us and the ISI, what is it") == ["united_states", "troop", "isi"]
    nato = Tokenizer(aliases=False, extra_aliases={"NATO": "nato_alliance"}, phrases=False).fit([])
    assert nato.words("NATO nato Nato") == ["nato_alliance", "nato", "nato"]
    assert tok.words("ISI-trained groups; the ISI's role") == ["isi", "train", "group", "isi", "role"]
    assert tok.words("THISISI XISI ISIx") == ["thisisi", "xisi", "isix"]


def test_longest_variant_wins_and_duplicate_acronym_collapses(tok):
    assert tok.apply_aliases("Tehrik-e-Taliban Pakistan (TTP) and Tehrik-e-Taliban") == "ttp and ttp"
    assert tok.apply_aliases("Islamic State Khorasan Province (ISKP)") == "iskp"


def test_alias_table_is_extendable(tmp_path):
    csv = tmp_path / "aliases.csv"
    csv.write_text("# my table\nvariant,canonical\nPak-Afghan,pak_afghan\nGHQ,ghq\n", encoding="utf-8")
    t = Tokenizer(aliases=csv, phrases=False).fit([])
    assert t.words("Pak-Afghan talks at GHQ; the ISI") == ["pak_afghan", "talk", "ghq", "isi"]
    assert t.aliases_ == {"GHQ": "ghq", "Pak-Afghan": "pak_afghan"}
    t2 = Tokenizer(extra_aliases={"Pak-Afghan": "pak_afghan"}, phrases=False).fit([])
    assert t2.words("Pak-Afghan ties and the ISI") == ["pak_afghan", "tie", "isi"]
    t3 = Tokenizer(aliases=False, phrases=False).fit([])
    assert t3.words("the ISI and the TTP") == ["isi", "ttp"] and t3.aliases_ == {}
    assert t3.words("Durand Line") == ["durand", "line"]


def test_bad_alias_tables(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,token\nISI,isi\n", encoding="utf-8")
    with pytest.raises(InputError, match="variant,canonical"):
        Tokenizer(aliases=bad).fit([])
    with pytest.raises(InputError, match="cannot be read"):
        Tokenizer(aliases=tmp_path / "missing.csv").fit([])
    with pytest.raises(InputError, match="canonical token"):
        load_aliases({"ISI": "the isi"})


def test_shipped_alias_table():
    table = load_aliases()
    assert table["Inter-Service Intelligence"] == "isi" and table["ISIS-K"] == "iskp"
    assert len(table) >= 30


# --------------------------------------------------- words, stop words, lemmas


def test_words_pipeline(tok):
    text = "The agencies' talks were held in Islamabad on 18 May 2015; Pakistan's officials won't comment - it's 2.0!"
    assert tok.words(text) == ["agency", "talk", "hold", "islamabad", "pakistan", "official", "comment"]


def test_stopwords_are_sklearn_plus_domain():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    sw = default_stopwords()
    assert ENGLISH_STOP_WORDS <= sw
    assert {"said", "according", "mr"} <= sw
    assert "security" not in sw and "taliban" not in sw
    t = Tokenizer(stopwords=["security"], extra_stopwords=["kabul"], phrases=False).fit([])
    assert t.words("the security of Kabul") == ["the", "of"]  # an own list replaces the default one
    assert "the" not in Tokenizer(phrases=False).fit([]).words("the security of Kabul")


def test_shipped_english_stop_words_equal_scikit_learns():
    from importlib import resources

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    text = resources.files("discourse.data").joinpath("stopwords_english.txt").read_text(encoding="utf-8")
    assert frozenset(w for w in text.splitlines() if w and not w.startswith("#")) == ENGLISH_STOP_WORDS


def test_tokenising_imports_neither_scikit_learn_nor_gensim():
    import subprocess
    import sys

    code = ("import sys, discourse; t = discourse.Tokenizer().fit(['Security talks in Kabul.'] * 4); "
            "print(sorted(m for m in ('sklearn', 'gensim') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_min_length_and_no_lemmas():
    t = Tokenizer(min_length=5, lemmatize=False, phrases=False).fit([])
    assert t.words("Afghan agencies met in Kabul") == ["afghan", "agencies", "kabul"]


def test_lowercase_letters_only(tok, seed_passages):
    for text in seed_passages:
        for w in tok.words(text):
            assert w == w.lower() and len(w) >= 2
            assert w.replace("_", "").isalpha()


# --------------------------------------------------------------------- phrases


def test_phrases_learnt_on_seeds(fitted):
    for phrase in ("security_cooperation", "safe_haven", "afghan_taliban", "peace_process", "cross_border"):
        assert phrase in fitted.phrases_, phrase
    assert all(-1 < s <= 1 for s in fitted.phrases_.values())  # npmi
    assert fitted.tokenize("Deepening security cooperation along the Durand Line") == ["deepen", "security_cooperation", "durand_line"]
    # joined greedily left to right, as gensim does: "expand security" is itself a phrase here
    assert fitted.tokenize("expand security cooperation") == ["expand_security", "cooperation"]
    assert fitted.tokenize("security cooperation", phrases=False) == ["security", "cooperation"]
    assert fitted.n_texts_ == 75


def test_phrases_match_gensim_frozen_phrases(fitted, seed_passages):
    from gensim.models.phrases import Phrases

    words = [fitted.words(t) for t in seed_passages]
    model = Phrases(words, min_count=fitted.phrase_min_count, threshold=fitted.phrase_threshold, scoring="npmi", delimiter="_")
    frozen = model.freeze()
    assert set(frozen.phrasegrams) == set(fitted.phrases_)
    for w in words:
        assert fitted.apply_phrases(w) == frozen[w]


def test_fit_is_deterministic(seed_passages, fitted):
    again = Tokenizer().fit(list(seed_passages))
    assert again.phrases_ == fitted.phrases_
    assert [again.tokenize(t) for t in seed_passages] == [fitted.tokenize(t) for t in seed_passages]


def test_fit_transform_equals_fit_then_tokenize(seed_passages, fitted):
    assert Tokenizer().fit_transform(seed_passages) == [fitted.tokenize(t) for t in seed_passages]


def test_no_phrases():
    t = Tokenizer(phrases=False).fit(["security cooperation"] * 10)
    assert t.phrases_ == {} and t.tokenize("security cooperation") == ["security", "cooperation"]


def test_state_round_trip(fitted, seed_passages):
    import json

    state = json.loads(json.dumps(fitted.state()))
    params = {k: v for k, v in fitted.get_params().items()}
    back = Tokenizer.from_state(params, state)
    assert back.phrases_ == fitted.phrases_ and back.aliases_ == fitted.aliases_ and back.stopwords_ == fitted.stopwords_
    assert [back.tokenize(t) for t in seed_passages] == [fitted.tokenize(t) for t in seed_passages]


# ----------------------------------------------------------- estimator contract


def test_init_only_stores_params():
    t = Tokenizer(min_length=0, phrase_scoring="nope")  # invalid, but not checked until fit
    assert t.min_length == 0 and not hasattr(t, "phrases_")
    with pytest.raises(TypeError):
        Tokenizer(True)  # type: ignore[misc]


def test_unfitted_raises():
    t = Tokenizer()
    for call in (lambda: t.tokenize("x"), lambda: t.words("x"), lambda: t.apply_aliases("x"), t.state):
        with pytest.raises(NotFittedError, match="fit"):
            call()


@pytest.mark.parametrize(
    "param, value",
    [
        ("min_length", 0),
        ("phrase_min_count", 0),
        ("phrase_threshold", 2.0),
        ("phrase_scoring", "pmi"),
        ("lemmatize", "yes"),
        ("stopwords", "the"),
        ("aliases", 3),
    ],
)
def test_bad_params_name_the_param(param, value):
    with pytest.raises(ParameterError, match=param):
        Tokenizer(**{param: value}).fit([])


def test_get_set_params():
    t = Tokenizer()
    assert t.get_params()["phrase_scoring"] == "npmi"
    t.set_params(min_length=3)
    assert t.min_length == 3
    with pytest.raises(ParameterError, match="nope"):
        t.set_params(nope=1)
    assert "min_length=3" in repr(t)


# --------------------------------------------------------------------- names


NEWS_NAMES = ["bin Laden", "Hamid Karzai", "Imran Khan", "Sharif", "Davos", "Kabul", "Haqqani", "Abbottabad",
              "Bajwa"]


@pytest.mark.parametrize("aliases", [None, False])
@pytest.mark.parametrize("name", NEWS_NAMES)
def test_names_from_news_survive_lemmatising(name, aliases):
    tok = Tokenizer(phrases=False, aliases=aliases).fit([])
    parts = [p.lower() for p in name.split()]
    expected = ["_".join(parts)] if tok.aliases_.get(name) == "_".join(parts) else parts
    inside = tok.words(f"Officials said {name} was discussed in talks.")
    assert inside[1:1 + len(expected)] == expected, inside
    if name.split()[0][0].isupper():  # opening a sentence: a name unknown to the dictionary or a known name stays
        opening = tok.words(f"The talks ended. {name} was discussed.")
        assert opening[2:2 + len(expected)] == expected, opening


def test_names_keep_their_form_but_plurals_and_titles_are_still_lemmatised():
    tok = Tokenizer(phrases=False, aliases=False).fit([])
    assert tok.words("Many Afghans attended.") == ["afghan", "attend"]
    assert tok.words("He met Laden there. Laden with cargo, trucks left.")[:2] == ["meet", "laden"]
    assert "lade" not in tok.words("Osama bin Laden. bin Laden's network. LADEN")
    # a title-case line says nothing about names: its dictionary words are lemmatised
    assert tok.words("Kabul-Islamabad Expanding Security Cooperation\nText follows.")[:3] == ["kabul", "islamabad", "expand"]
    assert Tokenizer(phrases=False, names=False).fit([]).words("He met Laden there.") == ["meet", "lade"]
    with pytest.raises(ParameterError, match="names"):
        Tokenizer(names="yes").fit([])


# ------------------------------------------------- fast paths equal the reference


@pytest.fixture(scope="module")
def lee_words():
    from gensim.test.utils import datapath

    tok = Tokenizer(phrases=False).fit([])
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        return [tok.words(line) for line in fh if line.strip()]


@pytest.mark.parametrize("scoring,threshold,min_count", [("npmi", 0.4, 3), ("npmi", -0.5, 1), ("default", 10.0, 5), ("default", 0.5, 2)])
def test_learn_phrases_equals_gensim_export(lee_words, scoring, threshold, min_count):
    from gensim.models.phrases import Phrases

    from discourse._phrases import learn_phrases

    model = Phrases(lee_words, min_count=min_count, threshold=threshold, scoring=scoring, delimiter=" ", connector_words=frozenset())
    expected = {tuple(k.split(" ")): v for k, v in model.export_phrases().items()}
    assert expected
    assert learn_phrases(lee_words, min_count=min_count, threshold=threshold, scoring=scoring) == expected


def _openers_reference(text, matches):
    """Sentence openers and title-case lines, one match at a time (the definition)."""
    out = [False] * len(matches)
    line, prev_end = [], 0

    def close(idx):
        long = [matches[j].group(0) for j in idx if len(matches[j].group(0)) > 3]
        if len(long) >= 2 and all((w[:1].isupper() and not w.isupper()) or w.isupper() for w in long):
            for j in idx:
                out[j] = True

    for i, m in enumerate(matches):
        gap = text[prev_end:m.start()]
        if "\n" in gap:
            close(line)
            line = []
        out[i] = i == 0 or any(ch in gap for ch in ".!?\n")
        line.append(i)
        prev_end = m.end()
    close(line)
    return out


def test_openers_equal_reference(seed_passages):
    from gensim.test.utils import datapath

    from discourse._names import Openers
    from discourse.tokenize import _WORD

    texts = list(seed_passages) + [
        "", "...", "Kabul-Islamabad Expanding Security Cooperation\nThe talks began. Karzai said",
        "ISI AND NDS MEET\nA b. C d? E! f\n\nNew Line Here Again\nlower case line here",
        "\u01c5ungla Title Word\nDžungla words", "x.\n\nY",
    ]
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        texts += [line for line in fh][:60]
    for text in texts:
        words = _WORD.findall(text)
        openers = Openers(words, _WORD.split(text))
        # asked in an arbitrary order, as the tokenizer asks only about some words
        got = {i: openers.opens(i) for i in sorted(range(len(words)), key=lambda i: (i * 7919) % (len(words) or 1))}
        assert [got[i] for i in range(len(words))] == _openers_reference(text, list(_WORD.finditer(text))), text[:60]


def _words_reference(tok, text):
    """The words of ``text`` one token at a time, with no cache (the definition :meth:`Tokenizer.words` follows)."""
    from discourse._names import _in_dictionary
    from discourse.tokenize import _WORD

    text = tok._aliased(text).replace("\u2019", "'")
    matches = list(_WORD.finditer(text))
    openers = _openers_reference(text, matches)
    out = []
    for i, m in enumerate(matches):
        w = m.group(0)
        name = False
        if tok.names and tok.lemmatize and w[:1].isupper() and not w.isupper():
            name = not openers[i] or not _in_dictionary(w.lower().split("'")[0])
        t = tok._norm_word(w.lower(), name=name)
        if t is not None:
            out.append(t)
    return out


@pytest.mark.parametrize("params", [{}, {"names": False}, {"lemmatize": False}, {"aliases": False}])
def test_words_equal_uncached_reference(seed_passages, params):
    from gensim.test.utils import datapath

    texts = list(seed_passages) + [
        "The Taliban met. The taliban said THE words: Laden, bin Laden and Afghans Afghans.",
        "Kabul-Islamabad Expanding Security Cooperation\nThe talks began. Karzai said",
        "\u0130ran and \u017fecurity, Inter-Services Intelligence (ISI) in K\u00f6ln; N\u00e1tional Directorate of Security",
    ]
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        texts += [line for line in fh][:80]
    tok = Tokenizer(**params).fit([])
    for _ in range(2):  # a cold cache, then a warm one
        for text in texts:
            assert tok.words(text) == _words_reference(tok, text), text[:60]


def test_alias_prefilter_changes_nothing(seed_passages):
    """The cheap tests before the alias matchers never skip a text the matchers would change."""
    from discourse._aliases import AliasMatcher, _alias_key, load_aliases

    table = load_aliases()
    matcher = AliasMatcher(table)
    gated = 0
    texts = list(seed_passages) + [
        "the national directorate of security (NDS)", "NATIONAL DIRECTORATE OF SECURITY", "Tehreek-i--Taliban   Pakistan",
        "ISIS-K and ISIS K and IS-K", "U.S.A. and U.S. and US", "na\u00efve Durand Line", "\u0130nter-Services \u0130ntelligence",
        "Al Qaeda\u2019s", "bin-Laden", "durand\tline",
    ]
    for text in texts:
        full = matcher._acr_re.sub(lambda m: matcher.canon.get(_alias_key(m.group(0)), m.group(0)), text)
        full = matcher._low_re.sub(matcher._replace_low, full)
        assert matcher(text) == full, text[:60]
        gated += matcher._low_gate.search(text.lower()) is None
    assert 0 < gated < len(texts)


def test_glued_prefilter_never_refuses_an_accepted_split(monkeypatch):
    from discourse.clean import _repair

    tokens = ["terroristactivities", "iscentral", "comprehensivestance", "securityforces", "thepeaceprocess",
              "counterterrorism", "inswinger", "tailenders", "wikipedia", "docstring", "qwzxvbnm", "afghanistan",
              "nationalsecurity", "primeministernawaz", "talibanleaders", "isthe", "bordercrossing"]
    can_split = _repair._can_split
    monkeypatch.setattr(_repair, "_can_split", lambda *a, **k: True)
    accepted = {t: _repair.segment_glued.__wrapped__(t) for t in tokens}
    monkeypatch.setattr(_repair, "_can_split", can_split)
    assert sum(p is not None for p in accepted.values()) >= 4
    for t, parts in accepted.items():
        assert _repair.segment_glued.__wrapped__(t) == parts, t
        if parts is not None:
            assert can_split(t, min_part_count=1e6, max_parts=3, min_unattested_part=5), t
    assert not can_split("qwzxvbnm", min_part_count=1e6, max_parts=3, min_unattested_part=5)


@pytest.mark.parametrize("min_count", [1, 2, 3])
def test_bigram_counts_equal_counting_pairs(seed_passages, min_count):
    """Bigrams counted as integers equal the pairs counted one by one (within texts only)."""
    from collections import Counter
    from itertools import chain

    from discourse._phrases import _bigram_counts

    words = Tokenizer(phrases=False).fit([])
    cases = [[words.words(p) for p in seed_passages], [[], ["a"], ["a", "b"], [], ["a", "b", "a", "b"], ["b"]], [["x"]], []]
    for lists in cases:
        pairs = Counter(chain.from_iterable(zip(w, w[1:]) for w in lists))
        frequent, n_distinct = _bigram_counts(lists, Counter(chain.from_iterable(lists)), min_count)
        assert n_distinct == len(pairs)
        assert frequent == {k: v for k, v in pairs.items() if v >= min_count}
        assert all(type(v) is int for v in frequent.values())


def test_lemma_equals_simplemma():
    """The tokenizer's lemma (dictionary hit answered directly) equals ``simplemma.lemmatize`` for every kind of word."""
    import simplemma
    import wordsegment

    from discourse._lexicon import _english_forms, _lemma

    with open(wordsegment.Segmenter.UNIGRAMS_FILENAME, encoding="utf-8") as fh:
        common = [line.split("\t", 1)[0] for _, line in zip(range(3000), fh)]
    forms = list(_english_forms())
    with open(wordsegment.Segmenter.UNIGRAMS_FILENAME, encoding="utf-8") as fh:
        unknown = [w for w in (line.split("\t", 1)[0] for line in fh) if _english_forms().get(w) is None][:20000]
    words = common + forms[::97] + [w.upper() for w in forms[:200]] + [w.capitalize() for w in common[:300]] + [
        w.capitalize() for w in unknown[:3000]] + unknown + [w.upper() for w in unknown[:500]] + [
        "agencies", "talks", "held", "don't", "taliban's", "naïve", "résumé", "kabul", "afghans", "ttp", "isi", "²", "x",
        "qwzxvbnm", "counterterrorism", "miscalculating", "straße", "İstanbul", "ǅemal", "rock'n'roll", "o'clock",
        "freedoms", "isms", "ministries", "agencies", "Agencies", "policies", "Kabul", "KABUL", "Ghani", "mr",
    ]
    hits = sum(_english_forms().get(w) is not None for w in words if w.isascii())
    assert hits > 1000 and len(words) - hits > 20000  # words in the dictionary and many more outside it
    for w in words:
        assert _lemma.__wrapped__(w) == simplemma.lemmatize(w, lang="en").lower(), w


def test_ascii_word_split_equals_unicode_split(seed_passages):
    """On ASCII text the ASCII word pattern splits exactly as the Unicode one (letters are [A-Za-z] there)."""
    import random
    import string

    from discourse.tokenize import _WORD_SPLIT, _WORD_SPLIT_ASCII

    texts = [p for p in seed_passages if p.isascii()]
    rng = random.Random(5)
    alphabet = string.ascii_letters + string.digits + "'_- .,\n\t\x00\x7f"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(3000)]
    assert len(texts) > 3000
    for t in texts:
        assert _WORD_SPLIT_ASCII.split(t) == _WORD_SPLIT.split(t), t
