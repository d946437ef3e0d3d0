"""A study in one file: ``study.toml`` holds the corpus, groupings, models and every setting.

:func:`load_study` reads the file, checks every value (one-line errors naming
the file, the section and the key) and maps it onto :class:`AnalysisConfig`
and the options of :func:`discourse.load_corpus`.  ``discourse analyze
--config study.toml`` runs it, every command-line flag overriding the file;
the manifest records the resolved settings.  :func:`write_example` writes the
commented example that ``discourse init DIR`` creates.

Relative paths in the file are relative to the file's folder, so a study
folder can be moved or shared as a whole.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from ._config import EMBEDDERS, UMAP_INITS
from .errors import InputError, ParameterError

__all__ = ["Study", "load_study", "write_example", "EXAMPLE_STUDY", "EXAMPLE_METADATA"]

logger = logging.getLogger(__name__)

# section -> key -> (field it sets, check, what is allowed)
_INT = (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer")
_POS = (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "an integer >= 1")
_STR = (lambda v: isinstance(v, str), "a string")
_BOOL = (lambda v: isinstance(v, bool), "true or false")
_STRS = (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of strings")
_INTS = (lambda v: isinstance(v, list) and v and all(isinstance(x, int) and not isinstance(x, bool) for x in v), "a non-empty list of integers")
_UNIT = (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1, "a number between 0 and 1")
_K = (lambda v: v == "auto" or (isinstance(v, int) and not isinstance(v, bool) and v >= 2), "an integer >= 2 or \"auto\"")
_KRANGE = (lambda v: isinstance(v, list) and len(v) >= 2 and all(isinstance(x, int) and not isinstance(x, bool) and x >= 2 for x in v),
           "a list of at least two integers >= 2, e.g. [2, 3, 4, 5, 6, 8]")


def _one_of(values: tuple[str, ...]) -> tuple:
    """A check that a value is one of ``values``, and its description (``"a", "b" or "c"``)."""
    quoted = [f'"{v}"' for v in values]
    return (lambda v: v in values, ", ".join(quoted[:-1]) + " or " + quoted[-1])


SCHEMA: dict[str, dict[str, tuple[str, tuple]]] = {
    "corpus": {
        "path": ("corpus", _STR),
        "text_col": ("text_col", _STR),
        "id_col": ("id_col", _STR),
        "duplicates": ("duplicates", (lambda v: v in ("keep_once", "keep_all"), '"keep_once" or "keep_all"')),
        "near_threshold": ("near_threshold", _UNIT),
        "min_words": ("min_words", _POS),
    },
    "compare": {
        "by": ("by", (lambda v: isinstance(v, list) and v and all(isinstance(x, str) and x for x in v),
                      'a non-empty list of columns, e.g. ["outlet_country", "period", "outlet_country:period"]')),
        "min_docs": ("min_docs", _POS),
        "min_count": ("min_count", _POS),
        "n_resamples": ("n_resamples", (lambda v: _INT[0](v) and v >= 100, "an integer >= 100")),
        "n_permutations": ("n_permutations", (lambda v: _INT[0](v) and v >= 100, "an integer >= 100")),
        "confidence_level": ("confidence_level", _UNIT),
        "prior_scale": ("prior_scale", (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0,
                                        "a number > 0")),
        "did_years": ("did_years", (lambda v: isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) and x for x in v)
                                    and v[0] != v[1], 'two different time values as strings, e.g. ["2015", "2024"]')),
    },
    "models": {
        "use": ("models", (lambda v: isinstance(v, list) and v and set(v) <= {"lda", "bertopic"}, 'a list of "lda", "bertopic"')),
        "k": ("k", _K),
        "k_range": ("k_range", _KRANGE),
        "k_seeds": ("k_seeds", _INTS),
        "seed": ("random_state", _INT),
        "runs": ("n_runs", _POS),
        "embedder": ("embedder", _one_of(EMBEDDERS)),
        "noise_refit": ("noise_refit", _BOOL),
        "umap_init": ("umap_init", _one_of(UMAP_INITS)),
    },
    "vocabulary": {
        "lexicon": ("lexicon", _STR),
        "aliases": ("aliases", _STR),
        "stop_words": ("extra_stopwords", _STRS),
    },
    "output": {
        "out": ("out", _STR),
        "cache": ("cache_dir", _STR),
        "figures": ("figures", _BOOL),
        "reproducible": ("reproducible", _BOOL),
        "scheduler": ("scheduler", _STR),
    },
}

_CONFIG_FIELDS = {"by", "models", "k", "k_range", "k_seeds", "random_state", "min_count", "min_docs", "n_resamples",
                  "n_permutations", "confidence_level", "cache_dir", "figures", "reproducible", "scheduler",
                  "prior_scale", "pairs", "against_rest", "n_runs", "formula", "lexicon", "aliases",
                  "extra_stopwords", "embedder", "umap_init", "noise_refit", "did_years"}


@dataclass(frozen=True)
class Study:
    """A study's settings, resolved.

    Attributes
    ----------
    path : Path or None
        The study file.
    corpus : str or None
        Corpus path (relative paths resolved against the file's folder).
    config : AnalysisConfig
        Everything :func:`discourse.analyze` takes.
    load_options : dict
        ``text_col``, ``id_col``, ``duplicates``, ``near_threshold``, ``min_words`` for :func:`discourse.load_corpus`.
    out : str or None
        Output folder.
    """

    path: Path | None
    corpus: str | None
    config: Any
    load_options: dict = field(default_factory=dict)
    out: str | None = None

    def load_corpus(self, **overrides):
        """The study's corpus (``overrides`` replace load options)."""
        from .corpus import load_corpus

        if self.corpus is None:
            raise ParameterError(f"{self.path}: [corpus] path is not set; name the corpus folder or file")
        return load_corpus(self.corpus, **(self.load_options | overrides))

    def resolved(self) -> dict[str, Any]:
        """Every setting after defaults and overrides (what the manifest records; not the output folder, so that
        the same study written to two places gives the same manifest)."""
        def rel(p: str | None) -> str | None:
            # relative to the study file, so the record does not depend on where the study folder lies
            return os.path.relpath(p, self.path.parent) if p and self.path is not None else p

        return {"study_file": self.path.name if self.path else None, "corpus": rel(self.corpus), "load": LOAD_DEFAULTS | self.load_options,
                "analysis": asdict(self.config) | {"progress": None, "cache_dir": None,
                                                   "lexicon": rel(self.config.lexicon), "aliases": rel(self.config.aliases)}}

    def with_overrides(self, **values: Any) -> "Study":
        """A copy with settings replaced (``None`` values are ignored), as command-line flags do; not yet validated."""
        values = {k: v for k, v in values.items() if v is not None}
        cfg = {k: v for k, v in values.items() if k in _CONFIG_FIELDS}
        load = {k: v for k, v in values.items() if k in SCHEMA_LOAD}
        return replace(self, config=replace(self.config, **cfg), load_options=self.load_options | load,
                       corpus=values.get("corpus", self.corpus), out=values.get("out", self.out))


def _where(path: Path | None, section: str, key: str | None = None) -> str:
    return f"{path or 'study'}: [{section}]" + (f" {key}" if key else "")


def study_from_mapping(data: Mapping[str, Any], *, path: Path | None = None) -> Study:
    """Check a parsed study file and resolve it (see :func:`load_study`)."""
    from .analysis import AnalysisConfig

    values: dict[str, Any] = {}
    for section, content in data.items():
        if section not in SCHEMA:
            raise ParameterError(f"{path or 'study'}: unknown section [{section}]; sections are {', '.join('[' + s + ']' for s in SCHEMA)}")
        if not isinstance(content, dict):
            raise ParameterError(f"{_where(path, section)} must be a table of settings (key = value lines under [{section}])")
        for key, value in content.items():
            if key not in SCHEMA[section]:
                raise ParameterError(f"{_where(path, section)}: unknown setting {key!r}; settings there are {', '.join(SCHEMA[section])}")
            target, (ok, allowed) = SCHEMA[section][key]
            if not ok(value):
                raise ParameterError(f"{_where(path, section, key)} = {value!r} is not allowed: expected {allowed}")
            values[target] = tuple(value) if isinstance(value, list) and target in _CONFIG_FIELDS else value
    base = path.parent if path is not None else Path(".")

    def resolve(p: str | None) -> str | None:
        if not p:
            return p
        q = Path(p).expanduser()
        return str(q if q.is_absolute() else base / q)

    for key in ("corpus", "out", "cache_dir", "lexicon", "aliases"):
        if key in values:
            values[key] = resolve(values[key])
    config = AnalysisConfig(**{k: v for k, v in values.items() if k in _CONFIG_FIELDS})
    try:
        config = config.validate()
    except ParameterError as exc:
        raise ParameterError(f"{path or 'study'}: {exc}") from None
    return Study(path=path, corpus=values.get("corpus"), config=config,
                 load_options={k: values[k] for k in SCHEMA_LOAD if k in values}, out=values.get("out"))


#: :attr:`Study.load_options` (passed to :func:`discourse.load_corpus`) and their defaults.
LOAD_DEFAULTS = {"text_col": "text", "id_col": "id", "duplicates": "keep_once", "near_threshold": 0.8, "min_words": 80}
SCHEMA_LOAD = tuple(LOAD_DEFAULTS)


def load_study(path: str | Path) -> Study:
    """Read a study file (TOML).

    Parameters
    ----------
    path : str or Path
        A ``study.toml`` as :func:`write_example` writes it: sections
        ``[corpus]``, ``[compare]``, ``[models]``, ``[vocabulary]``, ``[output]``.

    Returns
    -------
    Study

    Raises
    ------
    InputError
        If the file is missing or not valid TOML (the message gives the line).
    ParameterError
        For an unknown section or setting, or a value that is not allowed
        (the message names the file, section and key).

    Examples
    --------
    >>> import tempfile, discourse
    >>> d = tempfile.mkdtemp()
    >>> _ = write_example(d)
    >>> study = discourse.load_study(f"{d}/study.toml")
    >>> study.config.k_range, study.config.min_docs
    ((2, 3, 4, 5, 6, 8), None)
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{p}: no such study file; write one with `discourse init DIR`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot be read ({getattr(exc, 'strerror', None) or exc}); save it as UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML ({exc}); check quotes, brackets and '=' on that line") from None
    return study_from_mapping(data, path=p)


EXAMPLE_STUDY = '''\
# A discourse study: every setting of `discourse analyze --config study.toml`
# and of `discourse.load_study("study.toml")`. Every command-line flag overrides
# the value here; the resolved settings are recorded in the output's manifest.json.
# Relative paths are relative to this file's folder. Delete a line to use the default.

[corpus]
# A folder of .txt files with metadata.csv; a folder of saved .html pages (metadata.csv
# optional, its values win over what the pages say); .warc/.warc.gz web archives (a file
# or a folder); or a .csv/.jsonl/.parquet file with one document per row.
path = "corpus"
text_col = "text"              # tabular files: the column holding the text
id_col = "id"                  # tabular files: the column holding a unique id
duplicates = "keep_once"       # exact and near copies kept once ("keep_all" keeps every copy)
near_threshold = 0.8           # shared word 5-grams (Jaccard) from which two texts are copies
min_words = 80                 # web pages with fewer words of article text are skipped

[compare]
# Metadata columns to compare by; "a:b" crosses two (difference-in-differences).
by = ["outlet_country", "period", "outlet_country:period"]
did_years = ["2015", "2024"]     # difference-in-differences: the time values compared (before, after)
# min_docs = 5                 # flag groups with fewer documents too_few and give them no interval;
                               # unset: the size from which the coverage simulation backs intervals
min_count = 3                  # keyness: minimum count of a term
n_resamples = 2000             # bootstrap resamples (documents are resampled)
n_permutations = 2000          # permutations for contrast p-values
confidence_level = 0.95
prior_scale = 0.1              # keyness: the prior's total as a share of the corpus's tokens

[models]
use = ["lda", "bertopic"]
k = "auto"                     # LDA topics, or "auto": chosen as stm searchK (README)
k_range = [2, 3, 4, 5, 6, 8]   # K tried when k = "auto"
k_seeds = [0, 1, 2]            # seeds per K (stability)
seed = 0                       # the one seed every stochastic step derives from
runs = 5                       # LDA runs (seeds seed, seed+1, ...) aligned and combined in every comparison

[vocabulary]
# Unset: the shipped frames lexicon (discourse/data/frames.csv), alias table
# (discourse/data/aliases.csv) and stop-word list.
# lexicon = "frames.csv"       # term,frame,role CSV with a "# domain:" line
# aliases = "aliases.csv"      # alias,canonical CSV, used instead of the shipped one
# stop_words = ["said", "also"]  # dropped besides the shipped list

[output]
out = "results"
cache = ".cache"
figures = true
reproducible = false           # true: the same bytes on any x86-64 CPU (slower to start)
'''

EXAMPLE_METADATA = '''\
file,title,outlet,outlet_country,author,published,period,url
'''

_METADATA_README = '''\
# corpus/

Put the documents here: `.txt` files (one article each, UTF-8), saved `.html` pages,
or `.warc`/`.warc.gz` web archives. A CSV/JSONL/Parquet file with one row per document
works too: point `[corpus] path` in study.toml at it.

`metadata.csv` has one row per file; empty cells are unknown, not errors:

| column | what it holds |
|---|---|
| `file` | the file name in this folder (required; `000.txt`, `page.html`) |
| `title` | the headline |
| `outlet` | the publication (for web pages, taken from the page when empty) |
| `outlet_country` | a grouping column: any column can be used with `by` |
| `author` | the byline |
| `published` | YYYY, YYYY-MM or YYYY-MM-DD; its precision is kept |
| `period` | the study's grouping of dates (e.g. 2015, 2024) |
| `url` | where the text came from |

Add any other column (language, section, genre) and compare by it.
'''


def write_example(folder: str | Path) -> list[Path]:
    """Write ``study.toml``, ``corpus/metadata.csv`` and ``corpus/README.md`` into ``folder``.

    Existing files are never overwritten.

    Raises
    ------
    InputError
        If one of the files already exists.
    """
    from ._io import atomic_write_text

    folder = Path(folder)
    files = {folder / "study.toml": EXAMPLE_STUDY, folder / "corpus" / "metadata.csv": EXAMPLE_METADATA,
             folder / "corpus" / "README.md": _METADATA_README}
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise InputError(f"{existing[0]}: already exists; choose an empty folder for `discourse init` (nothing was written)")
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    for p, text in files.items():
        atomic_write_text(p, text)
    return list(files)
