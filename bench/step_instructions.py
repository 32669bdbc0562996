"""Instructions per survey step and per echo step, counted by valgrind (repeatable on a busy machine).

    .venv/bin/python bench/step_instructions.py [--steps 100] [--database-url URL]

Wall and CPU times on a shared 2-core VM move by ±20 % between runs; an instruction count does
not (callgrind counts the same total for the same code and inputs, whatever else runs). Each
bot runs in its own process under `valgrind --tool=callgrind` with counting switched off until
it is warm; then `--steps` signed webhooks go through Flask's test client, each reply to the
LINE stand-in (a separate, uncounted process), and the count is divided by the steps. Every
thread of the bot's process counts (request, database, sender: the app sends from its own
threads here, not from a sending process). Use it to compare two versions
of the code (a change that saves 3 % shows as 3 %); the load benchmark gives the throughput.
About a minute per bot. Needs valgrind (Debian's package).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What one counted process runs: warm up, switch counting on, run the steps, switch it off.
_CHILD = """
import dataclasses, os, subprocess, sys
sys.path.insert(0, {root!r})
from bot.state import app_state
from bench.step_benchmark import SURVEY_STEPS, echo_app, our_app, prefill, run, start_line_standin, volunteer_at_house_number
kind, url, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
standin, line_url = start_line_standin()
try:
    if kind == "echo":
        app, user, texts = echo_app(line_url), None, ["hello"]
    else:
        app = our_app(line_url, url)
        # Under valgrind a step runs some 50 times slower: past the webhook's 1.8 s it would answer 503.
        processor = app_state(app).processor
        processor.config = dataclasses.replace(processor.config, webhook_deadline=120)
        prefill(url, 200)
        user, texts = volunteer_at_house_number(app, line_url, url), SURVEY_STEPS
    run(app, line_url, 40, texts, user)
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], stdout=subprocess.DEVNULL, check=True)
    run(app, line_url, steps, texts, user)
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], stdout=subprocess.DEVNULL, check=True)
finally:
    standin.terminate()
"""


def count(kind: str, database_url: str, steps: int, folder: Path) -> int:
    """Instructions per step of one bot ("echo" or "survey")."""
    script = folder / "counted.py"
    script.write_text(_CHILD.format(root=str(ROOT)))
    log = folder / f"{kind}.log"
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={folder / kind}.out", sys.executable, str(script), kind, database_url, str(steps)]
    with log.open("w") as output:
        subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT, timeout=1800, check=True)
    found = re.search(r"Collected : (\d+)", log.read_text())
    if found is None:
        raise RuntimeError(f"no count in {log}")
    return int(found[1]) // steps


def main() -> None:
    """Count the echo bot's step and ours; print both and their ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file; a PostgreSQL database given is emptied (schema dropped): give it one of its own")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    from bench.progress_benchmark import empty
    from bot.config import normalize_database_url

    with tempfile.TemporaryDirectory() as folder:
        # postgresql://… gets the project's driver, as the app's configuration gives it.
        database_url = normalize_database_url(args.database_url) if args.database_url else f"sqlite:///{folder}/bench.db"
        # The survey starts from an empty database: an earlier run's volunteer left a draft with the
        # same house number, and its duplicate warning would make the step another step.
        empty(database_url)
        echo = count("echo", database_url, args.steps, Path(folder))
        survey = count("survey", database_url, args.steps, Path(folder))
    print(f"echo bot      {echo:>12,} instructions a step")
    print(f"survey step   {survey:>12,} instructions a step ({survey / echo:.2f}x the echo's; {database_url.split(':')[0].split('+')[0]})")


if __name__ == "__main__":
    main()
