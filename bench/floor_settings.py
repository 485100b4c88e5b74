"""Settings for the web benchmark's *floor* server: Confide's own settings, with a URLconf that takes
the gate's own work out of every page (bench/floor_urls.py). Used only by bench/web.py, which serves
the same database twice, once as Confide serves it and once like this, so the gate's cost per page
is a ratio measured in the same run. Never for anything but a benchmark on fictional data.
"""

from confide.settings import *  # noqa: F403 -- everything as Confide sets it, but the URLconf

ROOT_URLCONF = "bench.floor_urls"
