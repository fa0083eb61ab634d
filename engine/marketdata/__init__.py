"""Market data files: formats, streaming readers, xtdata normalisation and the sample generator.

* :func:`iter_tick_batches` replays tick files as ``(time, {code: xtdata_dict})`` batches.
* :func:`load_instruments` reads ``instruments.csv``.
* :func:`iter_bars_csv` streams the benchmark's 1-minute bar files as :class:`~engine.models.Bar`.
* :func:`tick_from_xtdata` turns an xtdata tick dict into the engine's :class:`~engine.models.Tick`.
* :data:`SAMPLE_DIR` is the bundled synthetic sample (``engine/data/sample``).

The file formats are documented in ``docs/data-format.md``.
"""

from __future__ import annotations

from pathlib import Path

from .formats import DataFileError, epoch_ms_to_local, local_to_epoch_ms
from .normalize import TickRecordError, tick_from_xtdata, ticks_from_xtdata
from .replay import iter_bars_csv, iter_tick_batches, iter_tick_records, load_instruments
from .writers import TickFileWriter, write_bars_csv, write_instruments

#: The bundled synthetic sample data (instruments.csv and ticks-*.csv.gz).
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"

__all__ = [
    "SAMPLE_DIR", "DataFileError", "TickFileWriter", "TickRecordError", "epoch_ms_to_local",
    "iter_bars_csv", "iter_tick_batches", "iter_tick_records", "load_instruments", "local_to_epoch_ms",
    "tick_from_xtdata", "ticks_from_xtdata", "write_bars_csv", "write_instruments",
]
