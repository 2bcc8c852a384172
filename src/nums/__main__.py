"""``python -m nums`` runs the command line."""

from nums.cli import main

if __name__ == "__main__":  # not when a helper process is started from a server run as `python -m nums`
    main()
