"""Entry point for `python -m simulator`."""

import sys

from simulator.cli import main

if sys.argv[1:2] == ["profile"]:  # `python -m simulator profile [--models ...]`: build model profiles
    from simulator.models.cli import main as profile_main

    sys.exit(profile_main(sys.argv[2:]))
if sys.argv[1:2] == ["templates"]:  # `python -m simulator templates [ids] [--compare A B]`: run the case studies
    from simulator.casestudies.cli import main as templates_main

    sys.exit(templates_main(sys.argv[2:]))
sys.exit(main())
