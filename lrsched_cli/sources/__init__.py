"""Sources: everything that turns user input into labelled series (SPEC words, spec files,
logs, and code generation back to the frameworks). No UI library; never imports analysis,
render or commands (docs/architecture.md)."""
