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
from typing import Iterator

from engine.hookspecs import hookimpl
from engine.models import OrderRequest, RiskDecision
from .decisions import Check, decide, failed, passed
from engine.builtin.risk.settings import CodeRules

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

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        if ctx.reduces_position(request):
            return RiskDecision.allow(FAMILY, f"sell within the sellable volume of {request.code}: code rules do not apply")
        return decide(FAMILY, self._checks(ctx, request))

    def _checks(self, ctx, request: OrderRequest) -> Iterator[Check]:
        code, s = request.code, self.settings
        if self._allowed is not None:
            if code not in self._allowed:
                yield failed("allowed_codes", f"{code} is not in risk.codes.allowed ({len(self._allowed)} codes)", code, "allowed list")
                return
            yield passed("allowed_codes", f"{code} is allowed", code, "allowed list")
        if code in self._blocked:
            yield failed("blocked_codes", f"{code} is in risk.codes.blocked", code, "blocked list")
            return
        if not (s.block_st or s.block_delisting_risk):
            return
        detail = ctx.instrument(code)
        if detail is None:
            if s.deny_unknown_instruments:
                yield failed("unknown_instrument", f"no instrument details for {code}: its ST / delisting status "
                                                   "cannot be checked", code, "known instrument")
            else:
                yield passed("unknown_instrument", f"no instrument details for {code}; allowed by configuration", code, None)
            return
        name = str(detail.get("InstrumentName") or "")
        if s.block_delisting_risk and is_delisting_name(name):
            yield failed("delisting_risk", f"{code} {name!r} carries a delisting-risk mark (*ST or 退)", name, "no *ST / 退")
            return
        if s.block_st and is_st_name(name):
            yield failed("st_stock", f"{code} {name!r} is a risk-warning (ST) stock", name, "no ST")
            return
        yield passed("code_names", f"{code} {name!r} carries no blocked mark", name, None)


def make_plugin(config) -> CodeRulesPlugin | None:
    """Plugin ``risk_codes`` from ``config.risk.codes``; None when the section is disabled."""
    settings: CodeRules = config.risk.codes
    return CodeRulesPlugin(settings) if settings.enabled else None
