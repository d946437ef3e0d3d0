"""The :class:`Cleaner`: cleaning steps composed, stepped through and audited.

A cleaner runs small pure ``str -> str`` steps in order, in the manner of
textacy's ``preprocessing`` functions composed with ``make_pipeline`` and of
gensim's ``TextCorpus.step_through_preprocess``.  While it runs it keeps a map
from the current text back to the raw text, so that every removal is recorded
as a :class:`Removal` whose ``start:end`` slice of the **raw** text is exactly
the text dropped.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ..errors import ParameterError
from ._normalize import Edit, Step, apply_edits, fix_punctuation_spacing, normalize_unicode, normalize_whitespace
from ._repair import repair_glued_words
from ._rules import remove_chrome, remove_emails, remove_head_chrome, remove_sidebars, remove_tail_chrome, remove_widgets

__all__ = ["Removal", "CleanResult", "Cleaner", "clean_text", "STEPS", "DEFAULT_STEPS"]

#: Every built-in step by name.
STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        normalize_unicode,
        repair_glued_words,
        fix_punctuation_spacing,
        normalize_whitespace,
        remove_chrome,
        remove_sidebars,
        remove_widgets,
        remove_head_chrome,
        remove_tail_chrome,
        remove_emails,
    )
}

#: The default order: characters, repairs and spacing first (so that line
#: lengths the chrome rules look at are final), then all chrome rules to a
#: fixed point, then spacing again where removals left gaps.
DEFAULT_STEPS: tuple[str, ...] = (
    "normalize_unicode",
    "repair_glued_words",
    "fix_punctuation_spacing",
    "normalize_whitespace",
    "remove_chrome",
    "fix_punctuation_spacing",
    "normalize_whitespace",
)


@dataclass(frozen=True)
class Removal:
    """One piece of page chrome removed from a document.

    Attributes
    ----------
    doc_id : str
        The document.
    start, end : int
        Character span in the **raw** text: ``raw[start:end] == text``.
    rule : str
        The chrome rule that removed it (see :mod:`discourse.clean`).
    text : str
        The raw text removed.
    """

    doc_id: str
    start: int
    end: int
    rule: str
    text: str


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text of one document and what was removed from it.

    Attributes
    ----------
    text : str
        The cleaned text.
    removals : tuple of Removal
        In raw-text order.
    """

    text: str
    removals: Tuple[Removal, ...] = ()

    @property
    def chars_removed(self) -> int:
        """Raw characters covered by removals (overlaps counted once)."""
        total, last = 0, -1
        for r in sorted(self.removals, key=lambda r: (r.start, r.end)):
            lo = max(r.start, last)
            if r.end > lo:
                total += r.end - lo
            last = max(last, r.end)
        return total


class _OffsetMap:
    """Map positions in the current text back to the raw text.

    Segments ``(cur_start, cur_end, raw_start, raw_end, linear)`` cover the
    current text; linear segments are unchanged raw text, the others stand for
    replaced text and map as a whole.
    """

    __slots__ = ("segs", "starts", "raw_len", "cur_len")

    def __init__(self, n: int) -> None:
        self.segs: list[tuple[int, int, int, int, bool]] = [(0, n, 0, n, True)] if n else []
        self.starts = [0] if n else []
        self.raw_len = n
        self.cur_len = n

    def start(self, p: int) -> int:
        if p >= self.cur_len:
            return self.raw_len
        c0, _c1, r0, _r1, lin = self.segs[bisect_right(self.starts, p) - 1]
        return r0 + (p - c0) if lin else r0

    def end(self, p: int) -> int:
        if p <= 0:
            return self.start(0) if self.cur_len else 0
        c0, _c1, r0, r1, lin = self.segs[bisect_right(self.starts, p - 1) - 1]
        return r0 + (p - c0) if lin else r1

    def apply(self, edits: Sequence[Edit], new_len: int) -> None:
        out: list[tuple[int, int, int, int, bool]] = []
        segs, starts = self.segs, self.starts
        delta = 0
        pos = 0

        def copy(a: int, b: int) -> None:
            if a >= b:
                return
            i = bisect_right(starts, a) - 1
            while i < len(segs) and segs[i][0] < b:
                c0, c1, r0, r1, lin = segs[i]
                lo, hi = max(c0, a), min(c1, b)
                if lin:
                    seg = (lo + delta, hi + delta, r0 + lo - c0, r0 + hi - c0, True)
                    if out and out[-1][4] and out[-1][1] == seg[0] and out[-1][3] == seg[2]:
                        prev = out.pop()
                        seg = (prev[0], seg[1], prev[2], seg[3], True)
                    out.append(seg)
                else:
                    out.append((lo + delta, hi + delta, r0, r1, False))
                i += 1

        for s, e, repl, _rule in edits:
            copy(pos, s)
            if repl:
                rs = self.start(s)
                re_ = self.end(e) if e > s else rs
                out.append((s + delta, s + delta + len(repl), rs, max(rs, re_), False))
            delta += len(repl) - (e - s)
            pos = e
        copy(pos, self.cur_len)
        self.segs = out
        self.starts = [s[0] for s in out]
        self.cur_len = new_len


StepSpec = Union[str, Step, Callable[[str], str], Tuple[str, Callable[[str], str]]]


def _resolve(spec: StepSpec, options: Mapping[str, Mapping[str, Any]]) -> tuple[str, Callable[[str], str], Optional[Callable[[str], List[Edit]]]]:
    """(name, str->str function, edit finder or None) for a step spec."""
    if isinstance(spec, str):
        if spec not in STEPS:
            raise ParameterError(f"steps: unknown cleaning step {spec!r}; known steps are {sorted(STEPS)}")
        spec = STEPS[spec]
    name: str
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str) and callable(spec[1]):
        name, func = spec
    elif isinstance(spec, Step):
        name, func = spec.name, spec
    elif isinstance(spec, functools.partial) and isinstance(spec.func, Step):
        name, func = spec.func.name, spec
    elif callable(spec):
        name, func = getattr(spec, "__name__", type(spec).__name__), spec
    else:
        raise ParameterError(f"steps: {spec!r} is not a step; give a step name, a Step, or a str -> str callable")
    opts = dict(options.get(name, {}))
    if isinstance(func, Step):
        step = func
        return name, functools.partial(step, **opts), functools.partial(step.edits, **opts)
    if isinstance(func, functools.partial) and isinstance(func.func, Step):
        kw = {**func.keywords, **opts}
        return name, functools.partial(func.func, **kw), functools.partial(func.func.edits, **kw)
    if opts:
        return name, functools.partial(func, **opts), None
    return name, func, None


def _diff_edit(old: str, new: str) -> List[Edit]:
    """One edit covering what changed between ``old`` and ``new`` (for opaque steps)."""
    if old == new:
        return []
    a = 0
    n = min(len(old), len(new))
    while a < n and old[a] == new[a]:
        a += 1
    b = 0
    while b < n - a and old[len(old) - 1 - b] == new[len(new) - 1 - b]:
        b += 1
    return [(a, len(old) - b, new[a : len(new) - b], None)]


class Cleaner:
    """Compose cleaning steps; clean texts and record every removal.

    Parameters
    ----------
    steps : sequence, optional
        Steps in order.  Each is a built-in step name (see ``STEPS``), a step
        object such as :data:`discourse.clean.repair_glued_words`, a
        ``functools.partial`` of one (to set its keyword-only options), a
        ``(name, callable)`` pair or any ``str -> str`` callable.  Built-in
        steps record their removals against the raw text; other callables are
        followed by a whole-text diff (removals they make are not attributed
        to a rule).  Default: :data:`DEFAULT_STEPS`.
    options : mapping, optional
        Keyword-only options per step name, e.g.
        ``{"repair_glued_words": {"min_length": 10}}``.

    Examples
    --------
    >>> from discourse import load_seeds
    >>> raw = load_seeds().text("003_96d0e61bdfa75bcd")
    >>> result = Cleaner().clean(raw, doc_id="003")
    >>> "terrorist activities" in result.text, "Recent Posts" in result.text
    (True, False)
    >>> r = result.removals[0]
    >>> raw[r.start:r.end] == r.text
    True
    >>> [name for name, _ in Cleaner().step_through("Kabul , Islamabad")][-1]
    'normalize_whitespace'
    """

    def __init__(self, steps: Optional[Sequence[StepSpec]] = None, *, options: Optional[Mapping[str, Mapping[str, Any]]] = None) -> None:
        self.steps = steps
        self.options = options

    # -- configuration ------------------------------------------------------
    def _pipeline(self) -> list[tuple[str, Callable[[str], str], Optional[Callable[[str], List[Edit]]]]]:
        steps = DEFAULT_STEPS if self.steps is None else self.steps
        if isinstance(steps, (str, bytes)) or not hasattr(steps, "__iter__"):
            raise ParameterError(f"steps={steps!r} is not allowed: expected a sequence of steps")
        options = self.options or {}
        if not isinstance(options, Mapping):
            raise ParameterError(f"options={options!r} is not allowed: expected a mapping of step name to options")
        key = (tuple(steps), repr(sorted((str(k), repr(v)) for k, v in options.items())))
        cached = self.__dict__.get("_resolved")
        if cached is not None and cached[0] == key:
            return cached[1]
        resolved = [_resolve(s, options) for s in steps]
        self.__dict__["_resolved"] = (key, resolved)
        return resolved

    def get_params(self, deep: bool = True) -> dict[str, Any]:  # noqa: ARG002 - no nested estimators
        """The constructor's parameters, as given (scikit-learn's contract, so ``sklearn.clone`` works)."""
        return {"steps": self.steps, "options": self.options}

    def set_params(self, **params: Any) -> "Cleaner":
        """Set constructor parameters (scikit-learn's contract); returns ``self``."""
        for key, value in params.items():
            if key not in ("steps", "options"):
                raise ParameterError(f"{key}= is not a Cleaner parameter: use steps= or options=")
            setattr(self, key, value)
        return self

    def resolved_params(self) -> dict[str, Any]:
        """The steps that run (by name) and their options, as JSON-friendly values (for provenance)."""
        return {
            "steps": [name for name, _f, _e in self._pipeline()],
            "options": {k: dict(v) for k, v in (self.options or {}).items()},
        }

    @property
    def step_names(self) -> list[str]:
        """Names of the steps, in order."""
        return [name for name, _f, _e in self._pipeline()]

    # -- running ------------------------------------------------------------
    def __call__(self, text: str) -> str:
        """Clean ``text`` (removals are not recorded)."""
        for _name, func, _edits in self._pipeline():
            text = func(text)
        return text

    def step_through(self, text: str) -> Iterator[tuple[str, str]]:
        """Yield ``(step name, text after the step)`` for each step in order.

        Examples
        --------
        >>> for name, out in Cleaner(["normalize_unicode", "fix_punctuation_spacing"]).step_through("“Kabul ,” he said"):
        ...     print(name, out)
        normalize_unicode "Kabul ," he said
        fix_punctuation_spacing "Kabul," he said
        """
        for name, func, _edits in self._pipeline():
            text = func(text)
            yield name, text

    def clean(self, text: str, doc_id: str = "") -> CleanResult:
        """Clean one text and record each removal against the raw text.

        Parameters
        ----------
        text : str
            The raw text.
        doc_id : str
            Recorded in each :class:`Removal`.

        Returns
        -------
        CleanResult
        """
        if not isinstance(text, str):
            raise ParameterError(f"text={type(text).__name__} is not allowed: expected a str")
        raw = text
        # The map back to the raw text is needed only to place removals, which few texts have:
        # the steps' edits wait in ``pending`` and are applied to a map when a removal needs one.
        omap: Optional[_OffsetMap] = None
        pending: list[tuple[List[Edit], int]] = []
        removals: list[Removal] = []
        for _name, func, find in self._pipeline():
            if find is not None:
                edits = find(text)
                if not edits:
                    continue
                new = apply_edits(text, edits)
            else:
                new = func(text)
                edits = _diff_edit(text, new)
                if not edits:
                    continue
            if any(rule is not None and e > s for s, e, _repl, rule in edits):
                if omap is None:
                    omap = _OffsetMap(len(raw))
                for done, n in pending:
                    omap.apply(done, n)
                pending.clear()
                for s, e, _repl, rule in edits:
                    if rule is not None and e > s:
                        rs, re_ = omap.start(s), omap.end(e)
                        if re_ > rs:
                            removals.append(Removal(doc_id, rs, re_, rule, raw[rs:re_]))
            pending.append((edits, len(new)))
            text = new
        removals.sort(key=lambda r: (r.start, r.end))
        return CleanResult(text, tuple(removals))

    def __repr__(self) -> str:
        return f"Cleaner(steps={self.step_names!r})"


_DEFAULT = None


def clean_text(text: str, **options: Mapping[str, Any]) -> str:
    """Clean one text with the default steps.

    Parameters
    ----------
    text : str
        Raw text.
    **options
        Keyword-only options per step name, as in :class:`Cleaner`.

    Examples
    --------
    >>> clean_text("Share\\n\\nAn increase in terroristactivities , officials said.")
    'An increase in terrorist activities, officials said.'
    """
    global _DEFAULT
    if options:
        return Cleaner(options=options)(text)
    if _DEFAULT is None:
        _DEFAULT = Cleaner()
    return _DEFAULT(text)
