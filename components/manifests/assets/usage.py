#!/usr/bin/env python3
"""usage.py: measures the used bytes of the team's homes and shares, for `notebook-platform usage`.

Runs as a CronJob in one of the team's notebook images: every claim mounted read-only under
/data, no service account token, no network (the namespace's default-deny policy), non-root.
It prints one JSON line per home or share and a last line with the time it finished; the CLI
reads them from the pod's log. Files it cannot read (another uid's mode-700 directory) are
counted as far as `du` can see and the entry says so.

Usage: usage.py   (config: $USAGE_CONFIG, a JSON file {"entries": [{"claim", "subPath"?, "path"}]})
"""
import datetime as dt
import json
import os
import subprocess
import sys


def measure(path):
    """Bytes used on disk under `path` (du's allocated size, one file system), and whether all of it was readable."""
    if not os.path.isdir(path):
        return None, False
    run = subprocess.run(["du", "-s", "-x", "-B1", path], capture_output=True, text=True, check=False)
    try:
        used = int(run.stdout.split()[0])
    except (IndexError, ValueError):
        return None, False
    return used, run.returncode == 0


def main():
    with open(os.environ["USAGE_CONFIG"], encoding="utf-8") as handle:
        config = json.load(handle)
    for entry in config["entries"]:
        used, complete = measure(entry["path"])
        line = {"claim": entry["claim"], "usedBytes": used, "complete": complete}
        if entry.get("subPath"):
            line["subPath"] = entry["subPath"]
        print(json.dumps(line, sort_keys=True), flush=True)
    finished = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(json.dumps({"done": True, "measuredAt": finished}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
