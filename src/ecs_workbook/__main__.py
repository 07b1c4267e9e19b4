"""``python -m ecs_workbook ...`` runs the ``ecs-workbook`` command."""

import sys

from ecs_workbook.cli import main

sys.exit(main())
