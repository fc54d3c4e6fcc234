"""``python -m lrsched_cli``."""

from .launch import main

main()
