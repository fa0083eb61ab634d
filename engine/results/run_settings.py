"""What a run stores about itself in ``runs.settings``, so two runs can be told apart.

:func:`run_settings` returns a JSON-friendly dict:

* ``plugins``: the registered plugins (as before);
* ``mode``, ``data`` (``source``, ``codes``, ``period``, ``first``/``last`` data time
  where the runtime knows them, ``files``);
* ``strategies``: each strategy's ``params`` (and where it came from);
  ``plugin_settings``: each plugin file's ``settings``;
* ``config``: the validated configuration (secrets masked), for the report;
* ``config_fingerprint``: SHA-256 of that configuration without where output goes
  (``audit``, ``logging``, ``engine.control_path``, report folders) and without data
  paths, with the content hash of every strategy and plugin file: same fingerprint,
  same trading logic and settings;
* ``data_fingerprint``: SHA-256 over the names and content hashes of the data files
  (bar or tick files and instruments.csv); ``None`` for live market data.

File hashes are cached per (path, size, mtime), so a sweep over one data set hashes
it once per process.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..config import EngineConfig

__all__ = ["config_fingerprint", "data_files", "file_digest", "run_settings"]

_DIGESTS: dict[tuple[str, int, int], str] = {}
#: configuration keys that say where output goes, not how the run trades
_OUTPUT_KEYS = {("audit",), ("logging",), ("engine", "control_path"), ("trading_day", "report_dir"),
                ("results", "report_dir")}
#: data locations: their content is in the data fingerprint instead
_DATA_KEYS = {("backtest", "bars"), ("backtest", "instruments"), ("paper", "data"), ("paper", "instruments"),
              ("paper", "account_db")}


def file_digest(path: Path) -> str:
    """SHA-256 (hex) of a file's content, cached by (path, size, mtime)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    digest = _DIGESTS.get(key)
    if digest is None:
        with open(path, "rb") as handle:
            digest = _DIGESTS[key] = hashlib.file_digest(handle, "sha256").hexdigest()
    return digest


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def config_dump(config: EngineConfig) -> dict[str, Any]:
    """The configuration as JSON-friendly data, secrets masked."""
    data = config.model_dump(mode="json", by_alias=True)
    data["account_id"] = config.masked_account()
    return data


def config_fingerprint(config: EngineConfig) -> str:
    """SHA-256 of what decides how a run trades (see the module docstring)."""
    data = config_dump(config)
    for path in (*_OUTPUT_KEYS, *_DATA_KEYS):
        node = data
        for key in path[:-1]:
            node = node.get(key) or {}
        if isinstance(node, dict):
            node.pop(path[-1], None)
    for entry in [*data.get("strategies", []), *data.get("plugins", {}).get("files", [])]:
        source = entry.get("path")
        if source and Path(source).is_file():
            entry["path"] = {"name": Path(source).name, "sha256": file_digest(Path(source))}
    return hashlib.sha256(_canonical(data).encode("utf-8")).hexdigest()


def data_files(config: EngineConfig) -> list[Path] | None:
    """The files a replay reads (None for live market data; [] when they cannot be listed)."""
    try:
        if config.mode == "backtest":
            from ..runtime.backtest import bar_files

            files = list(bar_files(config.backtest, str(config.source_path or "config")).values())
            instruments = config.backtest.instruments
        elif config.mode == "paper" and config.paper.feed == "replay":
            from ..marketdata.formats import list_tick_files

            files = list_tick_files(config.paper.data_path())
            instruments = config.paper.instruments_path()
        else:
            return None
    except Exception:  # noqa: BLE001 - the runtime reports unreadable data itself
        return []
    if instruments is not None and Path(instruments).is_file():
        files.append(Path(instruments))
    return sorted(Path(f) for f in files)


def data_fingerprint(files: list[Path] | None) -> str | None:
    if files is None:
        return None
    listing = [[f.name, file_digest(f)] for f in files if f.is_file()]
    return hashlib.sha256(_canonical(listing).encode("utf-8")).hexdigest()


def _data_section(config: EngineConfig, runtime: Any, files: list[Path] | None) -> dict[str, Any]:
    mode = config.mode
    section: dict[str, Any] = {"files": [str(f) for f in files] if files else []}
    if mode == "backtest":
        section.update(source=str(config.backtest.bars), period=config.backtest.period,
                       codes=list(getattr(runtime, "codes", []) or []))
    elif mode == "paper" and config.paper.feed == "replay":
        section.update(source=str(config.paper.data_path()), period="tick", codes=config.paper.codes)
    else:
        section.update(source="live market data (xtdata)", period="tick",
                       codes=list(config.live.codes) if mode == "live" else config.paper.codes)
    clock = getattr(runtime, "clock", None)
    if mode != "live" and clock is not None:
        section["first"] = clock.now().isoformat()
    last = getattr(runtime, "last_time", None)
    section["last"] = last.isoformat() if last is not None else None
    return section


def run_settings(config: EngineConfig, plugins: list, runtime: Any = None) -> dict[str, Any]:
    """The ``settings`` a run stores in its ``runs`` row (see the module docstring)."""
    files = data_files(config)
    return {
        "plugins": [p.name for p in plugins],
        "mode": config.mode,
        "data": _data_section(config, runtime, files),
        "strategies": {s.name: {"params": dict(s.params), "source": str(s.path or s.module),
                                "class": s.class_name} for s in config.strategies},
        "plugin_settings": {p.plugin_name: dict(p.settings) for p in config.plugins.files},
        "config": config_dump(config),
        "config_fingerprint": config_fingerprint(config),
        "data_fingerprint": data_fingerprint(files),
    }
