"""Read ``config.yaml``: env substitution, line tracking, validation into :class:`EngineConfig`."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from . import env as env_refs
from .errors import ConfigError
from .overrides import OverrideError, apply_overrides
from .models import SECRET_FIELDS, EngineConfig, mask_secret, resolve_paths

DEFAULT_CONFIG_NAME = "config.yaml"


def embedded_default_path() -> Path:
    """The default configuration shipped inside the package (paper mode on sample data)."""
    return Path(str(resources.files("engine") / "defaults" / "config.yaml"))


def resolve_config_path(path: str | Path | None) -> Path:
    """``path`` if given; else ``./config.yaml`` if present; else the embedded default."""
    if path is not None:
        return Path(path)
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.exists() else embedded_default_path()


def load_config(path: str | Path | None = None, *, environ: dict[str, str] | None = None,
                overrides: list[str] | None = None) -> EngineConfig:
    """Load, substitute, override and validate a configuration file; raise :class:`ConfigError` on any problem.

    ``overrides`` are ``PATH=VALUE`` strings (``strategies.ma_cross.params.fast=8``, see
    :mod:`engine.config.overrides`), applied after ``${VAR}`` substitution and validated like the file.
    """
    config_path = resolve_config_path(path)
    env = os.environ if environ is None else environ
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(config_path), ["file not found"]) from None
    except OSError as exc:
        raise ConfigError(str(config_path), [f"cannot read the file: {exc.strerror}"]) from None
    text, references = env_refs.protect(text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(str(config_path), [_yaml_problem(exc)]) from None
    if node is None:
        raise ConfigError(str(config_path), ["the file is empty; expected a mapping of settings"])
    lines: dict[tuple, int] = {}
    problems: list[str] = []
    env_texts: dict[tuple, str] = {}
    data = _to_python(node, (), lines, (env, references, env_texts), problems)
    if problems:
        raise ConfigError(str(config_path), problems)
    if not isinstance(data, dict):
        raise ConfigError(str(config_path), [f"line {node.start_mark.line + 1}: expected a mapping of settings at the top level"])
    try:
        overridden = apply_overrides(data, list(overrides or []))
    except OverrideError as exc:
        raise ConfigError(str(config_path), [str(exc)]) from None
    for loc in overridden:
        env_texts.pop(loc, None)
    try:
        config = _validate(data, env_texts)
    except ValidationError as exc:
        raise ConfigError(str(config_path), _validation_problems(exc, lines, overridden)) from None
    embedded = config_path.resolve() == embedded_default_path().resolve()
    base = Path.cwd() if embedded else config_path.resolve().parent
    config = resolve_paths(config, base)
    return config.model_copy(update={"source_path": config_path.resolve()})


def _validate(data: dict, env_texts: dict[tuple, str]) -> EngineConfig:
    """Validate; a typed ``${VAR}`` value where the schema wants text (an account id ``88001234``) becomes its text."""
    while True:
        try:
            return EngineConfig.model_validate(data)
        except ValidationError as exc:
            retyped = False
            for error in exc.errors():
                loc = tuple(error["loc"])
                if error["type"] == "string_type" and loc in env_texts:
                    _set_at(data, loc, env_texts.pop(loc))
                    retyped = True
            if not retyped:
                raise


def _set_at(data: Any, loc: tuple, value: Any) -> None:
    for key in loc[:-1]:
        data = data[key]
    data[loc[-1]] = value


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}YAML syntax error: {problem}"


def _to_python(node: yaml.Node, loc: tuple, lines: dict, env, problems: list[str]) -> Any:
    """Construct plain Python from a composed node, remembering each value's line.

    ``env`` is ``(environment mapping, env references)`` from :func:`engine.config.env.protect`.
    """
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = env_refs.restore(key_node.value, env[1])
            if key in out:
                problems.append(f"line {key_node.start_mark.line + 1}: {_dotted(loc + (key,))}: duplicate key")
            out[key] = _to_python(value_node, loc + (key,), lines, env, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, loc + (i,), lines, env, problems) for i, item in enumerate(node.value)]
    env_map, references, env_texts = env
    if isinstance(node.value, str) and env_refs.has_placeholder(node.value):
        # A plain scalar that is exactly one ${VAR} is typed (int, float, bool, null); anything else is text.
        missing: list[str] = []
        value = env_refs.substitute(node.value, references, env_map, typed=node.style is None, missing=missing)
        for name in missing:
            problems.append(
                f"line {lines[loc]}: {_dotted(loc)}: environment variable {name} is not set "
                f"(set it, or write ${{{name}:-default}})"
            )
        if not isinstance(value, str):
            env_texts[loc] = env_refs.substitute(node.value, references, env_map, typed=False, missing=[])
        return value
    return node.value if node.tag == "tag:yaml.org,2002:str" else _construct_scalar(node)


def _construct_scalar(node: yaml.Node) -> Any:
    """Type a plain scalar (int, float, bool, null, timestamp) the way ``yaml.safe_load`` would."""
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _dotted(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _validation_problems(exc: ValidationError, lines: dict[tuple, int],
                         overridden: dict[tuple, str] | None = None) -> list[str]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line = _nearest_line(loc, lines)
        source = next((raw for where, raw in (overridden or {}).items() if loc[:len(where)] == where), None)
        given = error.get("input")
        shown = "" if isinstance(given, (dict, list)) or given is None else f" (got {given!r})"
        if loc and loc[0] in SECRET_FIELDS:
            shown = f" (got {mask_secret(str(given))!r})" if shown else ""
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown setting; check the spelling against the config reference in README.md"
            shown = ""
        where = f"--set {source}" if source else f"line {line}"
        problems.append(f"{where}: {_dotted(loc)}: {message}{shown}")
    return problems


def _nearest_line(loc: tuple, lines: dict[tuple, int]) -> int:
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)
