"""How a ``discourse`` command runs: one-line errors and warnings on stderr, exit codes, Ctrl-C.

Every error a user can cause is reported as one line on stderr
(``discourse: error: …``) with a non-zero exit status, never a traceback
(``--debug`` shows it).  Warnings are one line each (``discourse: warning: …``).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import warnings
from typing import Callable

EXIT_USAGE = 2
EXIT_INTERNAL = 1


class Printed:
    """One-line messages already shown on stderr (a warning logged and warned is shown once)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def show(self, prefix: str, text: str) -> None:
        line = " ".join(str(text).split())
        if prefix.endswith("warning: "):
            if line in self.seen:
                return
            self.seen.add(line)
        sys.stderr.write(f"{prefix}{line}\n")
        sys.stderr.flush()


class Handler(logging.Handler):
    """Log records as ``discourse: [warning: |error: ]message`` lines on the current stderr."""

    def __init__(self, printed: Printed) -> None:
        super().__init__()
        self.printed = printed

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad log call must not end the run
            msg = str(record.msg)
        if record.levelno >= logging.ERROR:
            self.printed.show("discourse: error: ", msg)
        elif record.levelno >= logging.WARNING:
            self.printed.show("discourse: warning: ", msg)
        else:
            sys.stderr.write(f"discourse: {msg}\n")


def install_warning_printer(printed: Printed) -> None:
    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
        text = str(message).splitlines()[0] if str(message) else category.__name__
        printed.show("discourse: warning: ", text)

    warnings.showwarning = show


NOISY = ("gensim", "bertopic", "BERTopic", "sentence_transformers", "numba", "urllib3", "httpx", "distributed",
          "matplotlib", "PIL", "filelock", "huggingface_hub", "transformers", "jupytext", "traitlets", "asyncio")


@contextlib.contextmanager
def interrupt_handling():
    """Make Ctrl-C reliable for the duration of a command.

    * pyarrow's own SIGINT handling is switched off: during Arrow calls it
      routes the signal through a self-pipe and stop token, and a Ctrl-C
      arriving as that handling is torn down can be lost (the run would go
      on and publish its results);
    * the SIGINT handler records the interrupt before raising
      ``KeyboardInterrupt``, and :func:`discourse._io.atomic_dir` checks the
      record before swapping an output folder in, so an interrupt swallowed by
      any library still leaves earlier results as they were.

    Both are put back afterwards; a SIGINT that was ignored (``nohup``, a
    background job) stays ignored.
    """
    import signal
    import threading

    from .._io import clear_interrupt, note_interrupt

    clear_interrupt()
    previous = signal.getsignal(signal.SIGINT)
    install = threading.current_thread() is threading.main_thread() and previous is signal.default_int_handler

    def on_sigint(signum, frame):
        note_interrupt()
        raise KeyboardInterrupt

    pa = None
    try:
        import pyarrow as pa

        pa.enable_signal_handlers(False)
    except (ImportError, AttributeError):
        pa = None
    if install:
        signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        if install:
            signal.signal(signal.SIGINT, previous)
        if pa is not None:
            pa.enable_signal_handlers(True)
        clear_interrupt()


def run_command(args: argparse.Namespace, printed: Printed, handler: Callable[[argparse.Namespace], int]) -> int:
    from ..errors import DiscourseError

    with warnings.catch_warnings():
        install_warning_printer(printed)
        warnings.simplefilter("default")
        for mod in ("umap", "sklearn", "numba", "bertopic", "hdbscan", "torch", "transformers", "jupyter_client", "zmq", "dask", "distributed", "gensim", "sentence_transformers"):
            warnings.filterwarnings("ignore", module=mod)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        try:
            return handler(args)
        except DiscourseError as exc:
            if args.debug:
                raise
            sys.stderr.write(f"discourse: error: {_one_line(exc)}\n")
            return EXIT_USAGE
        except KeyboardInterrupt:
            sys.stderr.write("discourse: interrupted; earlier results were left as they were\n")
            return 130
        except OSError as exc:
            if args.debug:
                raise
            sys.stderr.write(f"discourse: error: {_os_error(exc)}\n")
            return EXIT_USAGE
        except MemoryError:
            sys.stderr.write("discourse: error: out of memory; use a smaller corpus, shorter documents or --scheduler to spread the work\n")
            return EXIT_INTERNAL
        except Exception as exc:  # noqa: BLE001 - last line of defence: no bare traceback
            if args.debug:
                raise
            sys.stderr.write(f"discourse: internal error: {type(exc).__name__}: {_one_line(exc)} (rerun with --debug for the traceback, and please report it)\n")
            return EXIT_INTERNAL


def _os_error(exc: OSError) -> str:
    """One line for an operating-system error: the path(s), the reason, what to check."""
    import errno

    where = ""
    if getattr(exc, "filename", None):
        where = f"{str(exc.filename)!r}: "
        if getattr(exc, "filename2", None):
            where = f"{str(exc.filename)!r} -> {str(exc.filename2)!r}: "
    reason = exc.strerror or _one_line(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        return f"{where}{reason}; free some disk space (earlier results were left as they were)"
    return f"{where}{reason}; check the path and its permissions"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())
