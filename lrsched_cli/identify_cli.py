"""``lrsched identify``: the command around :mod:`lrsched_cli.identify`."""

from __future__ import annotations

import sys

from .errors import UsageError


def run_identify(file: str, column: str | None, step_offset: int, top: int,
                 fmt: str | None, step_scale: int = 1) -> None:
    from .identify import code_for, identify
    from .logs import log_series

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
                               "code": code_for(c)}
                              for c in cands]}
        sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    from rich.markup import escape
    from rich.table import Table

    from .terminal import stdout_console

    console = stdout_console()
    kind = "float32" if series.float32 else "float64"
    console.print(f"{len(series)} logged values of '{escape(series.params['column'])}' "
                  f"({kind}); a schedule fits when its largest relative error at the logged "
                  f"steps is at most {tol:g}", highlight=False)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("max rel. error", justify="right")
    table.add_column("fits")
    table.add_column("command line")
    for i, c in enumerate(cands, 1):
        table.add_row(str(i), f"{c.max_rel:.2e}", "yes" if c.max_rel <= tol else "no",
                      escape("lrsched export " + c.spec_text()) + _offset_note(c.offset))
    console.print(table)
    if cands and cands[0].max_rel <= tol and cands[0].offset:
        k = cands[0].offset
        from .compare import SHIFT_MEANING

        meaning = SHIFT_MEANING.get(k, "")
        console.print(f"The log's step s holds this schedule's value at step s {k:+d}"
                      f"{f' ({meaning})' if meaning else ''}: compare with --step-offset {k}.",
                      highlight=False)
    if not cands or cands[0].max_rel > tol:
        console.print(f"Nothing fits within {tol:g}: the closest are above. The log may "
                      "come from a schedule lrsched's families do not cover, or carry noise.",
                      highlight=False)
        return
    code = code_for(cands[0])
    if code:
        fw = "torch" if "torch" in code else next(iter(code))
        console.print(f"\nThe best as {fw} code (lrsched code {escape(cands[0].spec_text())} "
                      f"--framework {fw}):", highlight=False)
        console.print(escape(code[fw].rstrip()), highlight=False)


def _offset_note(offset: int) -> str:
    return f"  (log steps {offset:+d})" if offset else ""
