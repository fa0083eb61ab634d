"""The account: cash, positions, each strategy's book and the day's fills, with one owner.

:class:`AccountLedger` (``ledger.py``) is the owner; ``portfolio.py`` (the broker's
cash and positions), ``strategy_book.py`` (holdings and P&L per strategy) and
``fill_log.py`` (the fills of the last two trading days) are its parts;
``statement.py`` and ``equity_mark.py`` read it; ``restore.py`` rebuilds it at start-up.
"""

from .ledger import AccountLedger

__all__ = ["AccountLedger"]
