"""Test double of ``xtquant.datacenter`` (the Windows-only quote library), backed by a ``SimXtData``.

Put this module at ``sys.modules["xtquant.datacenter"]`` before importing
``xtquant.xtdata``. ``xtquant.xtdatacenter`` calls :func:`rpc_init` at import;
``xtdata.connect()`` then goes through the real ``xtconn`` (address scan,
``try_create_client``, ``connect()``) to an :class:`IPythonApiClient`, which
serves the quotes of the ``SimXtData`` given to :func:`attach`:

* ``subscribe_quote(meta_bson, region_bson, param_bson, callback)`` decodes the
  BSON arguments as the native library does and subscribes in the simulator;
  each published tick reaches xtdata's callback wrapper as **BSON bytes**, on
  the simulator's market-data thread (xtdata decodes them with ``xtbson``).
* ``subscribe_whole_quote(code_list, param_bson, callback)``, ``unsubscribe_quote(seq)``.
* ``get_full_tick(code_list)`` answers JSON text; ``get_instrument_detail(code)``
  a BSON document buffer (read by ``xtutil.read_from_bson_buffer``).

With nothing attached the client cannot connect, as when no QMT client runs.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable

from . import miniqmt

__all__ = ["IPythonApiClient", "attach", "detach", "get_local_server_port", "register_create_nparray", "rpc_init"]

_STATE_LOCK = threading.Lock()
_attached: dict[str, Any] = {"md": None, "backend": None, "history": None}


def _bson():
    from xtquant import xtbson  # the real codec (pure Python on Linux); imported lazily: the package imports us

    return xtbson


def attach(md, backend: miniqmt.MiniQmtDouble | None = None) -> None:
    """Serve ``md`` (a ``SimXtData``); API calls are recorded on ``backend`` when given."""
    with _STATE_LOCK:
        _attached["md"], _attached["backend"] = md, backend


def detach() -> None:
    with _STATE_LOCK:
        _attached["md"], _attached["backend"], _attached["history"] = None, None, None


def attach_history(server) -> None:
    """Serve downloads, local reads and dividend factors from ``server`` (a ``HistoryServer``)."""
    with _STATE_LOCK:
        _attached["history"] = server


def _history():
    with _STATE_LOCK:
        server = _attached["history"]
    if server is None:
        raise NotImplementedError("datacenter double: no HistoryServer attached (attach_history)")
    return server


def _md():
    with _STATE_LOCK:
        md = _attached["md"]
    if md is None:
        raise ConnectionError("datacenter double: no SimXtData attached (no quote service is running)")
    return md


def _record(method: str) -> None:
    with _STATE_LOCK:
        backend = _attached["backend"]
    if backend is not None:
        backend.record_call("xtdata", method)


def rpc_init(config_dir: str) -> int:
    """0: the RPC layer is ready (the real one reads ``config_dir``)."""
    return 0


def get_local_server_port() -> int:
    """0: no in-process quote server (xtconn then tries the default address)."""
    return 0


def register_create_nparray(function: Callable) -> None:
    """xtdata registers its numpy factory here; only the native market-data readers use it."""


def __getattr__(name: str):
    def unsupported(*args, **kwargs):
        raise NotImplementedError(f"xtquant.datacenter.{name}: not modelled by the test double")

    if name.startswith("__"):
        raise AttributeError(name)
    return unsupported


class IPythonApiClient:
    """The RPC client xtdata talks to; quotes come from the attached ``SimXtData``."""

    def __init__(self) -> None:
        self._connected = False
        self.address = ""
        self._subscriptions: dict[int, Any] = {}

    def __getattr__(self, name: str):
        def unsupported(*args, **kwargs):
            raise NotImplementedError(f"IPythonApiClient.{name}: not modelled by the test double")

        if name.startswith("_"):
            raise AttributeError(name)
        return unsupported

    # -- connection -------------------------------------------------------------

    def init(self) -> None:
        """Nothing to prepare."""

    def load_config(self, path: str, section: str) -> int:
        return 0

    def set_config_addr(self, address: str) -> None:
        self.address = address

    def registerCommonControlCallback(self, name: str, callback: Callable) -> None:  # noqa: N802
        """Status callbacks are never called by this double."""

    def connect(self) -> tuple[int, str]:
        with _STATE_LOCK:
            ready = _attached["md"] is not None
        self._connected = ready
        return (0, "") if ready else (-1, "datacenter double: no quote service attached")

    def is_connected(self) -> bool:
        with _STATE_LOCK:
            return self._connected and _attached["md"] is not None

    def shutdown(self) -> None:
        self._connected = False

    def get_data_dir(self) -> str:
        return ""

    def get_app_dir(self) -> str:
        return "xtquant-double"

    def get_peer_addr(self) -> str:
        return self.address

    def get_server_tag(self) -> bytes:
        return bytes(_bson().BSON.encode({"name": "datacenter test double"}))

    def commonControl(self, function: str, param: bytes) -> bytes:  # noqa: N802
        if function == "getapiversion":
            return bytes(_bson().BSON.encode({"downloadversion": 0}))
        raise NotImplementedError(f"IPythonApiClient.commonControl({function!r}): not modelled by the test double")

    # -- quotes -----------------------------------------------------------------

    def subscribe_quote(self, meta: bytes, region: bytes, param: bytes, callback: Callable | None) -> int:
        _record("subscribe_quote")
        codec = _bson().BSON
        spec = codec(meta).decode()
        codec(region).decode()
        wants_callback = codec(param).decode().get("needCallback", False)
        return _md().subscribe_quote(spec["stockCode"], period=spec["period"],
                                     callback=_as_bson_callback(callback) if wants_callback else None)

    def subscribe_whole_quote(self, code_list: list[str], param: bytes, callback: Callable | None) -> int:
        _record("subscribe_whole_quote")
        wants_callback = _bson().BSON(param).decode().get("needCallback", False)
        return _md().subscribe_whole_quote(list(code_list),
                                           callback=_as_bson_callback(callback) if wants_callback else None)

    def unsubscribe_quote(self, seq: int) -> bool:
        _record("unsubscribe_quote")
        _md().unsubscribe_quote(seq)
        return True

    def get_full_tick(self, code_list: list[str]) -> str:
        _record("get_full_tick")
        return json.dumps(_md().get_full_tick(list(code_list)))

    # -- history (a HistoryServer, see history_server.py) ----------------------------

    def supply_history_data2(self, codes, period, start, end, param, on_progress) -> bool:
        _record("supply_history_data2")
        _bson().BSON(param).decode()
        return _history().supply_history_data2(list(codes), period, start, end, param, on_progress)

    def stop_supply_history_data2(self) -> None:
        _record("stop_supply_history_data2")

    def get_market_data3(self, *args):
        _record("get_market_data3")
        return _history().get_market_data3(*args)

    def get_divid_factors(self, code, start="", end=""):
        _record("get_divid_factors")
        return _history().get_divid_factors(code, start, end)

    def get_stock_list_in_sector(self, sector, timetag=-1):
        _record("get_stock_list_in_sector")
        return list(_history().sectors.get(sector, []))

    def get_instrument_detail(self, code: str) -> bytes | None:
        _record("get_instrument_detail")
        detail = _md().get_instrument_detail(code)
        return None if detail is None else bytes(_bson().BSON.encode(detail))


def _as_bson_callback(callback: Callable | None) -> Callable | None:
    """Deliver simulator quote dicts to xtdata's wrapper as BSON bytes, as the native library does."""
    if callback is None:
        return None
    codec = _bson().BSON

    def deliver(datas: dict) -> None:
        callback(bytes(codec.encode(datas)))  # plain bytes: xtdata decodes only ``type(datas) == bytes``

    return deliver
