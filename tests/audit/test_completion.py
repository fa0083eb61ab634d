"""The writer thread's hand-back of a durable write to the waiting caller."""

from __future__ import annotations

import threading

import pytest

from engine.audit.completion import Completion


def test_result_waits_for_the_writer_thread_and_can_be_read_again():
    done, seen = Completion(), []
    waiter = threading.Thread(target=lambda: (done.result(), seen.append("released")))
    waiter.start()
    waiter.join(0.05)
    assert seen == [] and not done.done()  # still waiting
    done.set_result(None)
    waiter.join(5)
    assert seen == ["released"] and done.done()
    done.result()  # a second read returns at once


def test_an_exception_is_raised_to_every_reader():
    done = Completion()
    done.set_exception(ValueError("disk full"))
    for _ in range(2):
        with pytest.raises(ValueError, match="disk full"):
            done.result()


def test_it_is_resolved_once():
    done = Completion()
    done.set_result()
    with pytest.raises(RuntimeError, match="twice"):
        done.set_exception(ValueError("late"))
