"""Sources: everything that turns user input into labelled series (SPEC words, spec files,
logs, code generation back to the frameworks, and ``dialects/``, the framework expressions,
which import nothing else of sources). No UI library; never imports analysis,
render or commands (docs/architecture.md)."""
