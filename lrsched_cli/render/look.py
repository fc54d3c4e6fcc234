"""How a figure looks: its file formats, size, dpi, style (lrsched's light and dark looks, or
any matplotlib style), the x unit, the palette, and the save options that keep text as text.
Parsing and checking of the figure options lives here, so commands can refuse a bad value
before anything is computed. matplotlib is imported only inside the functions that need it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import RuntimeFailure, UsageError
from ..series import Series

FIG_WIDTH_IN, FIG_HEIGHT_IN = 7.0, 4.2  # the default figure, inches
WIDTH_IN, HEIGHT_IN = (2.0, 40.0), (1.5, 40.0)  # --size bounds, inches

FIGURE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "webp")
PILLOW_FORMATS = ("jpg", "jpeg", "webp")  # matplotlib writes these with Pillow


# Colour-blind-safe (Okabe-Ito) colours, and line styles so that print in grey still reads.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#F0E442")
# The same hues for a dark background: the light ones first, white for black.
DARK_COLORS = ("#56B4E9", "#E69F00", "#009E73", "#F0E442", "#CC79A7", "#D55E00", "#FFFFFF",
               "#0072B2")


STYLES = ("-", "--", "-.", ":", "-", "--", "-.", ":")


def figure_format(path: str) -> str:
    """The format a path's suffix asks for; a UsageError for anything else (and for a JPG or
    WebP that the installed Pillow cannot write)."""
    suffix = os.path.splitext(path)[1].lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        raise UsageError(f"cannot tell the plot format from '{path}': use a .png, .svg, .pdf, "
                         ".jpg or .webp file name")
    if suffix in PILLOW_FORMATS:
        _check_pillow(suffix)
    return suffix


def _check_pillow(suffix: str) -> None:
    """matplotlib writes JPG and WebP through Pillow (one of its own dependencies, so it is
    normally there); say so plainly when it is not, or cannot write WebP."""
    try:
        from PIL import features
    except ImportError:
        raise RuntimeFailure(f"writing a .{suffix} file needs Pillow, which matplotlib "
                             "normally installs with itself and is missing here: pip install "
                             "pillow, or use .png") from None
    if suffix == "webp" and not features.check("webp"):
        raise RuntimeFailure("this Pillow was built without WebP support: reinstall Pillow "
                             "(pip install --force-reinstall pillow), or use .png")


MAX_SIDE_PX = 12_000  # pixels a side at most (size x dpi)


X_UNITS = ("step", "epoch", "token")


HOUSE_STYLES = ("default", "dark")  # lrsched's own looks; any matplotlib style name too


SIZE_ALLOWED = ("WIDTHxHEIGHT in inches, e.g. 6x3.5, or in cm, e.g. 16x9cm; width 2 to 40 in, "
                "height 1.5 to 40 in")


# lrsched's dark look: matplotlib's dark_background, on a dark grey rather than black
DARK_BG = "#16191f"


DARK_RC = {"figure.facecolor": DARK_BG, "axes.facecolor": DARK_BG,
           "savefig.facecolor": DARK_BG, "savefig.edgecolor": DARK_BG,
           "axes.edgecolor": "#8b929c", "axes.labelcolor": "#e6e6e6", "text.color": "#e6e6e6",
           "xtick.color": "#b9bec6", "ytick.color": "#b9bec6", "grid.color": "#9aa0a8",
           "legend.facecolor": DARK_BG, "legend.edgecolor": "#8b929c"}


# editable text: SVG keeps <text> elements, PDF embeds TrueType (no Type 3 fonts); and
# an SVG's ids from a fixed salt, so the same figure is the same file (as PNG and PDF are)
TEXT_RC = {"svg.fonttype": "none", "pdf.fonttype": 42, "ps.fonttype": 42,
           "svg.hashsalt": "lrsched"}


@dataclass(frozen=True)
class Look:
    """How a figure looks: ``size`` in inches (None: 7 x 4.2, taller for small multiples),
    ``style`` (``default``, ``dark`` or a matplotlib style), ``x_unit`` (None: each series'
    own unit, else step, epoch or token) and ``normalize`` (each curve divided by its own
    peak)."""

    size: tuple[float, float] | None = None
    style: str = "default"
    x_unit: str | None = None
    normalize: bool = False


def parse_size(text: str) -> tuple[float, float]:
    """``6x3.5`` (inches), ``16x9cm``: (width, height) in inches, bounded."""
    t = text.strip().lower().replace("×", "x").replace(" ", "")
    scale = 1.0
    if t.endswith("cm"):
        scale, t = 1 / 2.54, t[:-2]
    elif t.endswith("in"):
        t = t[:-2]
    bad = UsageError(f"invalid value for --size: '{text}' (allowed: {SIZE_ALLOWED})")
    parts = t.split("x")
    if len(parts) != 2:
        raise bad
    try:
        w, h = (float(x) * scale for x in parts)
    except ValueError:
        raise bad from None
    if not (WIDTH_IN[0] <= w <= WIDTH_IN[1] and HEIGHT_IN[0] <= h <= HEIGHT_IN[1]):
        raise bad  # (nan fails the comparisons too)
    return w, h


def check_pixels(size: tuple[float, float], dpi: int) -> None:
    """A UsageError for an image more than MAX_SIDE_PX pixels a side."""
    w, h = size
    pw, ph = round(w * dpi), round(h * dpi)
    if max(pw, ph) > MAX_SIDE_PX:
        raise UsageError(f"--size {w:g}x{h:g} at --dpi {dpi} is a {pw} x {ph} pixel image; at "
                         f"most {MAX_SIDE_PX} pixels a side: a smaller --size or --dpi")


def check_style(name: str | None) -> str:
    """The style ``name`` stands for (case aside); a UsageError naming the close matches and
    the allowed names for anything else."""
    if name is None:
        return "default"
    n = name.strip()
    if n.lower() in HOUSE_STYLES:
        return n.lower()
    import difflib

    import matplotlib.style

    avail = sorted(matplotlib.style.available)
    by_lower = {s.lower(): s for s in avail}
    if n.lower() in by_lower:
        return by_lower[n.lower()]
    close = [by_lower.get(c, c) for c in difflib.get_close_matches(
        n.lower(), [*HOUSE_STYLES, *by_lower], n=3, cutoff=0.6)]
    did = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise UsageError(f"invalid value for --style: '{name}' ({did}allowed: default, dark, or a "
                     f"matplotlib style: {', '.join(avail)})")


def check_x_unit(text: str | None) -> str | None:
    """step, epoch or token (plurals too); None stays None (each series' own unit)."""
    if text is None:
        return None
    t = text.strip().lower()
    t = t[:-1] if t.endswith("s") else t
    if t not in X_UNITS:
        raise UsageError(f"invalid value for --x-unit: '{text}' (allowed: one of "
                         f"{', '.join(X_UNITS)})")
    return t


def x_factors(series: Sequence[Series], x_unit: str | None,
              lengths: Sequence[Mapping[str, Any]] | None = None) -> list[float]:
    """Per series, how many ``x_unit`` one of its rows is: from ``steps_per_epoch`` and
    ``tokens_per_step`` in its params, else in ``lengths`` (what its command line said);
    a UsageError naming the series that cannot know."""
    out = []
    for i, s in enumerate(series):
        known = dict(lengths[i]) if lengths is not None else {}
        known.update({k: s.params[k] for k in ("steps_per_epoch", "tokens_per_step")
                      if s.params.get(k) is not None})
        out.append(_x_factor(s, x_unit, known))
    return out


def _x_factor(s: Series, x_unit: str | None, known: Mapping[str, Any]) -> float:
    own = s.unit
    if x_unit is None or x_unit == own:
        return 1.0
    spe, tps = known.get("steps_per_epoch"), known.get("tokens_per_step")
    recorded = s.is_log or "trainer" in s.params
    if own not in ("step", "epoch"):
        raise UsageError(f"--x-unit {x_unit}: '{s.label}' counts in {own}s, not steps")

    def missing(what: str, how: str) -> UsageError:
        hint = ("a log or a config's reading is plotted in its own steps: leave --x-unit off"
                if recorded else how)
        return UsageError(f"--x-unit {x_unit}: '{s.label}' does not say how many {what} ({hint})")

    epoch_how = "give --steps-per-epoch K, or --dataset-size N with --batch-size B"
    if own == "epoch" and spe is None:
        raise missing("steps an epoch has", epoch_how)
    steps_per_row = 1.0 if own == "step" else float(spe)
    if x_unit == "step":
        return steps_per_row
    if x_unit == "epoch":
        if spe is None:
            raise missing("steps an epoch has", epoch_how)
        return steps_per_row / float(spe)
    if tps is None:
        raise missing("tokens a step takes", "give --tokens-per-step T, or --seq-len L with "
                      "--batch-size B")
    return steps_per_row * float(tps)


@contextlib.contextmanager
def style_context(style: str) -> Iterator[None]:
    """matplotlib's rcParams for ``style`` (and editable text in SVG and PDF) while the
    figure is built and saved."""
    import matplotlib.style

    styles: list[Any] = [] if style == "default" else \
        ["dark_background", DARK_RC] if style == "dark" else [style]
    with matplotlib.style.context([*styles, TEXT_RC]):
        yield


def _palette(style: str) -> Sequence[str]:
    """The curves' colours: Okabe-Ito (its dark-background order for ``dark``), or a
    matplotlib style's own colour cycle."""
    if style == "default":
        return COLORS
    if style == "dark":
        return DARK_COLORS
    import matplotlib

    return matplotlib.rcParams["axes.prop_cycle"].by_key().get("color") or COLORS


def _save_options(fmt: str) -> dict[str, Any]:
    """savefig's options for ``fmt``: reproducible files (no creation date in SVG/PDF);
    JPG at quality 95, WebP lossless (line art: smaller and sharper than lossy)."""
    if fmt == "svg":
        return {"metadata": {"Date": None}}
    if fmt == "pdf":
        return {"metadata": {"CreationDate": None}}
    if fmt in ("jpg", "jpeg"):
        return {"pil_kwargs": {"quality": 95}}
    if fmt == "webp":
        return {"pil_kwargs": {"lossless": True}}
    return {"metadata": {}}
