"""The built-in pre-trade risk rules: one plugin per rule family, configured under ``risk:``.

=================  ======================  =============================================
plugin             config section          what it checks
=================  ======================  =============================================
``risk_order``     ``risk.order``          lots, ticks, size, value, limit prices, price band
``risk_codes``     ``risk.codes``          allowed / blocked codes, ST and delisting-risk names
``risk_exposure``  ``risk.exposure``       position value per code / strategy / account,
                                           gross exposure, open orders
``risk_flow``      ``risk.flow``           orders + cancels per second and per day,
                                           duplicate orders, self-trades
``risk_loss``      ``risk.loss``           daily loss per strategy and for the account
                                           (moves trading to REDUCING or HALTED)
=================  ======================  =============================================

Each family answers every ``check_order`` with one :class:`~engine.models.RiskDecision`:
its first failed check (rule, measured value, limit, reason) or one allow
decision summarising its checks. Turn a family off with ``enabled: false`` in
its section or ``plugins.disabled: [risk_<family>]``. See docs/risk.md.
"""

from __future__ import annotations

from .settings import CodeRules, ExposureLimits, FlowLimits, LossLimits, OrderLimits, RiskSettings

#: Built-in risk plugins as (plugin name, "module:factory"), for ``engine.plugin_manager.DEFAULT_PLUGINS``.
#: Each factory takes the EngineConfig and returns the plugin, or None when its section is disabled.
RISK_PLUGINS: tuple[tuple[str, str], ...] = (
    ("risk_order", "engine.builtin.risk.order_rules:make_plugin"),
    ("risk_codes", "engine.builtin.risk.code_rules:make_plugin"),
    ("risk_exposure", "engine.builtin.risk.exposure_rules:make_plugin"),
    ("risk_flow", "engine.builtin.risk.flow_rules:make_plugin"),
    ("risk_loss", "engine.builtin.risk.loss_rules:make_plugin"),
)

__all__ = [
    "CodeRules", "ExposureLimits", "FlowLimits", "LossLimits", "OrderLimits", "RISK_PLUGINS", "RiskSettings",
]
