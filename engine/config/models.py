"""The configuration schema. Every model forbids unknown keys, so a typo is an error.

Relative paths are resolved against the directory of the configuration file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from ..builtin.metrics.settings import MetricsSettings
from ..builtin.notify.settings import NotifySettings
from ..builtin.risk.settings import RiskSettings
from ..results.settings import ResultsSettings
from ..scheduling.settings import CalendarSettings, JobSettings
from ..web.settings import WebSettings

#: Top-level fields whose values never appear in logs or error messages.
SECRET_FIELDS = frozenset({"account_id"})


#: A path in the file; relative ones are resolved against the config file's folder
#: by :func:`resolve_paths` once the whole file is validated.
ConfigPath = Path


def resolve_paths(model: BaseModel, base: Path) -> BaseModel:
    """Return ``model`` with every relative ``Path`` field (nested too) made absolute under ``base``."""
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Path) and not value.is_absolute():
            updates[name] = (base / value).resolve()
        elif isinstance(value, BaseModel):
            updates[name] = resolve_paths(value, base)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            updates[name] = [resolve_paths(item, base) for item in value]
    return model.model_copy(update=updates) if updates else model


def mask_secret(value: str | SecretStr | None) -> str:
    """Show a secret's shape without its content: ``'12345678'`` -> ``'12****78'``."""
    if value is None:
        return ""
    text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
    if len(text) <= 4:
        return "*" * len(text)
    return f"{text[:2]}{'*' * (len(text) - 4)}{text[-2:]}"


def sample_data_dir() -> Path:
    """The bundled synthetic sample data (see ``engine/data/sample/README.md``)."""
    return Path(str(resources.files("engine") / "data" / "sample"))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EngineSettings(Section):
    """``engine:`` how the core behaves."""

    max_consecutive_failures: int = Field(5, ge=1, description="a plugin that raises this many times in a row is FAULTED and skipped")
    heartbeat_seconds: float = Field(5.0, gt=0, description="engine-clock seconds between on_heartbeat calls")
    trace_hooks: bool = Field(False, description="log every hook call (also ENGINE_TRACE_HOOKS=1)")
    queue_warn_size: int = Field(10_000, ge=100, description="warn when this many inbound messages are waiting")
    submit_timeout_seconds: float = Field(15.0, gt=0, description="an order unanswered this long is looked up at the broker by client id")
    control_path: ConfigPath = Field(Path("var/control.db"), description="kill-switch commands and persisted trading states (SQLite)")
    control_poll_seconds: float = Field(0.25, gt=0, description="wall-clock seconds between checks for operator commands")
    cancel_open_on_stop: bool = Field(False, description="on Ctrl-C / SIGTERM / stop, cancel open orders before closing")
    stop_timeout_seconds: float = Field(5.0, ge=0, description="how long to wait for the broker to confirm those cancels")
    gc_tuning: bool = Field(True, description="during the run, freeze start-up objects and collect the young generation every gc_young_threshold allocations (shorter collector pauses)")
    gc_young_threshold: int = Field(50_000, ge=700, description="allocations between young-generation collections when gc_tuning is on")


class ConnectionSettings(Section):
    """``connection:`` connecting to the broker at start-up and after a disconnect (every mode)."""

    connect_retry_seconds: float = Field(180.0, ge=0, description="at start-up, keep retrying a refused connect this long "
                                         "(wall-clock seconds, same back-off as reconnects); 0 = one attempt")
    backoff_first_seconds: float = Field(1.0, gt=0, description="wait before the first retry")
    backoff_factor: float = Field(2.0, ge=1, description="each further wait is this many times the last")
    backoff_cap_seconds: float = Field(60.0, gt=0, description="the longest wait between two attempts")
    backoff_jitter: float = Field(0.2, ge=0, lt=1, description="each wait varies by up to this fraction (+/-)")


class LoggingSettings(Section):
    """``logging:`` console and rotating file log (loguru)."""

    level: Literal["TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR"] = "INFO"
    file: ConfigPath | None = Path("var/logs/qmt-engine.log")
    rotation: str = "10 MB"
    retention: int = Field(10, ge=1, description="rotated files kept")


class AuditSettings(Section):
    """``audit:`` the SQLite audit database."""

    path: ConfigPath = Path("var/audit.db")
    batch_size: int = Field(500, ge=1)
    flush_interval: float = Field(0.2, gt=0, description="seconds between batch writes of non-durable events")
    synchronous: Literal["full", "normal"] | None = Field(
        None,
        description="SQLite synchronous for the writer: full = every commit syncs the WAL (survives power loss); "
        "normal = commits survive a process crash, not an OS crash; none = by mode (full for live and paper, "
        "normal for backtest)",
    )

    durable_wait: bool | None = Field(
        None,
        description="wait for the commit of a durable event (an order intent) before the engine goes on: true = "
        "the intent is in the database before the order is sent; false = it is queued in order like any event; "
        "none = by mode (true for live and paper, false for backtest)",
    )

    def durable_wait_for(self, mode: str) -> bool:
        """Whether durable events wait for their commit in ``mode`` (the explicit setting wins).

        A backtest's broker is the in-process simulator: a crash ends both, and a backtest
        is rerun from its start, so the wait protects nothing there. Every event is still
        written, in the same order."""
        if self.durable_wait is not None:
            return self.durable_wait
        return mode != "backtest"

    def synchronous_for(self, mode: str) -> Literal["full", "normal"]:
        """The ``synchronous`` level the audit writer uses in ``mode`` (the explicit setting wins)."""
        if self.synchronous is not None:
            return self.synchronous
        return "normal" if mode == "backtest" else "full"


class FeeSettings(Section):
    """``paper.fees:`` the simulated broker's fee profile (each item rounded half-up to 0.01 CNY)."""

    commission_rate: Decimal = Field(Decimal("0.00025"), ge=0)
    min_commission: Decimal = Field(Decimal("5"), ge=0, description="CNY, charged once per order")
    stamp_duty_rate: Decimal = Field(Decimal("0.0005"), ge=0, description="stock sells only")
    transfer_fee_rate: Decimal = Field(Decimal("0.00001"), ge=0, description="stocks, both sides")
    etf_no_min: bool = Field(False, description="true = the broker waives the 5 CNY minimum on ETFs (免五)")
    min_commission_per: Literal["order", "fill"] = "order"


class FaultSettings(Section):
    """``paper.faults:`` seeded fault injection in the simulator (all off by default)."""

    disconnect_at: list[dt.datetime] = Field(default_factory=list, description="exchange-local times of forced disconnects")
    disconnect_prob: float = Field(0.0, ge=0, le=1, description="chance of a random disconnect per tick batch")
    reconnect_after_s: float = Field(0.0, ge=0, description="connect() fails this many seconds after a disconnect")
    push_latency_s: tuple[float, float] = Field((0.0, 0.0), description="(min, max) delay before each push")
    duplicate_prob: float = Field(0.0, ge=0, le=1, description="chance a push is delivered twice")
    reorder_prob: float = Field(0.0, ge=0, le=1, description="chance a fill arrives before its order update")
    reject_prob: float = Field(0.0, ge=0, le=1, description="chance a new order is rejected at random")


class PositionSeed(Section):
    code: str
    volume: int = Field(gt=0)
    avg_price: Decimal = Field(gt=0)


class PaperSettings(Section):
    """``paper:`` the simulated MiniQMT counter and the replayed market data."""

    feed: Literal["replay", "xtdata"] = Field("replay", description="replay tick files, or live xtdata quotes (paper trading on live data)")
    data: ConfigPath | None = Field(None, description="a tick file or a folder of them; default: the bundled sample")
    instruments: ConfigPath | None = Field(None, description="instruments.csv; default: the one beside the data")
    codes: list[str] | None = Field(None, description="replay only these codes (default: all in the data)")
    initial_cash: Decimal = Field(Decimal("1000000"), ge=0)
    positions: list[PositionSeed] = Field(default_factory=list)
    fees: FeeSettings = Field(default_factory=FeeSettings)
    seed: int = 0
    delivery: Literal["thread", "sync"] = Field("thread", description="simulator pushes on its own worker thread, or inline")
    outside_session: Literal["hold", "reject"] = "hold"
    account_db: ConfigPath | None = Field(None, description="persist the paper account here between runs (SQLite)")
    corporate_actions_store: ConfigPath | None = Field(
        None, description="a data store (qmt-engine data ...) whose cash dividends and bonus / transfer shares the "
        "simulator applies to the paper account on their ex-dates, as store backtests do (paper prices are raw)")
    faults: FaultSettings = Field(default_factory=FaultSettings)

    def data_path(self) -> Path:
        return self.data or sample_data_dir()

    def instruments_path(self) -> Path:
        if self.instruments is not None:
            return self.instruments
        data = self.data_path()
        return (data if data.is_dir() else data.parent) / "instruments.csv"


class BacktestSettings(Section):
    """``backtest:`` the bar replay and the simulated counter behind it.

    ``bars`` is one bar file (then ``code`` names its instrument, the format has no
    code column) or a folder of files named ``<code>.csv`` / ``<code>.csv.gz``
    (e.g. ``600000.SH.csv``). Files use the bar format of ``docs/data-format.md``:
    ``datetime,open,high,low,close,volume``, bar END time, volume in shares.
    """

    bars: ConfigPath | None = Field(None, description="a bar file, or a folder of <code>.csv[.gz] bar files")
    store: ConfigPath | None = Field(None, description="a data store folder (qmt-engine data ...), instead of bars")
    sector: str | None = Field(None, description="with store: the codes of a sector list the store holds "
                                                 "(saved by data download --sector)")
    codes_file: ConfigPath | None = Field(None, description="a text file of codes, one per line (# comments)")
    start: dt.date | None = Field(None, description="with store: the first day replayed")
    end: dt.date | None = Field(None, description="with store: the last day replayed")
    adjust: Literal["none", "front", "back"] = Field(
        "none", description="with store: raw prices plus corporate actions (none), or forward/backward-adjusted prices")
    corporate_actions: bool = Field(
        True, description="with store and adjust none: cash dividends and bonus shares applied on the ex-date")
    code: str | None = Field(None, description="the instrument of a single bar file (e.g. 600000.SH)")
    codes: list[str] | None = Field(None, description="with a folder: replay only these codes (default: all files)")
    instruments: ConfigPath | None = Field(None, description="instruments.csv (names, listing dates, ST flags); optional")
    period: Literal["1m", "5m", "15m", "30m", "1h", "1d"] = Field("1m", description="the bars' period (xtdata name)")
    fill_rule: Literal["next_open", "close"] = Field(
        "next_open", description="an order fills on the next bar: at its open (next_open) or its close (close)")
    slippage_bps: Decimal = Field(Decimal("0"), ge=0, description="fill prices move this many basis points against the order")
    participation: Decimal = Field(Decimal("0.1"), gt=0, le=1, description="a fill takes at most this share of the bar's volume")
    initial_cash: Decimal = Field(Decimal("1000000"), ge=0)
    positions: list[PositionSeed] = Field(default_factory=list)
    fees: FeeSettings = Field(default_factory=FeeSettings)
    outside_session: Literal["hold", "reject"] = Field(
        "hold", description="orders in 09:25-09:30 or the lunch break: held until matching resumes, or rejected")
    calendar: Literal["exchange", "weekdays"] = Field(
        "exchange", description="exchange: the XSHG calendar (bars on closed days are skipped); "
                                "weekdays: every Monday-Friday is a trading day (synthetic data)")
    seed: int = 0

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str | None) -> str | None:
        from ..instruments import InstrumentError, parse_code

        if value is not None:
            try:
                parse_code(value)
            except InstrumentError as exc:
                raise ValueError(str(exc)) from None
        return value

    def bars_path(self) -> Path:
        """The bars setting, or a clear error when it is missing."""
        if self.bars is None:
            raise ValueError("backtest.bars: give a bar file or a folder of <code>.csv bar files "
                             "(or backtest.store: a data store folder)")
        return self.bars


class LiveSettings(Section):
    """``live:`` the real MiniQMT client (Windows, ``pip install qmt-engine[qmt]``)."""

    userdata_path: ConfigPath | None = Field(None, description="MiniQMT's userdata_mini folder")
    codes: list[str] = Field(default_factory=list, description="codes to subscribe (tick)")
    whole_market: bool = Field(False, description="subscribe whole-market snapshots instead")
    bar_period: Literal["1m", "5m", "15m", "30m", "1h", "1d"] | None = Field(
        None, description="also subscribe bars of this period for live.codes (on_bar with finished bars)")
    bar_time_label: Literal["end", "start"] = Field("end", description="whether xtdata labels a bar by its end or start time")
    data_timeout_seconds: float = Field(60.0, gt=0, description="no tick this long in trading hours: alert and resubscribe")
    liveness_seconds: float = Field(30.0, gt=0, description="how often to query the broker to prove the connection lives")
    sync_timeout_ms: int = Field(10_000, ge=0, description="timeout of the SDK's sync calls (set_timeout); 0 = none")
    daily_reinit: dt.time | None = Field(dt.time(8, 45), description="reconnect with a fresh session at this time each day (null: never)")


class TradingDaySettings(Section):
    """``trading_day:`` the built-in daily routine (plugin ``trading_day``); a time of null skips that step."""

    pre_open_check: dt.time | None = Field(dt.time(9, 15), description="readiness check: connection, account, data, calendar")
    open: dt.time | None = Field(dt.time(9, 30), description="the open (logged and recorded)")
    lunch_break: dt.time | None = Field(dt.time(11, 30), description="the lunch break (logged and recorded)")
    close: dt.time | None = Field(dt.time(15, 0), description="the close; cancels open orders when cancel_open_at_close")
    post_close: dt.time | None = Field(dt.time(15, 5), description="reconcile with the broker and write the daily statement")
    cancel_open_at_close: bool = Field(False, description="cancel the account's open orders at the close step")
    report_dir: ConfigPath = Field(Path("var/reports"), description="where statement-YYYY-MM-DD.md reports are written")
    report_files: bool | None = Field(None, description="write the statement files; none = by mode: yes for live and paper, "
                                      "no for backtest (one pair per simulated day; the audit keeps every statement)")

    def report_files_for(self, mode: str) -> bool:
        """Whether the post-close step writes statement files in ``mode`` (the explicit setting wins)."""
        return self.report_files if self.report_files is not None else mode != "backtest"


class PluginFile(Section):
    """One plugin loaded by path (``path:``) or import name (``module:``)."""

    name: str | None = None
    path: ConfigPath | None = None
    module: str | None = None
    class_name: str | None = Field(None, alias="class")
    settings: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True

    @model_validator(mode="after")
    def _one_source(self) -> "PluginFile":
        if (self.path is None) == (self.module is None):
            raise ValueError("give exactly one of 'path' (a .py file) or 'module' (an importable name)")
        return self

    @property
    def plugin_name(self) -> str:
        if self.name:
            return self.name
        return self.path.stem if self.path is not None else str(self.module).rsplit(".", 1)[-1]


class StrategySettings(PluginFile):
    """One strategy: a plugin whose orders carry its name. ``params`` reach it as ``ctx.params``."""

    name: str  # type: ignore[assignment]  # strategies must be named
    params: dict[str, Any] = Field(default_factory=dict)


class PluginsSettings(Section):
    """``plugins:`` discovery and blocking."""

    files: list[PluginFile] = Field(default_factory=list)
    disabled: list[str] = Field(default_factory=list, description="plugin names never registered (built-ins too)")
    load_entrypoints: bool = Field(True, description="load installed packages' 'qmt_engine' entry points")


class EngineConfig(Section):
    """The whole ``config.yaml``."""

    mode: Literal["paper", "live", "backtest"] = "paper"
    account_id: SecretStr = Field(SecretStr("SIM00001"), description="use ${QMT_ACCOUNT_ID}; never logged in full")
    engine: EngineSettings = Field(default_factory=EngineSettings)
    connection: ConnectionSettings = Field(default_factory=ConnectionSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    paper: PaperSettings = Field(default_factory=PaperSettings)
    backtest: BacktestSettings = Field(default_factory=BacktestSettings)
    live: LiveSettings = Field(default_factory=LiveSettings)
    plugins: PluginsSettings = Field(default_factory=PluginsSettings)
    strategies: list[StrategySettings] = Field(default_factory=list)
    jobs: list[JobSettings] = Field(default_factory=list, description="scheduled jobs (docs/scheduling.md)")
    trading_day: TradingDaySettings = Field(default_factory=TradingDaySettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings, description="notifications (docs/notifications.md)")
    metrics: MetricsSettings = Field(default_factory=MetricsSettings, description="Prometheus endpoint (docs/web.md)")
    web: WebSettings = Field(default_factory=WebSettings, description="qmt-engine serve (docs/web.md)")
    results: ResultsSettings = Field(default_factory=ResultsSettings, description="equity marks, metrics, reports (docs/results.md)")
    source_path: Path | None = Field(None, exclude=True)

    @field_validator("account_id", mode="before")
    @classmethod
    def _account_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _unique_names(self) -> "EngineConfig":
        names = [s.name for s in self.strategies] + [p.plugin_name for p in self.plugins.files]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"plugin and strategy names must be unique; repeated: {', '.join(duplicates)}")
        return self

    def masked_account(self) -> str:
        return mask_secret(self.account_id)
