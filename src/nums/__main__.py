"""``python -m nums`` runs the command line."""

from nums.cli import main

main()
