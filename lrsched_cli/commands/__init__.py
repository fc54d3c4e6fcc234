"""Commands: one module per command family, Typer wiring only (each has ``register(app)``);
the only layer besides render that imports Typer, click or rich (docs/architecture.md)."""
