"""Configuration: YAML -> validated, frozen pydantic models.

``load_config(path)`` reads the file, substitutes ``${ENV_VAR}`` (and
``${ENV_VAR:-default}``), validates every field and raises :class:`ConfigError`
naming the file, the line and the field when something is wrong.
"""

from .errors import ConfigError
from .loader import DEFAULT_CONFIG_NAME, embedded_default_path, load_config, resolve_config_path
from .models import EngineConfig, mask_secret

__all__ = [
    "ConfigError", "DEFAULT_CONFIG_NAME", "EngineConfig", "embedded_default_path", "load_config",
    "mask_secret", "resolve_config_path",
]
