"""Schedule maths: kernels, the registry and its validation, composition (warmup, per-epoch
holds), parameter groups, published recipes. Imports numpy only (kernels, compose): no
Typer, click, rich, plotext or matplotlib, and nothing from sources, analysis, render or
commands."""
