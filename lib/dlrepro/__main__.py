"""``python -m dlrepro``: see :mod:`dlrepro.cli`."""

from dlrepro.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
