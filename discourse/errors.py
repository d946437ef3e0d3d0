"""Exceptions raised by :mod:`discourse`.

Every error a user can trigger with bad input is a :class:`DiscourseError`
(or a subclass that also derives from the matching built-in, so that
``except ValueError`` keeps working).  Its message is one line that names the
file, row or field at fault and says what to do about it; the command-line
interface prints exactly that line to stderr and exits non-zero.
"""

from __future__ import annotations

__all__ = [
    "DiscourseError",
    "InputError",
    "CorpusError",
    "ParameterError",
    "NotFittedError",
    "CorpusTooSmallError",
    "CacheError",
]


class DiscourseError(Exception):
    """Base class of every error :mod:`discourse` raises on purpose."""


class InputError(DiscourseError, ValueError):
    """A file or path the user gave cannot be used as it is."""


class CorpusError(InputError):
    """A corpus (texts or metadata) is malformed: names the file/row/field."""


class ParameterError(DiscourseError, ValueError):
    """A parameter has a value that is not allowed.

    The message names the parameter, the value given and what is allowed.
    """


class NotFittedError(DiscourseError, AttributeError):
    """A model was used before ``fit`` was called."""


class CorpusTooSmallError(DiscourseError, ValueError):
    """The corpus has too few passages or documents for the requested model."""


class CacheError(DiscourseError, OSError):
    """A cache entry is unreadable or inconsistent (it is rebuilt, not trusted)."""


def check_param(name: str, value, allowed: str, ok: bool) -> None:
    """Raise :class:`ParameterError` naming ``name`` unless ``ok``.

    Examples
    --------
    >>> check_param("k", 3, "an integer >= 2", 3 >= 2)
    >>> check_param("k", 1, "an integer >= 2", 1 >= 2)
    Traceback (most recent call last):
    ...
    discourse.errors.ParameterError: k=1 is not allowed: expected an integer >= 2
    """
    if not ok:
        raise ParameterError(f"{name}={value!r} is not allowed: expected {allowed}")
