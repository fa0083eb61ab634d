"""The writer thread's hand-back of a durable write to the waiting caller."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from engine.audit.completion import Completion


def blocked_in(thread: threading.Thread, function: str, limit: float = 20.0) -> bool:
    """True once ``thread`` is executing ``function`` (its innermost Python frame), observed, not guessed."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and thread.is_alive():
        frame = sys._current_frames().get(thread.ident)
        if frame is not None and frame.f_code.co_name == function:
            return True
        time.sleep(0.001)
    return False


def test_result_waits_for_the_writer_thread_and_can_be_read_again():
    done, seen = Completion(), []
    waiter = threading.Thread(target=lambda: (done.result(), seen.append("released")))
    waiter.start()
    assert blocked_in(waiter, "result")  # it is inside result(), waiting on the lock
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
