"""``python -m engine`` is the ``qmt-engine`` command."""

from .cli import main

if __name__ == "__main__":
    main()
