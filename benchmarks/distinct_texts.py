"""Over a million tokens of distinct real English text from installed packages.

Used by ``bench_tokenize.py`` and ``prepare_digest.py``.  Every source ships
with the Python environment the package runs in, so nothing is downloaded,
and none of it was written for this project or repeats:

* ``wiki`` - the 105 Wikipedia articles of gensim's test dump
  ``enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2``,
  markup removed with gensim's ``filter_wiki`` (what is left of tables and
  quote marks stays: real capture damage);
* ``stdlib`` - the docstrings of the Python standard library's modules
  (one document per module file, each distinct docstring once, test
  modules left out);
* ``pydoc`` - the Python reference's help topics (``pydoc_data.topics``);
* ``lee`` - gensim's ``lee_background.cor`` (300 Australian news stories;
  Lee, Pincombe & Welsh 2005), once;
* ``sklearn`` - scikit-learn's dataset descriptions (``datasets/descr/*.rst``).

Documents of fewer than 500 characters are left out (redirect pages).
"""

from __future__ import annotations

import ast
import bz2
import sysconfig
from pathlib import Path
from typing import Iterator

WIKI = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def wiki_articles() -> Iterator[tuple[str, str]]:
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki
    from gensim.test.utils import datapath

    with bz2.open(datapath(WIKI)) as fh:
        for title, text, _pid in extract_pages(fh):
            yield "wiki:" + title, filter_wiki(text)


def stdlib_docstrings() -> Iterator[tuple[str, str]]:
    root = Path(sysconfig.get_paths()["stdlib"])
    seen: set[str] = set()
    for path in sorted(root.glob("*.py")) + sorted(root.glob("*/*.py")):
        rel = path.relative_to(root)
        if rel.parts[0].startswith("test") or path.name.startswith("test"):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        docs = []
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                d = ast.get_docstring(node)
                if d and d not in seen:
                    seen.add(d)
                    docs.append(d)
        if docs:
            yield "stdlib:" + str(rel), "\n\n".join(docs)


def pydoc_topics() -> Iterator[tuple[str, str]]:
    from pydoc_data.topics import topics

    for name in sorted(topics):
        yield "pydoc:" + name, topics[name]


def lee_background() -> Iterator[tuple[str, str]]:
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if line.strip():
                yield f"lee:{i:03d}", line.strip()


def sklearn_descr() -> Iterator[tuple[str, str]]:
    import sklearn

    for path in sorted((Path(sklearn.__file__).parent / "datasets" / "descr").glob("*.rst")):
        yield "sklearn:" + path.stem, path.read_text(encoding="utf-8")


SOURCES = {"wiki": wiki_articles, "stdlib": stdlib_docstrings, "pydoc": pydoc_topics, "lee": lee_background, "sklearn": sklearn_descr}


def distinct_texts(min_chars: int = 500) -> list[tuple[str, str]]:
    """``[(id, text), ...]`` from every source, in a fixed order, exact duplicates dropped."""
    out, seen = [], set()
    for source in SOURCES.values():
        for doc_id, text in source():
            if len(text) >= min_chars and text not in seen:
                seen.add(text)
                out.append((doc_id, text))
    return out
