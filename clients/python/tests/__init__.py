# The suite runs from a checkout without installing the package: `python3 -m unittest discover` in
# clients/python finds it in src/ (an installed one is used as it is).
import os
import sys

try:
    import vle_tasks_client  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))
