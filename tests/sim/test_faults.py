"""Seeded fault injection and determinism of the callback stream."""

from __future__ import annotations

from engine.sim import FaultConfig, make_tick
from engine.xt import constants as xc

CODE = "600519.SH"


def run(make_harness, delivery, faults, seed=7):
    h = make_harness(delivery=delivery, faults=faults, seed=seed)
    h.instrument(CODE)
    for i in range(6):
        h.clock.advance(3)
        h.md.publish({CODE: make_tick(h.clock.now(), 10.0 - i * 0.01, pre_close=10.0,
                                      asks=[(10.0 - i * 0.01, 3)], bids=[(9.9, 5)], volume_lots=10 * i)})
        h.trader.order_stock_async(h.acc, CODE, xc.STOCK_BUY, 200, xc.FIX_PRICE, 9.99, "s", f"r{i}")
        h.idle()
    return [(n, getattr(r, "order_id", None), getattr(r, "order_status", None)) for n, r in h.cb.calls]


def test_same_inputs_and_seed_give_the_same_callbacks(make_harness):
    faults = FaultConfig(duplicate_prob=0.3, reorder_prob=0.5, reject_prob=0.3)
    first = run(make_harness, "sync", faults)
    assert first == run(make_harness, "sync", faults)
    assert first == run(make_harness, "thread", faults)   # one worker keeps the order
    assert first != run(make_harness, "sync", faults, seed=8)


def test_random_rejections_are_junk_with_a_fault_message(make_harness):
    calls = run(make_harness, "sync", FaultConfig(reject_prob=1.0))
    assert {s for n, _, s in calls if n == "on_stock_order"} == {xc.ORDER_REPORTED, xc.ORDER_JUNK}


def test_reorder_puts_a_fill_before_its_order_update(make_harness):
    calls = [n for n, _, _ in run(make_harness, "sync", FaultConfig(reorder_prob=1.0))]
    i = calls.index("on_stock_trade")
    assert calls[i + 1] == "on_stock_order"


def test_duplicates_repeat_pushes(make_harness):
    plain = run(make_harness, "sync", FaultConfig())
    doubled = run(make_harness, "sync", FaultConfig(duplicate_prob=1.0))
    pushes = [c for c in plain if c[0].startswith("on_stock_")]
    assert len([c for c in doubled if c[0].startswith("on_stock_")]) == 2 * len(pushes)


def test_push_latency_delays_but_keeps_order(make_harness):
    calls = run(make_harness, "thread", FaultConfig(push_latency_s=(0.0, 0.002)))
    assert calls == run(make_harness, "sync", FaultConfig())


def test_random_disconnect_is_seeded(make_harness):
    calls = run(make_harness, "sync", FaultConfig(disconnect_prob=1.0, reconnect_after_s=1))
    assert calls[0][0] == "on_disconnected"
    assert all(n == "on_disconnected" for n, _, _ in calls)
