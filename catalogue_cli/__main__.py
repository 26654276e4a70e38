"""``python -m catalogue_cli``: the ``catalogue`` console script."""

import sys

from catalogue_cli.main import main

sys.exit(main())
