"""Entry point of ``ecr-lifecycle-guard``: build the argument parser and dispatch to a command.

Each command is a module exposing ``add_parser(subparsers)`` (which sets ``run`` as the parser's
default) and ``run(args) -> int``; adding a command is one entry in :data:`COMMANDS`. Exit codes:
0 success, 1 invalid input or a failed call (one line on stderr), 2 usage error (argparse),
3 a gate blocked.

Examples
--------
>>> build_parser().prog
'ecr-lifecycle-guard'
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Final, NoReturn

from ecr_lifecycle_guard import __version__
from ecr_lifecycle_guard.cli import demo, evaluate, preview, validate

__all__ = ["COMMANDS", "build_parser", "console_main", "main"]

#: The command modules, in the order ``--help`` lists them.
COMMANDS: Final[tuple[ModuleType, ...]] = (validate, evaluate, preview, demo)


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command of :data:`COMMANDS` registered.

    Examples
    --------
    >>> build_parser().parse_args(["validate", "p.json"]).policies
    ['p.json']
    """
    parser = argparse.ArgumentParser(
        prog="ecr-lifecycle-guard",
        description="Validate, evaluate offline and preview Amazon ECR lifecycle policies.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv
        The arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 1 invalid input or failure, 3 gate blocked (usage errors exit 2 via argparse).

    Examples
    --------
    >>> main(["validate", "/nonexistent/policy.json"])  # prints one "error: cannot read ..." line on stderr
    1
    """
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


def console_main() -> NoReturn:
    """The ``ecr-lifecycle-guard`` program (and ``python -m ecr_lifecycle_guard``): :func:`main`, then exit.

    The process ends without tearing its objects down one by one: after ``evaluate`` of 100,000 images,
    freeing millions of objects costs a sixth of the run and changes nothing. Output is flushed first;
    every command has closed what it opened (stand-in, temporary folders) before :func:`main` returns.
    """
    try:
        code = main()
    except SystemExit as usage:  # argparse's usage errors (2) and --help/--version (0)
        code = usage.code if isinstance(usage.code, int) else 1 if usage.code else 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to tell it
        code = code or 1
    os._exit(code)
