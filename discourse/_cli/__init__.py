"""The ``discourse`` commands, one module per command group; :mod:`discourse.cli` wires them together.

* ``_common``: options and checks every command shares;
* ``corpus``, ``analyze``, ``validate``: one command (group) each, ``add_parser`` and ``run``;
* ``project``: ``init``, ``figures`` and ``kernel``;
* ``_run``: how a command runs: one-line errors and warnings, exit codes, Ctrl-C.
"""
