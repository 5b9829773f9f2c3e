"""Files the book keeps: atomic writes (a reader sees the old file or the new one, never half of
one) and stored notebooks that hold only what their run produced."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_text_atomic", "strip_run_metadata"]


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place.

    The file gets the permissions an ordinary ``open(path, "w")`` would give (``0o666`` less the
    umask), not the owner-only mode of :func:`tempfile.mkstemp`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def strip_run_metadata(notebook: str | os.PathLike) -> Path:
    """Remove papermill's run metadata (input and output paths, parameters, timings) from a
    stored notebook, in place: what stays is the chapter and the outputs of its run, so a
    re-store does not churn the diff and a downloaded notebook shows nobody's directories."""
    import nbformat

    path = Path(notebook)
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    write_text_atomic(path, nbformat.writes(nb) + "\n")
    return path
