"""Schema migrations of the audit database (sqlite-utils ``Migrations``).

Rules for this file:

* Migrations are applied on open (:func:`engine.audit.open_audit_db`), each in
  its own transaction together with its ``_sqlite_migrations`` record, so a
  failing migration leaves the file as it was.
* Never edit a migration that has shipped: add ``m002_...`` instead. A file
  that records a migration this code does not know is refused as "newer than
  the code".
* Every event table carries the envelope ``run_id``, ``seq``, ``ts`` and has
  ``PRIMARY KEY (run_id, seq)``: ``seq`` is unique within a run across all
  tables, so the key doubles as a duplicate-write guard and as the index that
  keeps per-run reads in event order.
* Money and prices are TEXT decimal strings (``'11.61'``), never REAL, so the
  file holds exactly what the engine computed. Cast in SQL for arithmetic:
  ``CAST(price AS REAL)``; compare numerically, never as text.
* Adding an event type or field needs a migration here *and* an entry in
  :data:`engine.audit.tables.EVENT_TABLES`; a test fails until both exist.
* Every table is append-only from m004 on: a migration that adds a table
  calls :func:`append_only` on it. Columns may only be added at the end
  (``ADD COLUMN``): the hash chain hashes a row's values in declared column
  order (trailing NULLs dropped), so reordering columns would break it.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .numeric_views import create_numeric_views

#: The migration set name recorded in ``_sqlite_migrations.migration_set``.
MIGRATION_SET_NAME = "qmt_engine_audit"

MIGRATIONS = Migrations(MIGRATION_SET_NAME)
MIGRATIONS_TABLE = Migrations.migrations_table

# The envelope every event row carries. ``ts`` is the engine clock (simulated
# time in replays), so cross-run ordering uses the run's insertion order
# (``run_scopes.run_order``), never ``ts``.
_ENVELOPE = """
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,"""

_KEY = "PRIMARY KEY (run_id, seq)"

# The order-shaped columns shared by risk decisions, denials and intents.
_ORDER_REQUEST = """
    client_order_id TEXT NOT NULL,
    strategy TEXT,
    code TEXT,
    side TEXT,
    volume INTEGER,
    price TEXT,"""

_BROKER_ERROR = """
    client_order_id TEXT,
    order_id INTEGER,
    strategy TEXT,
    error_id INTEGER,
    error_msg TEXT,"""


def _event_table(db: Database, table: str, columns: str, *constraints: str) -> None:
    """Create one event table: envelope + ``columns`` + the (run_id, seq) key + ``constraints``."""
    body = ",\n    ".join((columns.strip().rstrip(","), _KEY, *constraints))
    db.execute(f"CREATE TABLE {table} ({_ENVELOPE}\n    {body}\n)")


def _index(db: Database, table: str, *columns: str) -> None:
    name = f"idx_{table}_{'_'.join(columns)}"
    db.execute(f"CREATE INDEX {name} ON {table} ({', '.join(columns)})")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """The first schema: one table per event type, plus three read-side views."""
    # One row per run. RunStarted inserts it; nothing ever updates it (the
    # stop is its own append-only row in run_stops), so issue #6 can forbid
    # UPDATE/DELETE on every table with triggers and chain row hashes.
    db.execute(
        """CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    mode TEXT NOT NULL,
    config_path TEXT,
    account TEXT,
    engine_version TEXT,
    settings TEXT
)"""
    )
    # At most one stop per run (the key is run_id alone). A run without a row
    # here crashed or is still running.
    db.execute(
        """CREATE TABLE run_stops (
    run_id TEXT NOT NULL PRIMARY KEY REFERENCES runs(run_id),
    seq INTEGER NOT NULL,
    ts TEXT NOT NULL,
    reason TEXT,
    summary TEXT
)"""
    )
    # Every rule's answer on every request, allowed ones too: the evidence
    # behind both "why was this denied" and "what did risk see when it allowed".
    # ``limit`` is an SQL keyword, so the column is ``limit_value``.
    _event_table(db, "risk_decisions", _ORDER_REQUEST + """
    allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),
    rule TEXT,
    plugin TEXT,
    reason TEXT,
    value TEXT,
    limit_value TEXT,""")
    _index(db, "risk_decisions", "client_order_id")
    # The first denying decision per blocked request (the order never left).
    _event_table(db, "order_denials", _ORDER_REQUEST + """
    rule TEXT,
    plugin TEXT,
    reason TEXT,""")
    _index(db, "order_denials", "client_order_id")
    # Orders that passed risk, committed before the broker call (durable).
    # A client order id is used once per run; a repeat is refused, which keeps
    # a bug from sending the same order twice.
    _event_table(db, "order_intents", _ORDER_REQUEST + """
    price_type INTEGER,
    external INTEGER NOT NULL DEFAULT 0 CHECK (external IN (0, 1)),""",
        "UNIQUE (run_id, client_order_id)")
    _index(db, "order_intents", "client_order_id")
    # What the broker call returned: request_seq of order_stock_async, or -1.
    _event_table(db, "order_submissions", """
    client_order_id TEXT NOT NULL,
    request_seq INTEGER,
    result INTEGER,
    detail TEXT,""")
    _index(db, "order_submissions", "client_order_id")
    # The status history: one row per status or filled-volume change.
    _event_table(db, "order_updates", """
    client_order_id TEXT NOT NULL,
    order_id INTEGER,
    order_sysid TEXT,
    status INTEGER,
    status_label TEXT,
    previous_status INTEGER,
    traded_volume INTEGER,
    status_msg TEXT,""")
    _index(db, "order_updates", "client_order_id")
    # Executions as each run saw them. Deliberately no UNIQUE on trade_id: a
    # restart re-reads the day's trades, and the journal records what every
    # run saw. The view fill_facts marks repeats (same execution seen again).
    _event_table(db, "fills", """
    trade_id TEXT NOT NULL,
    client_order_id TEXT,
    order_id INTEGER,
    strategy TEXT,
    code TEXT,
    side TEXT,
    price TEXT,
    volume INTEGER,
    amount TEXT,
    commission TEXT,
    traded_time TEXT,""")
    _index(db, "fills", "client_order_id")
    _index(db, "fills", "trade_id")
    # Broker refusals of orders (废单) and of cancels; client_order_id is NULL
    # when the push could not be matched to an engine order.
    _event_table(db, "order_errors", _BROKER_ERROR)
    _index(db, "order_errors", "client_order_id")
    _event_table(db, "cancel_requests", """
    client_order_id TEXT,
    order_id INTEGER,
    strategy TEXT,
    result INTEGER,""")
    _index(db, "cancel_requests", "client_order_id")
    _event_table(db, "cancel_errors", _BROKER_ERROR)
    _index(db, "cancel_errors", "client_order_id")
    # Connection life: connected, disconnected, reconnecting, reconnected, failed.
    _event_table(db, "connection_events", """
    kind TEXT NOT NULL,
    session_id INTEGER,
    detail TEXT,""")
    # A plugin raised inside a hook; faulted = 1 once it is skipped for good.
    _event_table(db, "plugin_errors", """
    plugin TEXT,
    hook TEXT,
    error_type TEXT,
    error TEXT,
    traceback TEXT,
    hook_input TEXT,
    consecutive_failures INTEGER,
    faulted INTEGER NOT NULL DEFAULT 0 CHECK (faulted IN (0, 1)),""")
    _event_table(db, "job_runs", """
    job TEXT,
    target TEXT,
    scheduled_for TEXT,
    outcome TEXT,
    duration_ms REAL,
    error TEXT,""")
    # ACTIVE / REDUCING / HALTED changes of the account or one strategy.
    _event_table(db, "trading_states", """
    scope TEXT,
    previous TEXT,
    current TEXT,
    cause TEXT,""")
    _create_views(db)


@MIGRATIONS()
def m002_reconciliation_and_alerts(db: Database) -> None:
    """Reconciliation differences and operator alerts (issue #4: the live gateway)."""
    # After a reconnect or a restart the engine compares its orders, fills,
    # positions and cash with the broker's; each disagreement is a row, and the
    # broker's view is what the engine then uses (``action`` says what it did).
    _event_table(db, "reconciliation_diffs", """
    kind TEXT NOT NULL,
    subject TEXT,
    engine_value TEXT,
    broker_value TEXT,
    action TEXT,""")
    # Things an operator should look at: a market-data feed that went silent in
    # trading hours, an order whose fills exceed its volume, a daily re-init.
    _event_table(db, "alerts", """
    kind TEXT NOT NULL,
    detail TEXT,""")


@MIGRATIONS()
def m003_daily_statements(db: Database) -> None:
    """The post-close daily statement of the built-in trading-day routine (issue #7)."""
    # One row per trading day a run closed: orders, fills, fees and P&L per
    # strategy and for the account, as JSON (amounts are decimal strings).
    _event_table(db, "daily_statements", """
    day TEXT NOT NULL,
    statement TEXT,""")
    _index(db, "daily_statements", "day")


@MIGRATIONS()
def m004_append_only_and_hash_chain(db: Database) -> None:
    """Append-only triggers on every audit table, and the hash chain (issue #6: tamper evidence)."""
    tables = [name for name in db.table_names() if name != MIGRATIONS_TABLE]
    # Rows already in the file were written before the chain existed: they are
    # reported by ``audit verify`` as "unchained", never as tampering. The
    # boundary is each table's largest rowid and row count right now.
    db.execute(
        """CREATE TABLE audit_unchained (
    table_name TEXT PRIMARY KEY,
    max_rowid INTEGER NOT NULL,
    row_count INTEGER NOT NULL
)"""
    )
    for table in tables:
        max_rowid, row_count = db.execute(f"SELECT COALESCE(MAX(rowid), 0), COUNT(*) FROM [{table}]").fetchone()
        db.execute("INSERT INTO audit_unchained VALUES (?, ?, ?)", [table, max_rowid, row_count])
    # One block per writer commit: the commit's rows as [table, run_id, seq,
    # content_hash] in write order, and the chain link before and after them.
    # Rows are found again by (run_id, seq), the key of every event table.
    db.execute(
        """CREATE TABLE audit_chain (
    block INTEGER PRIMARY KEY,
    first_position INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    entries TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    head_hash TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    note TEXT
)"""
    )
    for table in (*tables, "audit_unchained", "audit_chain"):
        append_only(db, table)


@MIGRATIONS()
def m005_chain_blocks_with_digests(db: Database) -> None:
    """One SHA-256 per chain block over its rows' digests (issue #8: cheaper chain, same evidence).

    Blocks from here on store their rows' 32-byte content hashes in ``digests``
    (a BLOB, in write order) and ``entries`` as ``[table, run_id, seq]``; the
    head is ``sha256(prev_hash || digests)``. Blocks written before keep
    ``digests`` NULL and their per-row links; ``audit verify`` checks both.
    """
    db.execute("ALTER TABLE audit_chain ADD COLUMN digests BLOB")


@MIGRATIONS()
def m006_equity_marks_and_numeric_views(db: Database) -> None:
    """Equity marks, and views with REAL numbers beside the exact TEXT (issues #15 and #16).

    A run's equity over time was only JSON inside ``daily_statements``, and prices
    compared as text in SQL. ``equity_marks`` holds the account's value, P&L today,
    positions and each strategy's P&L today at the start, in trading hours, after
    each close and at the stop (the built-in plugin ``results``): the points every
    report is computed from, and the equity curve and positions of ``qmt-engine serve``. The views
    (``engine/audit/numeric_views.py``) add ``<column>_num`` REAL columns next to
    the TEXT ones: ``fills_numeric``, ``orders_latest``, ``equity_intraday``,
    ``equity_daily`` and ``run_results``.
    """
    _event_table(db, "equity_marks", """
    kind TEXT NOT NULL,
    cash TEXT,
    frozen_cash TEXT,
    market_value TEXT,
    total_asset TEXT,
    pnl_today TEXT,
    positions TEXT,
    strategies TEXT,""")
    append_only(db, "equity_marks")
    create_numeric_views(db)


@MIGRATIONS()
def m007_strategy_states(db: Database) -> None:
    """Each strategy's ``ctx.state`` as saved, so a restart restores it, and order notes (issue 13).

    ``strategy_states``: one row per save (when the state changed, and at the stop):
    ``state`` is the JSON text. The next run on the same account takes each
    strategy's latest. ``order_intents.note``: the strategy's free text of
    ``ctx.buy(..., note=...)``.
    """
    db.execute("ALTER TABLE order_intents ADD COLUMN note TEXT")
    _event_table(db, "strategy_states", """
    strategy TEXT NOT NULL,
    state TEXT NOT NULL,""")
    _index(db, "strategy_states", "strategy")
    append_only(db, "strategy_states")


def append_only(db: Database, table: str) -> None:
    """Make ``table`` refuse UPDATE and DELETE (a later migration adding a table calls this too).

    ``INSERT OR REPLACE`` deletes without firing DELETE triggers (unless
    ``recursive_triggers`` is on); the hash chain reports such a replaced row.
    """
    for action, verb in (("UPDATE", "updated"), ("DELETE", "deleted")):
        db.execute(
            f"CREATE TRIGGER [{table}_append_only_{action.lower()}] BEFORE {action} ON [{table}] "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be {verb}'); END"
        )


def _create_views(db: Database) -> None:
    # run_order: the order runs were written in (engine clocks of replays are
    # simulated, so ts cannot order runs). scope: which runs share one real
    # account's executions. Live runs on one account see the same trades; a
    # paper or backtest run is its own world.
    db.execute(
        """CREATE VIEW run_scopes AS
SELECT run_id, rowid AS run_order, mode,
       CASE WHEN mode = 'live' THEN 'live:' || COALESCE(account, '') ELSE 'run:' || run_id END AS scope
FROM runs"""
    )
    # The classic one-row-per-run shape: start, stop and why, in one place.
    db.execute(
        """CREATE VIEW run_overview AS
SELECT r.run_id, r.rowid AS run_order, r.ts AS started_at, s.ts AS stopped_at, r.mode,
       r.config_path, r.account, r.engine_version, r.settings,
       s.reason AS stop_reason, s.summary
FROM runs r LEFT JOIN run_stops s ON s.run_id = r.run_id"""
    )
    # One execution is (scope, code, trading day, trade_id): exchange trade
    # numbers are unique per market and day. The first run that saw it owns
    # it; later sightings (after a restart) have is_repeat = 1.
    db.execute(
        """CREATE VIEW fill_facts AS
SELECT f.*, s.scope, s.run_order, substr(f.ts, 1, 10) AS trading_day,
       FIRST_VALUE(f.run_id) OVER execution AS first_seen_run_id,
       ROW_NUMBER() OVER execution > 1 AS is_repeat
FROM fills f JOIN run_scopes s ON s.run_id = f.run_id
WINDOW execution AS (
    PARTITION BY s.scope, f.code, substr(f.ts, 1, 10), f.trade_id
    ORDER BY s.run_order, f.seq
)"""
    )
