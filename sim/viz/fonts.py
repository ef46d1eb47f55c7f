"""Chinese glyphs in matplotlib on a machine that has only pip packages.

The ``mplfonts`` dependency ships Noto Sans CJK SC. :func:`use_cjk_font` registers that
file with matplotlib's font manager (in memory, for this process) and puts it first in
the sans-serif list, keeping DejaVu Sans as the fallback. Nothing is written to
matplotlib's installation or cache, and mplfonts' command-line tool is not used.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"

_state: dict[str, object] = {"done": False, "path": None}


def font_path() -> Path | None:
    """Return the path of the Noto Sans CJK SC file shipped by ``mplfonts`` (None if missing)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / FONT_FILE
        if path.is_file():
            return path
    return None


def use_cjk_font() -> bool:
    """Make matplotlib draw Chinese text; safe to call any number of times.

    Returns
    -------
    bool
        True if the CJK font is registered (or was already), False if ``mplfonts`` or
        its font file is missing (Chinese text would then show as empty boxes).
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    if not _state["done"]:
        path = font_path()
        if path is not None:
            names = {f.name for f in font_manager.fontManager.ttflist}
            if CJK_FAMILY not in names:
                font_manager.fontManager.addfont(str(path))
            _state["path"] = path
        _state["done"] = True
    if _state["path"] is None:
        return False
    sans = [f for f in mpl.rcParams["font.sans-serif"] if f not in (CJK_FAMILY, "DejaVu Sans")]
    mpl.rcParams["font.sans-serif"] = [CJK_FAMILY, "DejaVu Sans", *sans]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["axes.unicode_minus"] = False
    return True
