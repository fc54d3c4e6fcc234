"""Analysis: what is computed about series (where two differ, which schedule a log follows,
what a schedule does on the noisy quadratic model). No UI library; never imports render or
commands (docs/architecture.md)."""
