"""Import the real ``xtquant.xttrader`` and ``xtquant.xtdata`` over the native doubles, and undo it.

``xtquant/__init__.py`` calls ``check_for_update``, a request to pypi.org with a
10 s timeout, when ``requests`` and ``pkg_resources`` import. While importing,
``sys.modules["pkg_resources"]`` is ``None`` so that import fails and the
package's own ``try/except`` skips the check; nothing installed is touched.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass, field
from types import ModuleType

from . import datacenter, xtpythonclient

__all__ = ["INSTALL_HINT", "RealXtquant", "XtquantMissing", "load_real_xtquant"]

INSTALL_HINT = 'pip install -e ".[test]"  (the test extra pins xtquant==250807.1.2, whose pure-Python files these tests run)'

#: Native module name -> the double that replaces it.
DOUBLES: dict[str, ModuleType] = {
    "xtquant.xtpythonclient": xtpythonclient,
    "xtquant.datacenter": datacenter,
}


class XtquantMissing(RuntimeError):
    """The xtquant wheel is not installed, so its real Python layer cannot be tested."""


@dataclass
class RealXtquant:
    """The real SDK modules, imported over the doubles; :meth:`unload` restores ``sys.modules``."""

    xttrader: ModuleType
    xtdata: ModuleType
    xttype: ModuleType
    xtconstant: ModuleType
    _saved: dict[str, ModuleType | None] = field(default_factory=dict, repr=False)

    def unload(self) -> None:
        """Forget every ``xtquant*`` module imported here and restore what was there before."""
        for name in [n for n in sys.modules if n == "xtquant" or n.startswith("xtquant.")]:
            del sys.modules[name]
        sys.modules.update(self._saved)


def load_real_xtquant() -> RealXtquant:
    """Install the doubles in ``sys.modules`` and import the real SDK modules over them.

    :raises XtquantMissing: xtquant is not installed (with what to install).
    """
    if importlib.util.find_spec("xtquant") is None:
        raise XtquantMissing(f"the xtquant wheel is not installed; run  {INSTALL_HINT}")
    saved = {n: m for n, m in sys.modules.items() if n == "xtquant" or n.startswith("xtquant.")}
    pkg_resources = sys.modules.get("pkg_resources")
    for name in saved:
        del sys.modules[name]
    sys.modules.update(DOUBLES)
    sys.modules["pkg_resources"] = None  # type: ignore[assignment] - blocks check_for_update's network call
    try:
        xttrader = importlib.import_module("xtquant.xttrader")
        xtdata = importlib.import_module("xtquant.xtdata")
        xttype = importlib.import_module("xtquant.xttype")
        xtconstant = importlib.import_module("xtquant.xtconstant")
    except BaseException:
        RealXtquant(None, None, None, None, saved).unload()  # type: ignore[arg-type]
        raise
    finally:
        if pkg_resources is not None:
            sys.modules["pkg_resources"] = pkg_resources
        else:
            sys.modules.pop("pkg_resources", None)
    xtdata.enable_hello = False  # xtdata's documented switch for its connection banner
    return RealXtquant(xttrader, xtdata, xttype, xtconstant, saved)
