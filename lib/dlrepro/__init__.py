"""dlrepro: the shared, tested library of *Deep Learning, Reproduced*.

One module per concept: :mod:`~dlrepro.data`, :mod:`~dlrepro.models`, :mod:`~dlrepro.train`,
:mod:`~dlrepro.prune`, :mod:`~dlrepro.claims`, :mod:`~dlrepro.plot`, :mod:`~dlrepro.run`,
:mod:`~dlrepro.scoreboard`; the command line lives in :mod:`~dlrepro.cli`
(``python -m dlrepro``).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dlrepro")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
