"""`thaiqm-bot worker`: the background and scheduled jobs, with their own runtime and no web app."""

from __future__ import annotations

import click

from bot.cli.common import load_config


@click.command()
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run the background and scheduled jobs (Huey consumer); one or more per deployment."""
    from bot.jobs import make_jobs

    config = load_config()
    make_jobs(config).huey.create_consumer(workers=workers, worker_type="thread").run()
