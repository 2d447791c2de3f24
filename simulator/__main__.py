"""Entry point for `python -m simulator`."""

import sys

from simulator.cli import main

if sys.argv[1:2] == ["profile"]:  # `python -m simulator profile [--models ...]`: build model profiles
    from simulator.models.cli import main as profile_main

    sys.exit(profile_main(sys.argv[2:]))
if sys.argv[1:2] == ["templates"]:  # `python -m simulator templates [ids] [--compare A B]`: run the case studies
    from simulator.casestudies.cli import main as templates_main

    sys.exit(templates_main(sys.argv[2:]))
if sys.argv[1:2] == ["warm"]:  # `python -m simulator warm [--force]`: compile the loops ahead of the first run
    from simulator.warmup import warm

    if not warm(force="--force" in sys.argv[2:], say=print):
        print("compiled loops already ready for these sources (--force runs them anyway)")
    sys.exit(0)
sys.exit(main())
