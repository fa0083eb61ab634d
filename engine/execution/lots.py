"""Board lot rules for the volumes a planner may send (ashare_rules.md §2.1, §2.2).

Buys: at least the board's minimum, then whole steps (main board and ChiNext 100 / 100,
STAR 200 / 1, BSE 100 / 1, funds 100 / 100, bonds 10 / 10). Sells: at most the T+1
sellable volume, in whole lots, and an odd remainder only in one order that takes all
of it (STAR and BSE: any volume from the minimum up, or the whole sellable balance).
"""

from __future__ import annotations

from ..instruments import BOND, BSE, STAR, board_of, buy_lot

__all__ = ["buy_volume", "sell_lot", "sell_volume"]


def buy_volume(code: str, wanted: int) -> int:
    """The largest valid buy volume of ``code`` not above ``wanted`` (0 when below the board minimum)."""
    minimum, step = buy_lot(code)
    if wanted < minimum:
        return 0
    return minimum + (wanted - minimum) // step * step


def sell_lot(code: str) -> int:
    """The board's round lot for sells: 200 on STAR (its minimum), 10 for bonds, else 100."""
    board = board_of(code)
    return 200 if board == STAR else 10 if board == BOND else 100


def sell_volume(code: str, wanted: int, sellable: int) -> int:
    """The largest valid sell volume of ``code`` not above ``wanted``, given ``sellable`` (T+1) shares.

    Selling all of ``sellable`` is always valid. Otherwise on STAR / BSE any volume
    from the minimum (200 / 100) up is valid; elsewhere whole lots, or whole lots
    plus the entire odd remainder (holding 150: 50, 100 or 150; never 120).
    """
    wanted = min(wanted, sellable)
    if wanted <= 0:
        return 0
    if wanted == sellable:
        return sellable
    board = board_of(code)
    if board in (STAR, BSE):
        minimum = 200 if board == STAR else 100
        return wanted if wanted >= minimum else 0
    lot = sell_lot(code)
    odd = sellable % lot
    whole = wanted // lot * lot
    with_odd = (wanted - odd) // lot * lot + odd if odd and wanted >= odd else 0
    return max(whole, with_odd)
