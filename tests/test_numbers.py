"""Numbers for reading (issue 14.17): one notation per table column; short exponents."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lrsched_cli.render.numbers import column_format, label_number

NUM = re.compile(r"^-?[0-9.]+(e-?[0-9]+)?$")


@given(st.lists(st.floats(1e-12, 1e3) | st.just(0.0), min_size=1, max_size=30),
       st.integers(6, 14))
def test_a_column_has_one_notation_and_fits(values, room):
    f = column_format(values, room)
    texts = [f(v) for v in values]
    nonzero = [t for t, v in zip(texts, values) if v != 0]
    assert len({"e" in t for t in nonzero}) <= 1, texts
    assert all(NUM.match(t) for t in texts)
    for t, v in zip(texts, values):  # what is shown is the value, to its digits
        assert abs(float(t) - v) <= 0.06 * abs(v)


def test_the_issue_column_reads_in_one_notation():
    f = column_format([3.69721e-4, 3.331e-4, 1.34627e-3])
    assert [f(v) for v in (3.69721e-4, 3.331e-4, 1.34627e-3)] == [
        "0.000369721", "0.0003331", "0.00134627"]
    g = column_format([0.1, 4e-7])
    assert (g(0.1), g(4e-7)) == ("1e-1", "4e-7")


def test_labels():
    assert label_number(3e-05) == "3e-5"
    assert label_number(10_000_000) == "10_000_000"
    assert label_number(1e7) == "10_000_000"
    assert label_number(0.1) == "0.1"
    assert label_number(999) == "999"


def table_columns(text: str) -> list[list[str]]:
    """The value columns of the table's step rows (after its header rule)."""
    lines = text.splitlines()
    rule = next(i for i, ln in enumerate(lines) if ln.strip() and set(ln.strip()) == {"─"})
    rows = [ln.split() for ln in lines[rule + 1:] if ln.strip() and ln.split()[0].isdigit()]
    return [list(col) for col in zip(*rows)][1:]


def test_no_table_column_mixes_notations(run):
    for words in (["table", "cosine", "--lr", "1e-3", "--layer-decay", "0.65", "--layers", "12"],
                  ["compare", "cosine", "one-cycle", "exponential --initial-lr 0.1", "--steps",
                   "200"],
                  ["table", "cosine", "--lr", "3e-4", "--rows", "30"]):
        r = run(*words)
        assert r.exit_code == 0, r.stderr
        for col in table_columns(r.stdout):
            nums = [c for c in col if NUM.match(c) and c != "0"]
            assert len({"e" in c for c in nums}) <= 1, (words, col)
    r = run("table", "cosine", "--lr", "3e-5", "--steps", "20000")
    assert r.stdout.splitlines()[0] == "cosine: lr_min=3e-7, lr_max=3e-5, steps=20_000"
