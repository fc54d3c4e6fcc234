"""``python -m lrsched_cli``."""

from lrsched_cli.launch import main

main()
