"""Run the app with waitress: one process, many threads, the embedded store opened once."""

from __future__ import annotations

import logging

from catalogue.federation import start_scheduler
from catalogue.settings import Settings


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8) -> int:
    from waitress import serve as waitress_serve

    from . import create_app

    app = create_app(settings)
    catalogue = app.extensions["catalogue"]
    catalogue.store  # open now: fail fast with a clear message if it is locked  # noqa: B018
    logging.basicConfig(level=logging.INFO)
    print(f"Serving {catalogue.store.description} on http://{host}:{port}/ (Ctrl-C stops)",
          flush=True)
    harvests = start_scheduler(catalogue, settings.harvest_interval)  # 0: off (use cron)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="catalogue")
    finally:
        harvests.stop()
        catalogue.close()
    return 0
