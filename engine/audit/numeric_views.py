"""The read-side views of migration m006: REAL numbers beside the exact TEXT, and the equity series.

Money in the tables is exact decimal TEXT (``'272.52'``), which sorts and compares
as text in SQL and datasette (``MAX(price)`` would pick ``'9.80'`` over
``'10.50'``). These views keep every TEXT column as it is and add a REAL
column beside it, named ``<column>_num``, for sorting, charts and arithmetic.
REAL sums are floating point: round them to cents (``ROUND(x, 2)``); exact
totals come from the TEXT values (``engine.audit.queries``, ``engine.results``).

Like the migrations, this SQL never changes once shipped: a later change to a
view is a new migration that drops and recreates it.
"""

from __future__ import annotations

from sqlite_utils import Database

#: Executions with numbers: every ``fill_facts`` column plus REAL price, amount and commission.
FILLS_NUMERIC = """CREATE VIEW fills_numeric AS
SELECT run_id, seq, ts, trading_day, trade_id, client_order_id, order_id, strategy, code, side,
       price, CAST(price AS REAL) AS price_num, volume,
       amount, CAST(amount AS REAL) AS amount_num,
       commission, CAST(commission AS REAL) AS commission_num,
       traded_time, scope, run_order, is_repeat, first_seen_run_id
FROM fill_facts"""

#: One row per order intent with its latest status in its scope and its fills (each execution once).
ORDERS_LATEST = """CREATE VIEW orders_latest AS
WITH latest AS (
    SELECT s.scope, u.client_order_id, u.order_id, u.order_sysid, u.status, u.status_label, u.status_msg,
           u.traded_volume, u.ts AS status_at,
           ROW_NUMBER() OVER (PARTITION BY s.scope, u.client_order_id ORDER BY s.run_order DESC, u.seq DESC) AS newest
    FROM order_updates u JOIN run_scopes s ON s.run_id = u.run_id
), filled AS (
    SELECT scope, client_order_id, SUM(volume) AS filled_volume, SUM(CAST(amount AS REAL)) AS amount,
           SUM(CAST(commission AS REAL)) AS fees
    FROM fill_facts WHERE is_repeat = 0 GROUP BY scope, client_order_id
)
SELECT i.run_id, i.seq, i.ts, substr(i.ts, 1, 10) AS trading_day, i.client_order_id, i.strategy, i.code,
       i.side, i.volume, i.price, CAST(i.price AS REAL) AS price_num, i.price_type, i.external,
       l.status, COALESCE(l.status_label, 'no broker status') AS status_label, l.status_msg, l.status_at,
       l.order_id, l.order_sysid, COALESCE(f.filled_volume, 0) AS filled_volume,
       ROUND(f.amount, 2) AS filled_amount_num,
       CASE WHEN f.filled_volume > 0 THEN ROUND(f.amount / f.filled_volume, 4) END AS avg_price_num,
       ROUND(COALESCE(f.fees, 0), 2) AS fees_num, s.scope, s.run_order
FROM order_intents i
JOIN run_scopes s ON s.run_id = i.run_id
LEFT JOIN latest l ON l.scope = s.scope AND l.client_order_id = i.client_order_id AND l.newest = 1
LEFT JOIN filled f ON f.scope = s.scope AND f.client_order_id = i.client_order_id"""

#: Every equity mark with numbers and the exposure (market value / total asset).
EQUITY_INTRADAY = """CREATE VIEW equity_intraday AS
SELECT run_id, seq, ts, substr(ts, 1, 10) AS trading_day, kind,
       cash, CAST(cash AS REAL) AS cash_num, frozen_cash, CAST(frozen_cash AS REAL) AS frozen_cash_num,
       market_value, CAST(market_value AS REAL) AS market_value_num,
       total_asset, CAST(total_asset AS REAL) AS total_asset_num,
       CASE WHEN CAST(total_asset AS REAL) > 0 THEN CAST(market_value AS REAL) / CAST(total_asset AS REAL) END AS exposure,
       pnl_today, CAST(pnl_today AS REAL) AS pnl_today_num, positions, strategies
FROM equity_marks"""

#: One row per run and trading day: the day's last mark, its P&L against the previous day's
#: last mark of the run (the first day: against the run's first mark) and the day's return.
EQUITY_DAILY = """CREATE VIEW equity_daily AS
WITH marks AS (
    SELECT run_id, seq, ts, substr(ts, 1, 10) AS trading_day, kind, cash, market_value, total_asset,
           CAST(total_asset AS REAL) AS total,
           FIRST_VALUE(CAST(total_asset AS REAL)) OVER (PARTITION BY run_id ORDER BY seq) AS run_start,
           ROW_NUMBER() OVER (PARTITION BY run_id, substr(ts, 1, 10) ORDER BY seq DESC) AS newest
    FROM equity_marks
), days AS (
    SELECT *, LAG(total, 1, run_start) OVER (PARTITION BY run_id ORDER BY trading_day) AS previous
    FROM marks WHERE newest = 1
)
SELECT run_id, trading_day, seq, ts, kind, cash, CAST(cash AS REAL) AS cash_num,
       market_value, CAST(market_value AS REAL) AS market_value_num, total_asset, total AS total_asset_num,
       previous AS previous_total_asset_num, ROUND(total - previous, 2) AS pnl_num,
       CASE WHEN previous > 0 THEN total / previous - 1 END AS return_num,
       CASE WHEN total > 0 THEN CAST(market_value AS REAL) / total END AS exposure
FROM days"""

#: Each run with its stop, the first and last equity and the P&L between them.
RUN_RESULTS = """CREATE VIEW run_results AS
WITH ends AS (
    SELECT run_id, MIN(seq) AS first_seq, MAX(seq) AS last_seq, COUNT(DISTINCT substr(ts, 1, 10)) AS days
    FROM equity_marks GROUP BY run_id
)
SELECT o.run_id, o.run_order, o.mode, o.started_at, o.stopped_at, o.stop_reason, e.days,
       f.total_asset AS start_equity, l.total_asset AS end_equity,
       ROUND(CAST(l.total_asset AS REAL) - CAST(f.total_asset AS REAL), 2) AS pnl_num,
       CASE WHEN CAST(f.total_asset AS REAL) > 0
            THEN CAST(l.total_asset AS REAL) / CAST(f.total_asset AS REAL) - 1 END AS return_num,
       o.settings
FROM run_overview o
LEFT JOIN ends e ON e.run_id = o.run_id
LEFT JOIN equity_marks f ON f.run_id = e.run_id AND f.seq = e.first_seq
LEFT JOIN equity_marks l ON l.run_id = e.run_id AND l.seq = e.last_seq"""

NUMERIC_VIEWS: tuple[str, ...] = (FILLS_NUMERIC, ORDERS_LATEST, EQUITY_INTRADAY, EQUITY_DAILY, RUN_RESULTS)


def create_numeric_views(db: Database) -> None:
    """Create the views of migration m006 (called by the migration only)."""
    for statement in NUMERIC_VIEWS:
        db.execute(statement)
