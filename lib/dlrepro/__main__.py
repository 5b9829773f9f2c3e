"""``python -m dlrepro``: see :mod:`dlrepro.cli`."""

import signal

from dlrepro.cli import main


def _exit_on_sigterm(signum, frame) -> None:
    """Turn SIGTERM into SystemExit, so a killed run cleans up its partial notebook."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    raise SystemExit(main())
