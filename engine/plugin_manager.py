"""Build the plugin manager: built-ins, installed packages, then files named in config.

Discovery order (the same order as registration; pluggy calls the most
recently registered implementation first unless ``tryfirst``/``trylast`` say
otherwise):

1. Built-in plugins, from :data:`DEFAULT_PLUGINS` (audit writer, the risk rule
   families risk_order/codes/exposure/flow/loss, console reporter, trading-day routine). Each is built by a factory
   from the config.
2. Installed packages that declare an entry point in the ``qmt_engine`` group
   (``plugins.load_entrypoints: false`` turns this off).
3. Plugin files listed under ``plugins.files`` in ``config.yaml``.
4. Strategies listed under ``strategies`` in ``config.yaml``.

Any name in ``plugins.disabled`` is blocked (``pm.set_blocked``) and never
registered, built-ins included. After registration ``check_pending()`` turns a
misspelt hook name into a start-up error.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pluggy
from loguru import logger

from . import hookspecs
from .builtin.risk import RISK_PLUGINS
from .config.models import EngineConfig, PluginFile

ENTRYPOINT_GROUP = hookspecs.PROJECT_NAME

#: Built-in plugins as (name, "module:factory"). A factory takes the
#: EngineConfig and returns the plugin object, or None to stay out of this run.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("audit", "engine.builtin.audit_log:make_plugin"),
    *RISK_PLUGINS,
    ("console", "engine.builtin.console:make_plugin"),
    ("trading_day", "engine.builtin.trading_day:make_plugin"),
    ("notify", "engine.builtin.notify:make_plugin"),
    ("metrics", "engine.builtin.metrics:make_plugin"),
    ("results", "engine.results.marks:make_plugin"),
    ("execution", "engine.builtin.execution:make_plugin"),
)


class PluginLoadError(Exception):
    """A plugin could not be found, imported or registered; the message says which and where."""


@dataclass
class LoadedPlugin:
    """One registered plugin and where it came from."""

    name: str
    kind: str  # builtin | entrypoint | plugin | strategy | extra
    source: str
    obj: Any
    params: dict[str, Any] = field(default_factory=dict)


def make_plugin_manager() -> pluggy.PluginManager:
    """A fresh manager with the engine's hookspecs (one per engine, one per test)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    return pm


def load_plugins(
    pm: pluggy.PluginManager,
    config: EngineConfig,
    *,
    load_entrypoints: bool | None = None,
    extra: tuple[tuple[str, Any], ...] = (),
) -> list[LoadedPlugin]:
    """Register every plugin for ``config`` in discovery order and validate the hooks.

    ``extra`` registers additional (name, plugin) pairs last (tests, embedding).
    """
    config_file = str(config.source_path or "config")
    for name in config.plugins.disabled:
        pm.set_blocked(name)
    loaded: list[LoadedPlugin] = []

    def register(name: str, obj: Any, kind: str, source: str, params: dict | None = None) -> None:
        if pm.is_blocked(name):
            return
        if pm.has_plugin(name):
            raise PluginLoadError(f"{config_file}: two plugins are named {name!r} (the second from {source})")
        try:
            pm.register(obj, name=name)
        except pluggy.PluginValidationError as exc:
            detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise PluginLoadError(f"{source}: plugin {name!r} is not valid: {detail}") from None
        loaded.append(LoadedPlugin(name, kind, source, obj, dict(params or {})))

    try:
        for name, ref in DEFAULT_PLUGINS:
            if name in config.plugins.disabled:
                continue
            obj = _resolve_ref(ref)(config)
            if obj is not None:
                register(name, obj, "builtin", ref)

        if config.plugins.load_entrypoints if load_entrypoints is None else load_entrypoints:
            before = set(pm.get_plugins())
            pm.load_setuptools_entrypoints(ENTRYPOINT_GROUP)
            for dist_obj in set(pm.get_plugins()) - before:
                loaded.append(LoadedPlugin(pm.get_name(dist_obj) or "?", "entrypoint", ENTRYPOINT_GROUP, dist_obj))

        for spec in config.plugins.files:
            if spec.enabled:
                register(spec.plugin_name, _build(spec, "plugin", config_file), "plugin", _source(spec), spec.settings)
        for strategy in config.strategies:
            if strategy.enabled:
                register(strategy.name, _build(strategy, "strategy", config_file), "strategy", _source(strategy), strategy.params)
        for name, obj in extra:
            register(name, obj, "extra", "extra")

        _check_disabled_names(config, loaded, extra, config_file)
        validate_hooks(pm, loaded)
    except BaseException:
        close_loaded(loaded)  # e.g. the audit writer's thread and its instance lock
        raise
    return loaded


def close_loaded(loaded: list[LoadedPlugin]) -> None:
    """``close()`` every built-in and file plugin in ``loaded`` that has one (the audit writer flushes
    and releases its instance lock), in load order; a failing close is logged, never raised."""
    for plugin in loaded:
        close = getattr(plugin.obj, "close", None)
        if callable(close) and plugin.kind in ("builtin", "plugin"):
            try:
                close()
            except Exception:  # noqa: BLE001 - one plugin's close must not keep the others open
                logger.exception("plugin {} failed to close", plugin.name)


def validate_hooks(pm: pluggy.PluginManager, loaded: list[LoadedPlugin]) -> None:
    """Fail at start-up on hook implementations that match no hookspec (a typo)."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        plugin_name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        source = next((p.source for p in loaded if p.name == plugin_name), "?")
        known = ", ".join(sorted(n for n in dir(pm.hook) if not n.startswith("_")))
        raise PluginLoadError(f"{source}: plugin {plugin_name!r}: {exc}. Known hooks: {known}") from None
    hook_names = [n for n in dir(pm.hook) if not n.startswith("_")]
    for plugin in loaded:
        unmarked = [n for n in hook_names if callable(getattr(plugin.obj, n, None))
                    and pm.parse_hookimpl_opts(plugin.obj, n) is None]
        if unmarked:
            raise PluginLoadError(
                f"{plugin.source}: plugin {plugin.name!r} defines {', '.join(f'{n}()' for n in unmarked)} without "
                "@hookimpl, so the engine would never call it; add `from engine import hookimpl` and mark each "
                "hook with @hookimpl")
    for hook_name in hook_names:
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                raise PluginLoadError(
                    f"plugin {impl.plugin_name!r}: hook {hook_name!r} is declared as a wrapper; "
                    "engine hooks are called one implementation at a time, so wrappers are not supported"
                )


def _check_disabled_names(config: EngineConfig, loaded: list[LoadedPlugin], extra: tuple, config_file: str) -> None:
    """A name in ``plugins.disabled`` that names no plugin is a typo: the plugin meant stays enabled."""
    known = {name for name, _ in DEFAULT_PLUGINS} | {p.name for p in loaded} | {name for name, _ in extra}
    known |= {spec.plugin_name for spec in config.plugins.files} | {s.name for s in config.strategies}
    unknown = [name for name in config.plugins.disabled if name not in known]
    if unknown:  # an installed package's plugin may be disabled before it loads: ask the metadata only now
        known |= {ep.name for ep in importlib.metadata.entry_points(group=ENTRYPOINT_GROUP)}
        unknown = [name for name in unknown if name not in known]
    if unknown:
        raise PluginLoadError(
            f"{config_file}: plugins.disabled names {', '.join(map(repr, unknown))}, which is no plugin "
            f"(a typo keeps the plugin you meant enabled); known: {', '.join(sorted(known))}")


def _source(spec: PluginFile) -> str:
    return str(spec.path) if spec.path is not None else str(spec.module)


def _build(spec: PluginFile, kind: str, config_file: str) -> Any:
    """Import the file or module, and instantiate ``class`` if one is named."""
    where = f"{config_file}: {kind} {spec.plugin_name!r}"
    module = _import_file(spec.path, kind, spec.plugin_name, where) if spec.path is not None else _import_module(spec.module, where)
    if spec.class_name is None:
        return module
    cls = getattr(module, spec.class_name, None)
    if cls is None:
        raise PluginLoadError(f"{where}: {_source(spec)} has no class named {spec.class_name!r}")
    try:
        return cls()
    except Exception as exc:  # noqa: BLE001 - report any constructor failure with context
        raise PluginLoadError(f"{where}: {spec.class_name}() raised {type(exc).__name__}: {exc}") from exc


def _import_file(path: Path, kind: str, name: str, where: str) -> ModuleType:
    if not path.is_file():
        raise PluginLoadError(f"{where}: file not found: {path}")
    module_name = f"qmt_engine_user_{kind}_{re.sub(r'[^0-9A-Za-z_]', '_', name)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginLoadError(f"{where}: cannot import {path} (not a Python file?)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001
        sys.modules.pop(module_name, None)
        raise PluginLoadError(f"{where}: importing {path} raised {type(exc).__name__}: {exc}") from exc
    return module


def _import_module(dotted: str | None, where: str) -> ModuleType:
    try:
        return importlib.import_module(str(dotted))
    except ImportError as exc:
        raise PluginLoadError(f"{where}: cannot import module {dotted!r}: {exc}") from exc


def _resolve_ref(ref: str) -> Callable[[EngineConfig], Any]:
    module_name, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module_name), attr)
