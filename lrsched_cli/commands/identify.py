"""``lrsched identify``: the command around :mod:`lrsched_cli.analysis.identify`.

The ranked table is short cells only; each suggested command line is printed after it
whole, on a line of its own (never wrapped, whatever the terminal's width), so that it can
be copied as it is. What qualifies a command (the log's step offset, a held tail) is said on
the shell-comment line above it, never inside it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from ..errors import UsageError
from .options import STEP_OFFSET, STEP_SCALE, Number

if TYPE_CHECKING:
    from ..analysis.identify import Candidate
    from ..series import Series

# lrsched code computes every value of a run with a warmup or hold (codegen.formula.schedule_body
# reads two of them from schedule_values): identify leaves such code out beyond this length,
# so that its memory follows the log, not the run.
CODE_MAX_STEPS = 10**6


def run_identify(file: str, column: str | None, step_offset: int, top: int,
                 fmt: str | None, step_scale: int = 1) -> None:
    from ..analysis.identify import identify
    from ..sources.logs import log_series

    if fmt is not None and fmt.strip().lower() != "json":
        raise UsageError(f"invalid value for --format: '{fmt}' (allowed: json)")
    if not 1 <= top <= 50:
        raise UsageError(f"invalid value for --top: '{top}' (allowed: 1 to 50)")
    series = log_series(file, column, step_offset, quiet=fmt is not None,
                        step_scale=step_scale)
    cands, tol = identify(series, top=top)
    if fmt is not None:
        import orjson

        doc = {"log": {"file": file, "column": series.params["column"],
                       "points": len(series), "float32": series.float32},
               "tolerance": tol,
               "candidates": [{"spec": c.spec_text(), "max_rel": c.max_rel,
                               "fits": c.max_rel <= tol, "step_offset": c.offset,
                               "held_from": c.end,
                               "code": _code(c) if c.max_rel <= tol else {}}
                              for c in cands]}
        sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    _print_text(series, cands, tol)


def _code(c: Candidate) -> dict[str, str]:
    """The candidate as code; empty for a run with a warmup or hold longer than
    CODE_MAX_STEPS (see there)."""
    from ..analysis.identify import code_for

    if _code_left_out(c):
        return {}
    return code_for(c)


def _code_left_out(c: Candidate) -> bool:
    return (int(c.run.get("steps", 0)) > CODE_MAX_STEPS and c.end is None
            and bool(c.run.get("warmup") or c.run.get("hold")))


def _print_text(series: Series, cands: list[Candidate], tol: float) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..render.terminal import stdout_console

    console = stdout_console()
    kind = "float32" if series.float32 else "float64"
    console.print(f"{len(series)} logged values of '{escape(series.params['column'])}' "
                  f"({kind}); a schedule fits when its largest relative error at the logged "
                  f"steps is at most {tol:g}", highlight=False)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("max rel. error", justify="right")
    table.add_column("fits")
    table.add_column("schedule")
    table.add_column("note")
    for i, c in enumerate(cands, 1):
        table.add_row(str(i), f"{c.max_rel:.2e}", "yes" if c.max_rel <= tol else "no",
                      escape(c.schedule), escape(", ".join(c.notes)))
    console.print(table)
    out = sys.stdout
    out.flush()
    if cands:
        out.write("\nThe command lines, best first:\n")
        for i, c in enumerate(cands, 1):
            notes = f" ({'; '.join(_note_text(c))})" if c.notes else ""
            out.write(f"# {i}{notes}\nlrsched export {c.spec_text()}\n")
        out.flush()
    if cands and cands[0].max_rel <= tol and cands[0].offset:
        k = cands[0].offset
        from ..analysis.difference import SHIFT_MEANING

        meaning = SHIFT_MEANING.get(k, "")
        console.print(f"\nThe log's step s holds this schedule's value at step s {k:+d}"
                      f"{f' ({meaning})' if meaning else ''}: compare with --step-offset {k}.",
                      highlight=False)
    if not cands or cands[0].max_rel > tol:
        console.print(f"\nNothing fits within {tol:g}: the closest are above. The log may "
                      "come from a schedule lrsched's families do not cover, or carry noise.",
                      highlight=False)
        return
    best = cands[0]
    if _code_left_out(best):
        out.write(f"\nIts code is left out here (for a warmup, lrsched code computes all "
                  f"{best.run['steps']:,} values of the run); it prints with:\n"
                  f"lrsched code {best.spec_text()} --framework torch\n")
        return
    code = _code(best)
    if code:
        fw = "torch" if "torch" in code else next(iter(code))
        out.write(f"\nThe best as {fw} code:\n")
        if best.end is None:
            out.write(f"# lrsched code {best.spec_text()} --framework {fw}\n")
        out.write(code[fw].rstrip() + "\n")
        out.flush()


def _note_text(c: Candidate) -> list[str]:
    out = []
    if c.offset:
        out.append(f"the log's step s is this schedule's step s {c.offset:+d}")
    if c.end is not None:
        out.append(f"a {c.schedule} decay that ends at step {c.end} and holds its value "
                   "after it, as an optax schedule")
    return out


def register(app: typer.Typer) -> None:
    """Add ``lrsched identify`` to ``app``."""

    @app.command("identify", epilog="Example: lrsched identify runs/exp1/trainer_state.json")
    def identify_cmd(
        file: str = typer.Argument(..., metavar="FILE", help="A training log (as for 'log FILE')"),
        column: str = typer.Option(None, "--column", "--tag", metavar="NAME",
                                   help="The series to read (default: the one learning-rate "
                                        "series the file holds)"),
        step_offset: int = typer.Option(0, "--step-offset", metavar="K", click_type=STEP_OFFSET,
                                        help="Add K to every logged step"),
        step_scale: int = typer.Option(1, "--step-scale", metavar="K", click_type=STEP_SCALE,
                                       help="Multiply every logged step by K first"),
        top: int = typer.Option(5, "--top", metavar="INT", help="Candidates to show",
                                click_type=Number("int", 1, 1000)),
        format: str = typer.Option(None, "--format", "-f", metavar="[json]",
                                   help="json: the candidates for programs"),
    ) -> None:
        """Name the schedule behind a log: the best-fitting schedules, ranked, as commands and
        code."""

        run_identify(file, column, step_offset, top, format, step_scale)
