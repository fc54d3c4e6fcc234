"""Pasted code keeps its variables (issue 18.1): ``--var NAME=VALUE`` binds the names a
training script writes (``epochs``, ``args.lr``, ``cfg.train.epochs``, ``len(train_loader)``),
in every dialect, in lambdas, spec files, SPEC strings and the Python API; still read with
``ast``, never evaluated."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import lrsched_cli
from lrsched_cli.errors import UsageError
from lrsched_cli.sources import dialects
from lrsched_cli.sources.dialects.expr import parse_vars


def ev(fw: str, expr: str, *var: str, steps: int | None = None,
       base_lr: float = 1.0) -> np.ndarray:
    """The values of ``expr`` with ``--var`` texts ``var``, as the command line computes
    them."""
    return dialects.evaluate(fw, expr, steps, base_lr, bindings=parse_vars(var))[0]


def export_json(run, *args: str) -> dict:
    r = run("export", *args, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# -------------------------------------------------------------------------- the values

def test_cosine_annealing_with_epochs_times_len_loader_is_the_closed_form():
    """T_max = epochs * len(train_loader) = 3 * 4 = 12: lr = base * (1 + cos(pi t / T)) / 2
    for t = 0..T (torch's recursive form, replayed step by step, agrees to rounding)."""
    lr = ev("torch", "CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))",
            "epochs=3", "len(train_loader)=4", base_lr=0.1)
    assert len(lr) == 12  # the length the expression implies, computed from the vars
    t = np.arange(12)
    assert lr == pytest.approx(0.1 * 0.5 * (1 + np.cos(np.pi * t / 12)), rel=1e-12, abs=1e-15)
    assert lr[6] == pytest.approx(0.05, rel=1e-12)
    written = ev("torch", "CosineAnnealingLR(optimizer, T_max=12)", base_lr=0.1)
    assert np.array_equal(lr, written)


def test_one_cycle_with_args_and_steps_per_epoch_equals_the_numbers_written_in():
    with_vars = ev("torch", "OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * "
                   "steps_per_epoch)", "args.lr=0.1", "args.epochs=90", "steps_per_epoch=50")
    written = ev("torch", "OneCycleLR(opt, max_lr=0.1, total_steps=4500)")
    assert len(with_vars) == 4500 and np.array_equal(with_vars, written)
    # hand-worked: the peak at pct_start * T - 1 = 1349, the start max_lr / div_factor
    assert with_vars[0] == pytest.approx(0.1 / 25, rel=1e-12)
    assert int(np.argmax(with_vars)) == 1349 and with_vars.max() == pytest.approx(0.1)


def test_linear_warmup_hf_with_vars_is_the_hand_worked_formula():
    """W = warmup = 2, N = epochs * len(dl) = 2 * 3 = 6: t / W, then (N - t) / (N - W)."""
    lr = ev("hf", "get_linear_schedule_with_warmup(optimizer, num_warmup_steps=warmup, "
            "num_training_steps=epochs * len(dl))", "warmup=2", "epochs=2", "len(dl)=3")
    expected = [t / 2 if t < 2 else max(0.0, (6 - t) / 4) for t in range(6)]
    assert lr.tolist() == pytest.approx(expected, rel=1e-15)


# every dialect: the same expression with names bound, and with the numbers written in
SAME = [
    ("torch", "StepLR(optimizer, step_size=epochs // 3, gamma=1 - drop)",
     ["epochs=9", "drop=0.5"], "StepLR(optimizer, step_size=9 // 3, gamma=1 - 0.5)", 10),
    ("torch", "SequentialLR(opt, schedulers=[LinearLR(opt, start_factor=0.1, total_iters=w), "
     "CosineAnnealingLR(opt, T_max=cfg.train.epochs - w)], milestones=[w])",
     ["w=5", "cfg.train.epochs=30"],
     "SequentialLR(opt, schedulers=[LinearLR(opt, start_factor=0.1, total_iters=5), "
     "CosineAnnealingLR(opt, T_max=30 - 5)], milestones=[5])", None),
    ("torch", "MultiStepLR(optimizer, milestones=ms, gamma=g)", ["ms=[3, 7]", "g=0.1"],
     "MultiStepLR(optimizer, milestones=[3, 7], gamma=0.1)", 10),
    ("hf", "get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=int(0.1 * total), "
     "num_training_steps=total)", ["total=200"],
     "get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=int(0.1 * 200), "
     "num_training_steps=200)", None),
    ("hf", "get_scheduler(kind, optimizer, num_warmup_steps=0, num_training_steps=n)",
     ["kind='linear'", "n=50"],
     "get_scheduler('linear', optimizer, num_warmup_steps=0, num_training_steps=50)", None),
    ("timm", "CosineLRScheduler(optimizer, t_initial=args.epochs, warmup_t=args.warmup_epochs, "
     "warmup_lr_init=args.lr / 100)", ["args.epochs=20", "args.warmup_epochs=3", "args.lr=0.5"],
     "CosineLRScheduler(optimizer, t_initial=20, warmup_t=3, warmup_lr_init=0.5 / 100)", 25),
    ("optax", "warmup_cosine_decay_schedule(init_value=0.0, peak_value=peak, "
     "warmup_steps=steps // 10, decay_steps=steps)", ["peak=1e-3", "steps=300"],
     "warmup_cosine_decay_schedule(init_value=0.0, peak_value=1e-3, warmup_steps=300 // 10, "
     "decay_steps=300)", None),
    ("optax", "lambda t: peak * 0.5 ** (t // k)", ["peak=0.1", "k=4"],
     "lambda t: 0.1 * 0.5 ** (t // 4)", 12),
    ("keras", "CosineDecay(lr0, decay_steps, alpha=-(-a))", ["lr0=0.1", "decay_steps=40",
                                                             "a=0.01"],
     "CosineDecay(0.1, 40, alpha=-(-0.01))", 50),
    ("keras", "keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=lr, "
     "decay_steps=k, decay_rate=0.5 ** (1 / 2), staircase=True)", ["lr=1.0", "k=5"],
     "keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=1.0, decay_steps=5, "
     "decay_rate=0.5 ** (1 / 2), staircase=True)", 20),
]


@pytest.mark.parametrize("fw, expr, var, written, steps", SAME,
                         ids=[f"{s[0]}-{i}" for i, s in enumerate(SAME)])
def test_every_dialect_gives_the_values_of_the_numbers_written_in(fw, expr, var, written,
                                                                   steps):
    a = ev(fw, expr, *var, steps=steps, base_lr=0.3)
    b = ev(fw, written, steps=steps, base_lr=0.3)
    assert len(a) == len(b) and np.array_equal(a, b)


def test_a_bound_name_inside_a_lambda():
    lr = ev("torch", "LambdaLR(optimizer, lr_lambda=lambda epoch: 1 - epoch / epochs)",
            "epochs=8", steps=8)
    assert lr.tolist() == [1 - e / 8 for e in range(8)]
    lr = ev("torch", "LambdaLR(optimizer, lambda e: gamma ** (e // step))", "gamma=0.5",
            "step=2", steps=6)
    assert lr.tolist() == [1, 1, 0.5, 0.5, 0.25, 0.25]


def test_a_lambda_parameter_is_not_a_name_to_bind(run):
    r = run("export", "torch", "LambdaLR(opt, lambda n: n * k)", "--var", "k=2", "--var",
            "n=100", "--steps", "3")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["0,0.0", "1,2.0", "2,4.0"]
    assert "--var n is not used" in r.stderr


# -------------------------------------------------------------------------- names

def test_dotted_and_len_names_normalise_whitespace():
    a = ev("torch", "StepLR(opt, step_size=len( train_loader ) // cfg . data . bs)",
           "len(train_loader) = 12", " cfg.data.bs=4", steps=7)
    b = ev("torch", "StepLR(opt, step_size=len(train_loader.dataset) // bs)",
           "len( train_loader.dataset )=12", "bs=4", steps=7)
    written = ev("torch", "StepLR(opt, step_size=3)", steps=7)
    assert np.array_equal(a, written) and np.array_equal(b, written)
    assert written[:3].tolist() == [1, 1, 1] and written[3] == pytest.approx(0.1)


def test_the_optimizer_is_not_a_name_to_bind():
    for expr in ("StepLR(optimizer, step_size=n)", "StepLR(opt, n)",
                 "StepLR(self.optimizer, step_size=n)", "StepLR(optimizer=opt, step_size=n)",
                 "StepLR(optimizer=self.trainer.optimizer, step_size=n)"):
        assert np.array_equal(ev("torch", expr, "n=2", steps=5),
                              ev("torch", "StepLR(step_size=2)", steps=5)), expr


def test_a_positional_that_is_not_the_optimizer_is_bound():
    """keras and optax take no optimizer: their first positional is a value."""
    with pytest.raises(UsageError, match=r"^keras: CosineDecay\(\.\.\.\) needs values for: "
                                         "lr0, steps: give --var lr0=N --var steps=N$"):
        ev("keras", "CosineDecay(lr0, steps)")
    with pytest.raises(UsageError, match=r"^hf: get_scheduler\(\.\.\.\) needs values for: "
                                         "kind, n: "):
        ev("hf", "get_scheduler(kind, optimizer, num_warmup_steps=0, num_training_steps=n)")


def test_the_unbound_error_lists_every_missing_name_in_one_line(run):
    r = run("table", "torch", "OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * "
            "len(train_loader), pct_start=warmup / (args.epochs * len(train_loader)))",
            "--var", "args.lr=0.1")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == ("lrsched: error: torch: OneCycleLR(...) needs values for: args.epochs, "
                        "len(train_loader), warmup: give --var args.epochs=N --var "
                        "\"len(train_loader)=N\" --var warmup=N\n")


def test_the_brief_example_message():
    with pytest.raises(UsageError) as e:
        ev("torch", "CosineAnnealingLR(optimizer, T_max=epochs * len(train_loader))")
    assert str(e.value) == ("torch: CosineAnnealingLR(...) needs values for: epochs, "
                            "len(train_loader): give --var epochs=N --var "
                            "\"len(train_loader)=N\"")


def test_the_unbound_error_says_which_given_names_the_expression_never_names():
    with pytest.raises(UsageError, match=r"needs values for: epochs: give --var epochs=N "
                                         r"\(it never names epoch, given with --var\)$"):
        ev("torch", "CosineAnnealingLR(opt, T_max=epochs)", "epoch=90")


def test_unbound_names_in_lambdas_and_nested_calls_are_listed_too():
    with pytest.raises(UsageError, match=r"^torch: SequentialLR\(\.\.\.\) needs values for: "
                                         "w, total, decay: "):
        ev("torch", "SequentialLR(opt, schedulers=[LinearLR(opt, total_iters=w), "
           "LambdaLR(opt, lambda e: (1 - e / total) ** decay)], milestones=[w])")
    with pytest.raises(UsageError, match=r"^optax: the lambda needs values for: peak: "):
        ev("optax", "lambda t: peak * 0.5 ** t")


def test_an_unknown_function_is_said_before_the_names_it_would_need():
    with pytest.raises(UsageError, match="unknown torch.optim.lr_scheduler name 'SteppLR'"):
        ev("torch", "SteppLR(opt, step_size=n)")


def test_a_var_the_expression_never_uses_is_a_note(run):
    r = run("export", "torch", "StepLR(opt, step_size=n)", "--var", "n=2", "--var",
            "batch_size=32", "--steps", "3")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == ["step,lr", "0,1.0", "1,1.0", "2,0.1"]
    assert r.stderr == ("--var batch_size is not used: torch 'StepLR(opt, step_size=n)' "
                        "never names it\n")
    r = run("export", "torch", "StepLR(opt, step_size=n)", "--var", "n=2", "--steps", "3")
    assert r.exit_code == 0 and r.stderr == ""


def test_vars_are_in_the_json_params(run):
    doc = export_json(run, "torch", "CosineAnnealingLR(opt, T_max=epochs * len(dl))",
                      "--var", "len(dl)=2", "--var", "epochs=2")
    assert doc["params"]["expr"] == "CosineAnnealingLR(opt, T_max=epochs * len(dl))"
    assert doc["params"]["vars"] == {"epochs": 2, "len(dl)": 2}  # in the order it uses them
    assert doc["steps"] == 4


def test_the_last_binding_of_a_name_wins():
    assert ev("torch", "StepLR(step_size=n)", "n=1", "n=3", steps=4).tolist() == \
        [1, 1, 1, 0.1]


# -------------------------------------------------------------------------- refusals

@pytest.mark.parametrize("var, message", [
    ("epochs", "--var 'epochs' has no '=': give NAME=VALUE, e.g. --var epochs=90"),
    ("epochs=", "--var 'epochs=' has no value after '='"),
    ("=90", "--var '=90': '' is not a name to bind"),
    ("x[0]=1", "--var 'x[0]=1': 'x[0]' is not a name to bind: give a name (epochs), a "
               "dotted name (args.lr) or len(NAME)"),
    ("__class__=1", "--var '__class__=1': '__class__' is not a name to bind"),
    ("a.__dict__=1", "--var 'a.__dict__=1': 'a.__dict__' is not a name to bind"),
    ("math.pi=3", "--var 'math.pi=3': 'math.pi' is not a name to bind"),
    ("n=abc", "--var 'n=abc': 'abc' is not a literal: give a number, a string in quotes or a "
              "list (a string is quoted, as in Python: --var 'n=\"abc\"')"),
    ("n=open('x')", "--var 'n=open('x')': 'open('x')' is not a literal"),
    ("n=2 * 45", "--var 'n=2 * 45': '2 * 45' is not a literal"),
    ("n=10**400", "--var 'n=10**400': '10**400' is not a literal"),
    ("n=" + "9" * 100, "an integer of 100 digits (at most 78)"),
    ("n=[1, x]", "'[1, x]' is not a literal"),
    ("n=(", "'(' is not a literal"),
])
def test_bad_var_text_is_refused_naming_it(run, var, message):
    r = run("export", "torch", "StepLR(step_size=n)", "--var", var)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("lrsched: error: --var ") and message in r.stderr
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("expr, var", [
    ("StepLR(opt, step_size=n ** n)", "n=1000"),
    ("StepLR(opt, step_size=n * n * n * n)", "n=" + "9" * 70),
    ("LambdaLR(opt, lambda e: 10 ** (n ** n))", "n=100"),
    ("LambdaLR(opt, lambda e: e ** n)", "n=100000"),
    ("LambdaLR(opt, lambda e: pow(n, n))", "n=10000"),
])
def test_integer_bombs_through_vars_are_refused_at_once(run, expr, var):
    r = run("export", "torch", expr, "--var", var, "--steps", "5")
    assert r.exit_code == 2 and r.stdout == "" and "refused" in r.stderr, r.stderr
    assert "integers may have at most 256" in r.stderr or "bits; at most 256" in r.stderr
    assert r.stderr.count("\n") == 1


def test_binding_never_evaluates(tmp_path, monkeypatch):
    """A var's value is a literal; the expression is still read with ast: a name bound to a
    string in a place that is evaluated by Python nowhere stays a string."""
    marker = tmp_path / "touched"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="is not a literal"):
        ev("torch", "StepLR(step_size=n)", f"n=open('{marker}', 'w')")
    with pytest.raises(UsageError):
        ev("torch", "StepLR(step_size=n)", f"n='open(\"{marker}\", \"w\")'")
    assert not marker.exists()


def test_pieces_that_are_not_names_are_still_refused_as_before():
    for expr, piece in [("StepLR(step_size=cfg['n'])", "subscript 'cfg['n']'"),
                        ("StepLR(step_size=n.__class__)", "attribute access 'n.__class__'"),
                        ("StepLR(step_size=[i for i in range(n)])", "comprehension"),
                        ("LambdaLR(lr_lambda=lambda e: e.__class__)", "e.__class__")]:
        with pytest.raises(UsageError, match="refused") as e:
            ev("torch", expr, "n=3")
        assert piece in str(e.value)


def test_a_bound_value_the_framework_does_not_take_is_refused_as_written_in():
    with pytest.raises(UsageError, match=r"gamma=True is a bool where a number is wanted"):
        ev("torch", "StepLR(step_size=2, gamma=g)", "g=True")
    with pytest.raises(UsageError, match=r"refused constant expression 's'"):
        ev("torch", "LambdaLR(lambda e: e * s)", "s='a'")


# -------------------------------------------------------------------------- spec files, SPECs

@pytest.mark.parametrize("text", [
    'var = {epochs = 3, "len(train_loader)" = 4}\n',
    'var = {epochs = 3, len = 1, "len(train_loader)" = 4}\n',  # (len: a note, not used)
    'var = ["epochs=3", "len(train_loader)=4"]\n',
    '[var]\nepochs = 3\n"len(train_loader)" = 4\n',
])
def test_spec_file_var_forms(run, tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text('schedule = "torch"\n'
                    'expr = "CosineAnnealingLR(opt, T_max=epochs * len(train_loader))"\n'
                    'base_lr = 0.1\n' + text)
    r = run("export", "--spec", str(path))
    assert r.exit_code == 0, r.stderr
    written = run("export", "torch", "CosineAnnealingLR(opt, T_max=12)", "--base-lr", "0.1")
    assert r.stdout == written.stdout and len(r.stdout.splitlines()) == 13


def test_spec_file_dotted_keys_are_dotted_names(run, tmp_path):
    """TOML reads ``args.lr = 0.1`` as a table in a table: its keys joined are the name."""
    path = tmp_path / "s.toml"
    path.write_text('schedule = "torch"\n'
                    'expr = "OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * spe)"\n'
                    'var = {args.lr = 0.1, args.epochs = 4, spe = 5}\n')
    a = run("export", "--spec", str(path))
    b = run("export", "torch", "OneCycleLR(opt, max_lr=0.1, total_steps=20)")
    assert a.exit_code == 0, a.stderr
    assert a.stdout == b.stdout
    js = tmp_path / "s.json"
    js.write_text(json.dumps({"schedule": "torch", "expr": "OneCycleLR(opt, max_lr=args.lr, "
                              "total_steps=args.epochs * spe)", "var": {"args.lr": 0.1,
                                                                         "args": {"epochs": 4},
                                                                         "spe": 5}}))
    assert run("export", "--spec", str(js)).stdout == b.stdout


def test_spec_file_var_refusals(run, tmp_path):
    path = tmp_path / "s.toml"
    for text, message in [("var = 3", "var must be a table of names and values"),
                          ("var = {n = inf}", "var.n holds inf"),
                          ("var = {n = 2024-01-01}", "var.n = datetime.date(2024, 1, 1) is not")]:
        path.write_text(f'schedule = "torch"\nexpr = "StepLR(step_size=n)"\n{text}\n')
        r = run("export", "--spec", str(path))
        assert r.exit_code == 2 and message in r.stderr, r.stderr
    path.write_text('schedule = "cosine"\nvar = {n = 3}\n')
    r = run("export", "--spec", str(path))
    assert r.exit_code == 2 and "cosine has no option 'var'" in r.stderr


@pytest.mark.parametrize("suffix", ["toml", "json", "yaml"])
def test_save_spec_keeps_the_vars(run, tmp_path, suffix):
    path = tmp_path / f"s.{suffix}"
    args = ["torch", "CosineAnnealingLR(opt, T_max=epochs * len(dl))", "--var", "epochs=3",
            "--var", "len(dl)=4"]
    a = run("export", *args, "--save-spec", str(path))
    assert a.exit_code == 0, a.stderr
    assert "len(dl)=4" in path.read_text()
    b = run("export", "--spec", str(path))
    assert b.exit_code == 0, b.stderr
    assert a.stdout == b.stdout and len(a.stdout.splitlines()) == 13
    # a --var on the command line wins over the file's
    c = run("export", "--spec", str(path), "--var", "epochs=2")
    assert c.stdout == run("export", "torch", "CosineAnnealingLR(opt, T_max=8)").stdout


def test_spec_strings_take_vars(run):
    r = run("compare", "torch 'CosineAnnealingLR(opt, T_max=epochs * len(dl))' --var epochs=2 "
            "--var 'len(dl)=50' --base-lr 0.1", "cosine --steps 100 --lr-max 0.1 --lr-min 0",
            "--at", "0,50,99")
    assert r.exit_code == 0, r.stderr
    assert "(the same curve as #2)" in r.stdout  # T_max = 100, from the spec's vars
    rows = [ln.split() for ln in r.stdout.splitlines()]
    assert ["0", "1e-1", "1e-1"] in rows and ["50", "5e-2", "5e-2"] in rows


def test_a_spec_string_without_its_vars_says_so(run):
    r = run("compare", "torch 'CosineAnnealingLR(opt, T_max=epochs)'", "cosine")
    assert r.exit_code == 2
    assert r.stderr == ("lrsched: error: in spec 'torch 'CosineAnnealingLR(opt, T_max=epochs)'"
                        "': torch: CosineAnnealingLR(...) needs values for: epochs: give --var "
                        "epochs=N\n")


def test_compare_save_spec_keeps_every_var(run, tmp_path):
    path = tmp_path / "c.toml"
    spec = "torch 'StepLR(opt, step_size=a * b)' --var a=2 --var b=3"
    r = run("compare", spec, "step --step-size 6 --steps 20", "--save-spec", str(path))
    assert r.exit_code == 0, r.stderr
    assert 'var = ["a=2", "b=3"]' in path.read_text()
    again = run("compare", "--spec", str(path))
    assert again.exit_code == 0, again.stderr
    assert again.stdout == r.stdout


# -------------------------------------------------------------------------- the Python API

def test_python_api_takes_vars_as_a_mapping_or_texts():
    expr = "CosineAnnealingLR(opt, T_max=epochs * len(train_loader))"
    a = lrsched_cli.dialect("torch", expr, var={"epochs": 3, "len(train_loader)": 4},
                            base_lr=0.1)
    b = lrsched_cli.dialect("torch", expr, var=["epochs=3", "len(train_loader)=4"],
                            base_lr=0.1)
    c = lrsched_cli.dialect("torch", "CosineAnnealingLR(opt, T_max=12)", base_lr=0.1)
    assert np.array_equal(a, c) and np.array_equal(b, c)
    d = lrsched_cli.dialect("hf", "get_scheduler(kind, opt, num_warmup_steps=0, "
                            "num_training_steps=n)", var={"kind": "linear", "n": np.int64(4)})
    assert d.tolist() == [1, 0.75, 0.5, 0.25]
    with pytest.raises(UsageError, match="needs values for: epochs"):
        lrsched_cli.dialect("torch", "CosineAnnealingLR(opt, T_max=epochs)")


def test_closed_form_of_polynomial_decay_with_vars():
    """torch PolynomialLR(total_iters=epochs * k, power=p): (1 - t / T) ** p up to T, then
    held at 0: with T = 6, p = 2."""
    lr = ev("torch", "PolynomialLR(opt, total_iters=epochs * k, power=p)", "epochs=2", "k=3",
            "p=2.0", steps=8)
    expected = [(1 - min(t, 6) / 6) ** 2 for t in range(8)]
    assert lr.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert math.isclose(lr[3], 0.25)
