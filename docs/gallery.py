"""Make docs/gallery.md: one small picture and its command line for every schedule, recipe,
framework dialect and training-config format lrsched knows.

    python docs/gallery.py          # rewrite docs/gallery.md and docs/gallery/*.png
    python docs/gallery.py --check  # exit 1 if either is stale (tests/test_gallery.py)

Each picture is made by running its own command line through lrsched (``lrsched plot ...
-o docs/gallery/NAME.png``), and the command is stored in the PNG's ``Description`` text
chunk, so the check can tell that every picture is the one its line says, whatever the
matplotlib version drew its pixels with.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "gallery.md"
IMAGES = ROOT / "docs" / "gallery"
SIZE = ["--figsize", "4x2.4", "--dpi", "72"]

DIALECTS = [
    ("torch", "torch 'OneCycleLR(max_lr=0.1, total_steps=100)'"),
    ("hf", "hf 'get_cosine_schedule_with_warmup(num_warmup_steps=10, "
           "num_training_steps=100)' --base-lr 3e-4"),
    ("timm", "timm 'CosineLRScheduler(t_initial=100, warmup_t=10, warmup_lr_init=1e-4, "
             "cycle_limit=2)' --base-lr 0.1 --steps 200"),
    ("optax", "optax 'warmup_cosine_decay_schedule(0.0, 0.1, 10, 100, 0.001)'"),
    ("keras", "keras 'CosineDecayRestarts(0.1, first_decay_steps=20, t_mul=2.0)' --steps 140"),
]
CONFIGS = [
    ("hf", "config examples/configs/train_args.json --dataset-size 50000"),
    ("deepspeed", "config examples/configs/ds_config.json --dataset-size 50000 --epochs 3"),
    ("mmengine", "config examples/configs/mmdet_cfg.py --dataset-size 118287"),
    ("megatron", "config examples/configs/pretrain_gpt.sh"),
    ("lightning", "config examples/configs/lightning_cli.yaml --dataset-size 50000"),
    ("timm", "config examples/configs/timm_args.yaml --dataset-size 1281167"),
    ("ultralytics", "config examples/configs/yolo_args.yaml --dataset-size 128"),
]
EXTRA = {"plateau": " --metrics examples/val-loss.txt --patience 2"}


def entries() -> list[tuple[str, str, str, str]]:
    """(section, name, one line, the words after 'lrsched plot') of every picture."""
    from lrsched_cli.schedules import registry
    from lrsched_cli.schedules.recipes import RECIPES

    out = []
    for name in registry.names():
        entry = registry.get(name)
        out.append(("Schedules", name, entry.summary, name + EXTRA.get(name, "")))
    for r in RECIPES.values():
        words = f"recipe {r.name}"
        if r.needs_batch:
            words += " --batch-size 1024 --dataset-size 1281167"
        out.append(("Published recipes", r.name, r.summary, words))
    for name, words in DIALECTS:
        out.append(("Framework dialects", name, f"the {name} dialect", words))
    for name, words in CONFIGS:
        out.append(("Training configs", name, f"a {name} config, update by update", words))
    return out


def _file(section: str, name: str) -> str:
    prefix = {"Schedules": "", "Published recipes": "recipe-", "Framework dialects": "dialect-",
              "Training configs": "config-"}[section]
    return f"{prefix}{name}.png"


def markdown() -> str:
    lines = ["# Gallery", "",
             "Every schedule, published recipe, framework dialect and training-config format "
             "lrsched knows, with the command that drew it (made by `python docs/gallery.py`; "
             "a test fails when it is stale).", ""]
    section = None
    for sec, name, summary, words in entries():
        if sec != section:
            lines += [f"## {sec}", ""]
            section = sec
        lines += [f"### {name}", "", summary, "", "```bash", f"lrsched plot {words}", "```", "",
                  f"![{name}](gallery/{_file(sec, name)})", ""]
    return "\n".join(lines)


def command(words: str, title: str, path: Path) -> list[str]:
    return ["plot", *shlex.split(words), *SIZE, "--title", title, "--quiet", "-o", str(path)]


def _title(section: str, name: str) -> str:
    return {"Schedules": name, "Published recipes": f"recipe {name}",
            "Framework dialects": f"{name} dialect", "Training configs": f"{name} config"}[section]


def draw(words: str, title: str, path: Path) -> None:
    from PIL import Image, PngImagePlugin

    from lrsched_cli.cli import app

    try:
        app(command(words, title, path), prog_name="lrsched", standalone_mode=False)
    except SystemExit as e:
        if e.code not in (0, None):
            raise SystemExit(f"lrsched plot {words}: exit {e.code}") from None
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", f"lrsched plot {words}")
    with Image.open(path) as im:
        im.load()
        im.save(path, pnginfo=info, optimize=True)


def described(path: Path) -> str | None:
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.text.get("Description")
    except OSError:
        return None


def stale() -> list[str]:
    problems = []
    if not OUT.exists() or OUT.read_text() != markdown():
        problems.append("docs/gallery.md differs from what docs/gallery.py writes")
    for sec, name, _, words in entries():
        path = IMAGES / _file(sec, name)
        if described(path) != f"lrsched plot {words}":
            problems.append(f"docs/gallery/{path.name} is missing or not drawn by "
                            f"'lrsched plot {words}'")
    return problems


def main() -> None:
    if "--check" in sys.argv:
        problems = stale()
        for p in problems:
            print(p)
        sys.exit(1 if problems else 0)
    import os

    os.chdir(ROOT)  # the commands name files relative to the repository
    IMAGES.mkdir(exist_ok=True)
    wanted = set()
    for sec, name, _, words in entries():
        path = IMAGES / _file(sec, name)
        wanted.add(path.name)
        draw(words, _title(sec, name), path)
    for old in IMAGES.glob("*.png"):
        if old.name not in wanted:
            old.unlink()
    OUT.write_text(markdown())
    print(f"wrote {OUT.relative_to(ROOT)} and {len(wanted)} pictures")


if __name__ == "__main__":
    main()
