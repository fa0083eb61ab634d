"""The one guarded hook caller: each implementation is called on its own, inside a guard.

pluggy stops a hook call at the first exception (pluggy #419), which would let
one bad strategy take every other plugin down. The engine therefore calls the
implementations of a hook one by one, in pluggy's own order (``tryfirst``,
then last registered first, ``trylast`` last), passing each only the
arguments it declared. This module is the only place that does so.

A failure is turned into a :class:`HookFailure` and handed to ``on_failure``
(the engine records it and logs it); ``KeyboardInterrupt`` and ``SystemExit``
pass through. A plugin that fails ``max_consecutive_failures`` times in a row
is marked FAULTED and skipped from then on.
"""

from __future__ import annotations

import os
import reprlib
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pluggy
from loguru import logger

_short = reprlib.Repr()
_short.maxstring = 200
_short.maxother = 200
_short.maxlevel = 3


@dataclass(frozen=True, slots=True)
class HookFailure:
    """One implementation that raised: who, where, with what input, and what now."""

    plugin: str
    hook: str
    error: BaseException
    traceback: str
    hook_input: str
    consecutive_failures: int
    faulted: bool


@dataclass(frozen=True, slots=True)
class _Impl:
    """One implementation of a hook, with a caller that passes it exactly the arguments it declared.

    ``invoke(kwargs)`` is built once per implementation: the plugin's ``ctx`` is bound
    then, and the common shapes (``(ctx, x)``, ``(x)``, ``(ctx)``, ``()``) get a direct
    call instead of building an argument list on every call.
    """

    plugin: str
    function: Callable[..., Any]
    argnames: tuple[str, ...]
    invoke: Callable[[dict[str, Any]], Any]


def _invoker(function: Callable[..., Any], argnames: tuple[str, ...], ctx: Any) -> Callable[[dict[str, Any]], Any]:
    """A one-argument caller of ``function`` taking the hook's keyword arguments as a dict."""
    if argnames == ("ctx",):
        return lambda kwargs: function(ctx)
    if not argnames:
        return lambda kwargs: function()
    if len(argnames) == 2 and argnames[0] == "ctx":
        name = argnames[1]
        return lambda kwargs: function(ctx, kwargs[name])
    if len(argnames) == 1:
        name = argnames[0]
        return lambda kwargs: function(kwargs[name])
    return lambda kwargs: function(*[ctx if n == "ctx" else kwargs[n] for n in argnames])


class HookDispatcher:
    """Calls hooks implementation by implementation with per-plugin isolation.

    :param pm: the plugin manager (hooks are looked up once and cached; call
        :meth:`refresh` after registering or unregistering a plugin).
    :param context_for: returns the ``ctx`` object for a plugin name.
    :param on_failure: receives every :class:`HookFailure`.
    :param max_consecutive_failures: failures in a row before a plugin is FAULTED.
    :param trace: log every call (at INFO level) with its duration.
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        *,
        context_for: Callable[[str], Any],
        on_failure: Callable[[HookFailure], None],
        max_consecutive_failures: int = 5,
        trace: bool = False,
    ) -> None:
        self._pm = pm
        self._context_for = context_for
        self._on_failure = on_failure
        self._max_failures = max_consecutive_failures
        self._trace = trace
        self._failures: dict[str, int] = {}
        self.faulted: set[str] = set()
        self._cache: dict[str, list[_Impl]] = {}

    def refresh(self) -> None:
        """Forget cached implementation lists (after plugins were added or removed)."""
        self._cache.clear()

    def implementations(self, hook: str) -> list[_Impl]:
        """The implementations of ``hook`` in call order (faulted plugins included)."""
        impls = self._cache.get(hook)
        if impls is None:
            caller = getattr(self._pm.hook, hook)
            impls = []
            for impl in reversed(caller.get_hookimpls()):
                argnames = tuple(impl.argnames)
                ctx = self._context_for(impl.plugin_name) if "ctx" in argnames else None
                impls.append(_Impl(impl.plugin_name, impl.function, argnames, _invoker(impl.function, argnames, ctx)))
            self._cache[hook] = impls
        return impls

    def notify(self, hook: str, **kwargs: Any) -> None:
        """Call every implementation of a notification hook; results are ignored."""
        impls = self._cache.get(hook)
        if impls is None:
            impls = self.implementations(hook)
        faulted, call = self.faulted, self._call
        for impl in impls:
            if impl.plugin not in faulted:
                call(impl, hook, kwargs)

    def notify_each(self, hook: str, name: str, values: Iterable[Any]) -> None:
        """``notify(hook, name=value)`` for each value in turn (a whole-market snapshot: every
        plugin gets the first tick, then every plugin the second...), without the per-call set-up."""
        impls = self._cache.get(hook)
        if impls is None:
            impls = self.implementations(hook)
        if self._trace:
            for value in values:
                self.notify(hook, **{name: value})
            return
        faulted, failures = self.faulted, self._failures
        for value in values:
            kwargs = {name: value}
            for impl in impls:
                if impl.plugin in faulted:
                    continue
                try:
                    impl.invoke(kwargs)
                except Exception as exc:  # noqa: BLE001 - isolation is the point; control flow passes
                    self._fail(impl, hook, kwargs, exc)
                    continue
                if failures:
                    failures.pop(impl.plugin, None)

    def collect(self, hook: str, **kwargs: Any) -> list[tuple[str, Any, HookFailure | None]]:
        """Call every implementation and return ``(plugin, result, failure)`` for each one called."""
        out = []
        for impl in self.implementations(hook):
            if impl.plugin in self.faulted:
                continue
            ok, result = self._call(impl, hook, kwargs)
            out.append((impl.plugin, result if ok else None, None if ok else result))
        return out

    def call_plugin(self, plugin: str, hook: str, **kwargs: Any) -> tuple[bool, Any]:
        """Call one plugin's implementation of ``hook`` (used for scheduled jobs).

        :return: ``(True, result)``, or ``(False, HookFailure)``; ``(False, None)``
            when the plugin does not implement the hook or is faulted.
        """
        if plugin in self.faulted:
            return False, None
        for impl in self.implementations(hook):
            if impl.plugin == plugin:
                return self._call(impl, hook, kwargs)
        return False, None

    def _call(self, impl: _Impl, hook: str, kwargs: dict[str, Any]) -> tuple[bool, Any]:
        if self._trace:
            return self._traced_call(impl, hook, kwargs)
        try:
            result = impl.invoke(kwargs)
        except Exception as exc:  # noqa: BLE001 - isolation is the point; control flow passes
            return False, self._fail(impl, hook, kwargs, exc)
        if self._failures:  # a success ends a run of failures (empty in the normal case)
            self._failures.pop(impl.plugin, None)
        return True, result

    def _traced_call(self, impl: _Impl, hook: str, kwargs: dict[str, Any]) -> tuple[bool, Any]:
        started = time.perf_counter()
        try:
            result = impl.invoke(kwargs)
        except Exception as exc:  # noqa: BLE001 - isolation is the point; control flow passes
            return False, self._fail(impl, hook, kwargs, exc)
        # INFO, not TRACE: whoever turns tracing on wants to see it at the default log level
        logger.info("trace: {}.{} took {:.1f} us", impl.plugin, hook, (time.perf_counter() - started) * 1e6)
        self._failures.pop(impl.plugin, None)
        return True, result

    def _fail(self, impl: _Impl, hook: str, kwargs: dict[str, Any], exc: Exception) -> HookFailure:
        count = self._failures.get(impl.plugin, 0) + 1
        self._failures[impl.plugin] = count
        faulted = count >= self._max_failures
        if faulted:
            self.faulted.add(impl.plugin)
        shown = {k: v for k, v in kwargs.items() if k != "ctx"}
        failure = HookFailure(
            plugin=impl.plugin,
            hook=hook,
            error=exc,
            traceback=plugin_traceback(exc),
            hook_input=_short.repr(shown),
            consecutive_failures=count,
            faulted=faulted,
        )
        self._on_failure(failure)
        return failure


def plugin_traceback(exc: BaseException) -> str:
    """The traceback of a plugin's exception from the plugin's own first frame: the engine's
    dispatch frames above it are the same for every failure and say nothing about the bug."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not _is_dispatch_frame(f.filename)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(own or frames)]
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


#: where the calling machinery lives: this module and the pluggy package (compared as paths, so
#: Windows' backslashes, where MiniQMT runs, match too)
_DISPATCH_FILE = os.path.normcase(os.path.abspath(__file__))
_PLUGGY_DIR = os.path.normcase(os.path.dirname(os.path.abspath(pluggy.__file__))) + os.sep


def _is_dispatch_frame(filename: str) -> bool:
    path = os.path.normcase(os.path.abspath(filename))
    return path == _DISPATCH_FILE or path.startswith(_PLUGGY_DIR)
