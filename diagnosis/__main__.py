"""``python -m diagnosis``: the ``diagnosis`` program.

``ft analyze`` with plain arguments runs without typer (see
:mod:`diagnosis.faulttree.command`: same output and exit codes, a shorter
start); every other command line goes to the typer application.
"""

import sys


def main() -> int:
    args = sys.argv[1:]
    if args[:2] == ["ft", "analyze"]:
        from diagnosis.faulttree.command import fast_main

        code = fast_main(args)
        if code is not None:
            return code
    from diagnosis.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
