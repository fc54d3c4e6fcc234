"""--spec FILE and --save-spec FILE: a schedule kept in the repository."""

from __future__ import annotations

import json

import pytest

from lrsched_cli import schedule
from lrsched_cli.render.progress import PROGRESS_ABOVE, wanted


@pytest.mark.parametrize("suffix", ["toml", "json", "yaml", "yml"])
def test_save_then_read_gives_the_same_schedule(run, tmp_path, suffix):
    path = tmp_path / f"s.{suffix}"
    args = ["cosine", "--lr-max", "0.3", "--warmup", "5%", "--steps", "200"]
    a = run("export", *args, "--save-spec", str(path))
    assert a.exit_code == 0, a.stderr
    b = run("export", "--spec", str(path))
    assert b.exit_code == 0, b.stderr
    assert a.stdout == b.stdout
    # options on the command line override the file
    c = run("export", "--spec", str(path), "--steps", "60")  # 5% of 60 = 3 warmup steps
    assert len(c.stdout.splitlines()) == 61
    d = run("export", "--spec", str(path), "--steps", "50")  # 5% of 50 is not whole
    assert d.exit_code == 2 and "use 2 or 3" in d.stderr


def test_dialect_spec_file(run, tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"schedule": "torch", "expr": "StepLR(step_size=3, gamma=0.5)",
                                "base_lr": 0.1, "steps": 7}))
    r = run("export", "--spec", str(path))
    assert r.stdout.splitlines()[-1] == "6,0.025"  # 0.1 * 0.5 ** (6 // 3)


def test_compare_spec_file_with_labels_and_save(run, tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[[schedules]]\nlabel = "A"\nschedule = "cosine"\n\n'
                    '[[schedules]]\nlabel = "B"\nschedule = "step"\ntiming = "torch"\n')
    r = run("compare", "--spec", str(path), "--steps", "20", "-f", "csv")
    assert r.stdout.splitlines()[0] == "step,A,B"
    saved = tmp_path / "again.json"
    r2 = run("compare", "--spec", str(path), "--steps", "20", "--save-spec", str(saved),
             "-f", "csv")
    r3 = run("compare", "--spec", str(saved), "-f", "csv")
    assert r2.stdout == r3.stdout


def test_example_files_work(run):
    r = run("export", "--spec", "examples/team-schedule.toml")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 10001
    r = run("compare", "--spec", "examples/compare-recipes.toml", "-f", "csv")
    assert r.stdout.splitlines()[0] == "step,paper (document timing),torch StepLR,1cycle"


@pytest.mark.parametrize("content, name, message", [
    ('schedule = "cosine"\nlr_maxx = 0.1\n', "s.toml",
     "cosine has no option 'lr_maxx' (did you mean 'lr_max'?)"),
    ("lr_max = 0.1\n", "s.toml", 'needs schedule = "NAME"'),
    ("schedule = ", "s.toml", "is not valid TOML"),
    ("{", "s.json", "is not valid JSON"),
    ('schedule = "cosine"', "s.yml2", "use a .toml, .json or .yaml file name"),
    ('schedule = "torch"\n', "s.toml", 'needs expr = "CALL(...)"'),
    ('[[schedules]]\nschedule = "cosine"\n[[schedules]]\nschedule = "step"\n', "s.toml",
     "holds 2 schedules; 'export' takes one"),
])
def test_bad_spec_files(run, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_text(content)
    r = run("export", "--spec", str(path))
    assert r.exit_code == 2 and r.stdout == "" and message in r.stderr
    assert r.stderr.count("\n") == 1


def test_missing_spec_file(run, tmp_path):
    r = run("plot", "--spec", str(tmp_path / "none.toml"))
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_progress_only_on_a_terminal_for_big_runs(monkeypatch):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    assert wanted(PROGRESS_ABOVE, quiet=False)
    assert not wanted(PROGRESS_ABOVE, quiet=True)
    assert not wanted(PROGRESS_ABOVE - 1, quiet=False)
    monkeypatch.setattr("sys.stderr", object())  # a pipe-like stream without isatty
    assert not wanted(10 * PROGRESS_ABOVE, quiet=False)


def test_help_shows_examples(run):
    r = run("plot", "cosine", "--help")
    assert "Example: lrsched plot cosine --lr-max 0.1 --warmup 5% -o schedule.png" in r.stdout
    r = run("export", "torch", "--help")
    assert 'Example: lrsched export torch "OneCycleLR(max_lr=0.1, total_steps=1000)"' in r.stdout
    r = run()
    assert "lrsched plot cosine --lr-max 0.1" in r.stdout + r.stderr
    assert "compare" in r.stdout + r.stderr


@pytest.mark.parametrize("where", ["first", "after-name", "last", "equals"])
def test_spec_anywhere_and_command_line_options_win(run, tmp_path, where):
    """Issue 14.11: `lrsched table cosine --spec s.toml` was refused."""
    spec = tmp_path / "s.toml"
    spec.write_text('schedule = "cosine"\nlr_max = 0.5\nsteps = 50\n')
    words = {"first": ["--spec", str(spec), "--lr", "0.2"],
             "after-name": ["cosine", "--spec", str(spec), "--lr", "0.2"],
             "last": ["cosine", "--lr", "0.2", "--spec", str(spec)],
             "equals": ["--lr", "0.2", f"--spec={spec}"]}[where]
    if where == "equals":
        words = ["cosine", *words]
    r = run("export", *words, "-f", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["steps"] == 50  # from the file
    assert doc["params"]["lr_max"] == 0.2  # the command line wins over the file
    assert doc["lr"] == schedule("cosine", lr_max=0.2, steps=50).tolist()


def test_spec_naming_another_schedule_or_given_twice_is_refused(run, tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('schedule = "cosine"\n')
    r = run("table", "step", "--spec", str(spec))
    assert r.exit_code == 2 and "names 'step'" in r.stderr and "'cosine'" in r.stderr
    r = run("table", "--spec", str(spec), "--spec", str(spec))
    assert r.exit_code == 2 and "--spec given twice" in r.stderr


def test_yaml_spec_files_hand_written_and_saved(run, tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text("# the team's schedules\nschedules:\n"
                    "  - label: A\n    schedule: cosine\n    lr_max: 0.1\n"
                    "  - label: B\n    schedule: torch\n"
                    "    expr: StepLR(step_size=3, gamma=0.5)\n    base_lr: 0.1\n")
    r = run("compare", "--spec", str(path), "--steps", "7", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "step,A,B"
    assert r.stdout.splitlines()[-1].endswith(",0.025")  # 0.1 * 0.5 ** (6 // 3)
    saved = tmp_path / "again.yml"
    run("compare", "--spec", str(path), "--steps", "7", "--save-spec", str(saved), "-f", "csv")
    import yaml

    doc = yaml.safe_load(saved.read_text())
    assert [e["label"] for e in doc["schedules"]] == ["A", "B"]
    assert run("compare", "--spec", str(saved), "-f", "csv").stdout == r.stdout


@pytest.mark.parametrize("text, message", [
    ("schedule: [cosine\n", "is not valid YAML"),
    ("!!python/object:os.system {}\n", "is not valid YAML"),  # safe mode: no objects
    ("- 1\n- 2\n", "expected a table of options"),
])
def test_bad_yaml_spec_files_are_refused(run, tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = run("export", "--spec", str(path))
    assert r.exit_code == 2 and message in r.stderr and "\n" not in r.stderr.strip()
