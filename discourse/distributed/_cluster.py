"""Connecting to a Dask cluster, showing progress, and closing cleanly.

:func:`connect` is a context manager that yields a
:class:`distributed.Client`:

* ``"local"``: starts a :class:`distributed.LocalCluster` on this machine,
  bound to the loopback interface (``127.0.0.1``), with worker *processes*
  (one thread each, so pure-Python work such as tokenising runs in parallel);
* an address (``"tcp://10.0.0.5:8786"``, ``"127.0.0.1:8786"``): connects to
  a running scheduler;
* an existing :class:`distributed.Client`: used as is and left open.

Whatever happens inside the block (including an exception or
``KeyboardInterrupt``) the client and any cluster started here are closed.

Dask's nanny sets ``distributed.nanny.pre-spawn-environ`` (``OMP_NUM_THREADS=1``,
``MKL_NUM_THREADS=1``, ...) in *this* process's ``os.environ`` before it
spawns each worker, and leaves it there: torch imported afterwards in the
driver would then use one thread.  :func:`connect` puts the driver's values
back once the workers have started and again on exit (workers keep theirs).

The Dask dashboard link is logged when the dashboard is available (it needs
``bokeh``); otherwise progress is shown by a tqdm bar over finished tasks
(:func:`gather_with_progress`), silent when not attached to a terminal.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
from typing import Any, Iterator, Sequence

from .._env import progress_enabled  # noqa: F401 - re-exported for the distributed modules
from ..errors import ParameterError

__all__ = ["connect", "gather_with_progress", "put", "dashboard_available", "progress_enabled"]

logger = logging.getLogger(__name__)


def dashboard_available() -> bool:
    """True if the Dask dashboard can be served (``bokeh`` is installed)."""
    return importlib.util.find_spec("bokeh") is not None


@contextlib.contextmanager
def connect(
    scheduler: Any = "local",
    *,
    n_workers: int = 2,
    threads_per_worker: int = 1,
    memory_limit: str | int | None = "auto",
    timeout: float = 60.0,
) -> Iterator[Any]:
    """Connect to (or start) a Dask cluster for the duration of a ``with`` block.

    Parameters
    ----------
    scheduler : {"local"} or str or distributed.Client
        ``"local"`` starts a local cluster of ``n_workers`` worker processes on
        127.0.0.1; a string is a scheduler address; a Client is used as is
        (and not closed).
    n_workers, threads_per_worker : int
        Local cluster only.  One thread per process is right for the
        pure-Python stages (cleaning, tokenising, LDA's E-step).
    memory_limit : str, int or None
        Local cluster only: memory per worker (``"400MiB"``, bytes, or
        ``"auto"`` = machine memory / workers).  A worker over it is paused,
        then restarted; its tasks are rerun elsewhere.
    timeout : float
        Seconds to wait for the scheduler to answer.

    Yields
    ------
    distributed.Client

    Raises
    ------
    ParameterError
        If ``scheduler`` is empty or ``n_workers``/``threads_per_worker`` < 1.
    DiscourseError
        If the scheduler cannot be reached (names the address).

    Examples
    --------
    >>> with connect("local", n_workers=1) as client:  # doctest: +SKIP
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler.strip():
        raise ParameterError(f"scheduler={scheduler!r} is not allowed: give a scheduler address (host:port), 'local', or a distributed.Client")
    for name, value in (("n_workers", n_workers), ("threads_per_worker", threads_per_worker)):
        if not isinstance(value, int) or value < 1:
            raise ParameterError(f"{name}={value!r} is not allowed: expected an integer >= 1")
    cluster = None
    client = None
    with _driver_environ_kept() as restore_environ:
        try:
            if scheduler.strip() == "local":
                cluster = LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=threads_per_worker,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address="127.0.0.1:0",  # loopback, free port (served only with bokeh)
                    memory_limit=memory_limit,
                )
                client = Client(cluster, timeout=timeout)
                restore_environ()  # the workers are up with their own settings
            else:
                address = scheduler.strip()
                try:
                    client = Client(address, timeout=timeout)
                except (OSError, TimeoutError) as exc:
                    from ..errors import DiscourseError

                    raise DiscourseError(
                        f"scheduler {address!r} cannot be reached ({type(exc).__name__}: {exc}); start it (dask scheduler) or check --scheduler"
                    ) from None
            _log_cluster(client)
            yield client
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


@contextlib.contextmanager
def _driver_environ_kept() -> Iterator[Any]:
    """Undo Dask's ``pre-spawn-environ`` changes to this process's ``os.environ``.

    Yields a function that restores the saved values (called once the workers
    are up); they are restored again on exit, since a worker restarted by its
    nanny sets them once more.
    """
    import os

    import dask

    names = [str(k) for k in (dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})]
    saved = {n: os.environ.get(n) for n in names}

    def restore() -> None:
        for n, v in saved.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v

    try:
        yield restore
    finally:
        restore()


def _log_cluster(client) -> None:
    n = len(client.nthreads())
    address = getattr(client.scheduler, "address", "?")
    link = getattr(client, "dashboard_link", None)
    if link and dashboard_available():
        logger.info("Dask cluster %s with %d workers; dashboard: %s", address, n, link)
    else:
        logger.info("Dask cluster %s with %d workers (no dashboard: install bokeh to get one); progress bars show finished tasks", address, n)


def gather_with_progress(client, futures: Sequence[Any], *, desc: str = "tasks", progress: bool | None = True) -> list[Any]:
    """Wait for ``futures`` with a progress bar, return their results in order.

    Results come back in the order of ``futures`` (partition order), whatever
    order the tasks finish in, so that merges downstream are deterministic.
    A task lost with a dead worker is rerun by the scheduler and counted
    once.

    Raises
    ------
    Exception
        The first task error, re-raised as the task raised it.
    """
    from distributed import as_completed
    from tqdm.auto import tqdm

    futures = list(futures)
    with tqdm(total=len(futures), desc=desc, unit="part", disable=not progress_enabled(progress), leave=False) as bar:
        for fut in as_completed(futures):
            if fut.status == "error":
                fut.result()  # re-raise the task's own exception
            bar.update(1)
    return client.gather(futures)


def _identity(obj: Any) -> Any:
    return obj


def put(client, obj: Any):
    """A future holding ``obj`` that the scheduler can rebuild if every worker holding it dies.

    Unlike ``client.scatter``, the object travels inside the task, so a lost
    result is recomputed like any other task (a shared model state survives a
    worker being killed).
    """
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*", category=UserWarning)
        return client.submit(_identity, obj, pure=False)
