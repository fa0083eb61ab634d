"""Plugin ``risk_codes``: which codes may be traded (``risk.codes``).

Checks, in order: ``allowed_codes`` (only listed codes), ``blocked_codes``,
``unknown_instrument`` (no instrument details while a name rule is on),
``delisting_risk`` (``*ST`` or ``退`` in the instrument name) and ``st_stock``
(``ST`` or ``*ST``). Orders that reduce a position (sells within the sellable
volume) always pass, so a holding can be unwound after its code was blocked or
became ST.
"""

from __future__ import annotations

import re

from ...hookspecs import hookimpl
from ...models import OrderRequest, RiskDecision
from .decisions import Passed, allow, deny
from .settings import CodeRules

FAMILY = "code_rules"

#: Risk-warning prefixes of A-share names: ST, *ST, and the old S (share-reform) variants SST, S*ST.
ST_NAME = re.compile(r"^\s*S?\*?S?T(?![A-Za-z])")
#: Delisting-risk warning (*ST) anywhere in the prefix.
DELISTING_ST = re.compile(r"^\s*S?\*S?T(?![A-Za-z])")
DELISTING_MARK = "退"


def is_st_name(name: str) -> bool:
    """True for a risk-warning name: ``ST xx``, ``*ST xx``, ``SST xx``, ``S*ST xx``."""
    return bool(ST_NAME.match(name))


def is_delisting_name(name: str) -> bool:
    """True for a delisting-risk name: ``*ST`` (退市风险警示) or ``退`` (退市整理 / delisted) in the name."""
    return bool(DELISTING_ST.match(name)) or DELISTING_MARK in name


class CodeRulesPlugin:
    """Allowed and blocked codes, ST and delisting-risk names."""

    def __init__(self, settings: CodeRules) -> None:
        self.settings = settings
        self._allowed = frozenset(settings.allowed) if settings.allowed is not None else None
        self._blocked = frozenset(settings.blocked)
        self._names_checked = settings.block_st or settings.block_delisting_risk

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        if ctx.reduces_position(request):
            return RiskDecision(True, FAMILY, f"sell within the sellable volume of {request.code}: code rules do not apply")
        code, s = request.code, self.settings
        passed: list[Passed] = []
        if self._allowed is not None:
            if code not in self._allowed:
                return deny("allowed_codes", f"{code} is not in risk.codes.allowed ({len(self._allowed)} codes)", code,
                            "allowed list")
            passed.append(("allowed_codes", f"{code} is allowed", code, "allowed list"))
        if code in self._blocked:
            return deny("blocked_codes", f"{code} is in risk.codes.blocked", code, "blocked list")
        if not self._names_checked:
            return allow(FAMILY, passed)
        detail = ctx.instrument(code)
        if detail is None:
            if s.deny_unknown_instruments:
                return deny("unknown_instrument", f"no instrument details for {code}: its ST / delisting status "
                                                  "cannot be checked", code, "known instrument")
            passed.append(("unknown_instrument", f"no instrument details for {code}; allowed by configuration", code, None))
            return allow(FAMILY, passed)
        name = str(detail.get("InstrumentName") or "")
        if s.block_delisting_risk and is_delisting_name(name):
            return deny("delisting_risk", f"{code} {name!r} carries a delisting-risk mark (*ST or 退)", name, "no *ST / 退")
        if s.block_st and is_st_name(name):
            return deny("st_stock", f"{code} {name!r} is a risk-warning (ST) stock", name, "no ST")
        passed.append(("code_names", f"{code} {name!r} carries no blocked mark", name, None))
        return allow(FAMILY, passed)


def make_plugin(config) -> CodeRulesPlugin | None:
    """Plugin ``risk_codes`` from ``config.risk.codes``; None when the section is disabled."""
    settings: CodeRules = config.risk.codes
    return CodeRulesPlugin(settings) if settings.enabled else None
