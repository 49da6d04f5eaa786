#!/usr/bin/env python3
"""snapshots.py: the team's scheduled backups on a storageClass backend. Each run takes a CSI
VolumeSnapshot of every home and share claim of the team and deletes this job's own snapshots
older than the retention, but never one a session restores from (`keep`). It never touches a
claim, and never a snapshot it did not label.

Runs as a CronJob in one of the team's notebook images (standard library only), non-root, with a
read-only root file system. Its Role: create, list and delete VolumeSnapshots in the team's
namespace, nothing else.

Usage: snapshots.py             one run (config: $SNAPSHOTS_CONFIG, a JSON file)
       snapshots.py --decide    read {"now", "claims", "retentionDays", "snapshots", "keep"} on stdin,
                                print {"create": [...], "delete": [...]} (tests)
"""
import datetime as dt
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

GROUP = "snapshot.storage.k8s.io/v1"
SNAPSHOT_OF = "notebook-platform.io/snapshot-of"
MANAGED_BY = "app.kubernetes.io/managed-by"
REQUEST_TIMEOUT_SECONDS = 30
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def log(message):
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} snapshots: {message}", file=sys.stderr, flush=True)


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)


def decide(now, claims, retention_days, snapshots, keep=()):
    """What one run does: a snapshot per claim named after the claim and the minute, and the
    deletion of this job's snapshots (labelled with the claim they copy) past the retention.
    The newest snapshot of a claim is never deleted, whatever its age, nor one a session
    restores from (`keep`: the sessions' restoreFrom)."""
    stamp = now.strftime("%Y%m%d-%H%M")
    create = [{"name": f"{claim}-{stamp}", "claim": claim} for claim in claims]
    cutoff = now - dt.timedelta(days=retention_days)
    newest = {}
    for snap in snapshots:
        claim = snap["labels"].get(SNAPSHOT_OF)
        if claim is None:
            continue
        if claim not in newest or parse_time(snap["created"]) > parse_time(newest[claim]["created"]):
            newest[claim] = snap
    delete = sorted(
        snap["name"]
        for snap in snapshots
        if snap["labels"].get(SNAPSHOT_OF) in claims
        and parse_time(snap["created"]) < cutoff
        and newest.get(snap["labels"][SNAPSHOT_OF]) is not snap
        and snap["name"] not in keep
    )
    return {"create": create, "delete": delete}


class Api:
    def __init__(self):
        host = os.environ["KUBERNETES_SERVICE_HOST"]
        port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
        self.base = f"https://{host}:{port}"
        self.context = ssl.create_default_context(cafile=f"{SA_DIR}/ca.crt")

    def call(self, method, path, body=None):
        with open(f"{SA_DIR}/token", encoding="utf-8") as handle:
            token = handle.read().strip()
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS, context=self.context) as response:
            return json.loads(response.read() or b"{}")


def run(config):
    api = Api()
    namespace = config["namespace"]
    base = f"/apis/{GROUP}/namespaces/{namespace}/volumesnapshots"
    selector = urllib.request.quote(f"{MANAGED_BY}=notebook-platform,{SNAPSHOT_OF}")
    existing = api.call("GET", f"{base}?labelSelector={selector}").get("items", [])
    snapshots = [
        {"name": item["metadata"]["name"], "labels": item["metadata"].get("labels", {}), "created": item["metadata"]["creationTimestamp"]}
        for item in existing
    ]
    now = dt.datetime.now(dt.timezone.utc)
    actions = decide(now, config["claims"], config["retentionDays"], snapshots, config.get("keep", []))
    failed = 0
    for item in actions["create"]:
        body = {
            "apiVersion": GROUP,
            "kind": "VolumeSnapshot",
            "metadata": {"name": item["name"], "namespace": namespace, "labels": {**config["labels"], SNAPSHOT_OF: item["claim"]}},
            "spec": {"volumeSnapshotClassName": config["volumeSnapshotClassName"], "source": {"persistentVolumeClaimName": item["claim"]}},
        }
        try:
            api.call("POST", base, body)
            log(f"snapshot {item['name']} of claim {item['claim']} requested")
        except urllib.error.HTTPError as error:
            failed += 1
            log(f"snapshot of claim {item['claim']} refused: {error.code} {error.read()[:300]!r}")
    for name in actions["delete"]:
        try:
            api.call("DELETE", f"{base}/{name}")
            log(f"snapshot {name} deleted (older than {config['retentionDays']} days)")
        except urllib.error.HTTPError as error:
            failed += 1
            log(f"deleting snapshot {name} failed: {error.code}")
    return 1 if failed else 0


def main():
    if sys.argv[1:] == ["--decide"]:
        case = json.load(sys.stdin)
        print(json.dumps(decide(parse_time(case["now"]), case["claims"], case["retentionDays"], case["snapshots"], case.get("keep", []))))
        return 0
    with open(os.environ["SNAPSHOTS_CONFIG"], encoding="utf-8") as handle:
        return run(json.load(handle))


if __name__ == "__main__":
    sys.exit(main())
