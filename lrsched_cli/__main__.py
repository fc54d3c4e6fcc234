"""``python -m lrsched_cli``."""

from lrsched_cli.cli import main

main()
