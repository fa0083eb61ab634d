"""The local market-data store: history from MiniQMT (or your own CSV) as Parquet files.

``qmt-engine data download|import|list|show|check`` fill and inspect it; backtests
read it (``backtest.store``). See docs/data-format.md.
"""

from pathlib import Path

from .layout import BAR_PERIODS, BAR_SCHEMA, DIVIDEND_SCHEMA, INSTRUMENT_SCHEMA, PERIODS, TICK_SCHEMA, StoreLayout
from .store import (StoreError, bar_table, held_range, iter_bars, read_bars, read_dividends, read_instruments,
                    write_bars, write_dividends, write_instruments, write_ticks)

#: the bundled synthetic daily sample (examples/momentum.yaml): a few dozen codes over three years
DAILY_SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "daily_sample"

__all__ = [
    "BAR_PERIODS", "BAR_SCHEMA", "DAILY_SAMPLE_DIR", "DIVIDEND_SCHEMA", "INSTRUMENT_SCHEMA", "PERIODS", "TICK_SCHEMA",
    "StoreError", "StoreLayout", "bar_table", "held_range", "iter_bars", "read_bars", "read_dividends",
    "read_instruments", "write_bars", "write_dividends", "write_instruments", "write_ticks",
]
