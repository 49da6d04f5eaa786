#!/usr/bin/env python3
"""culler.py: the team's culler. Stops (scales to zero) sessions that are idle, have run too long
or reached their scheduled stop time, and records why, so that the stack and `notebook-platform
sessions` can say how each session was stopped. Homes are never touched: a stopped session keeps
its claim and starts again with `notebook-platform sessions start`.

It runs in one of the team's own notebook images (standard library only) as a non-root pod with
a read-only root file system. What it may do is limited by its Role: read its sessions'
StatefulSets, change their scale, and write its status ConfigMap, each by name. Session tokens
come from a projected volume of the sessions' token Secrets (no Secret permissions at all).

Activity comes from each Jupyter server: /api/status (last activity of API requests, kernels and
terminals; status checks are not activity) and, with no_track_activity so that looking is not
activity either, /api/kernels (a busy kernel is never idle) and /api/terminals.

Usage: culler.py                run the loop (config: $CULLER_CONFIG, a JSON file)
       culler.py --decide       read {"cases": [...]} on stdin, print decisions (tests)
"""
import datetime as dt
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
REQUEST_TIMEOUT_SECONDS = 10
FIELD_MANAGER = "notebook-platform-culler"


def log(message):
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} culler: {message}", file=sys.stderr, flush=True)


def parse_time(text):
    """An ISO 8601 timestamp from Jupyter ("...Z" or "+00:00") as an aware UTC datetime."""
    if text is None:
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)


def iso(moment):
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def last_scheduled_stop(schedule, now):
    """The latest scheduled stop instant at or before `now` (UTC), or None within the last 8 days.

    The stop time is local to the schedule's time zone. On a day when it does not exist (the
    clock jumps over it) it happens at the same offset as before the jump; on a day when it
    exists twice, at the first.
    """
    from zoneinfo import ZoneInfo  # the image's tz database (tzdata is a required Debian package)

    zone = ZoneInfo(schedule.get("timeZone", "UTC"))
    hours, minutes = (int(part) for part in schedule["stopAt"].split(":"))
    days = set(schedule.get("days") or WEEKDAYS)
    local_today = now.astimezone(zone).date()
    for back in range(0, 8):
        day = local_today - dt.timedelta(days=back)
        if WEEKDAYS[day.weekday()] not in days:
            continue
        local = dt.datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone, fold=0)
        instant = local.astimezone(dt.timezone.utc)
        if instant <= now:
            return instant
    return None


def decide(rules, status, kernels, terminals, now):
    """Whether to stop a running session, and why.

    rules: {"stopIdleSessionsAfterSeconds", "maxLifetimeSeconds", "schedule"?}; 0 turns a rule off.
    status: Jupyter's /api/status; kernels, terminals: its /api/kernels and /api/terminals.
    Lifetime and schedule stop a session whatever it is doing; idleness never stops a session
    with a busy kernel. Returns {"stop": bool, "reason": str, "detail": str, "since"?: iso}.
    """
    started = parse_time(status.get("started")) or now
    lifetime = rules.get("maxLifetimeSeconds", 0)
    if lifetime > 0 and (now - started).total_seconds() >= lifetime:
        return {"stop": True, "reason": "lifetime", "detail": f"running since {iso(started)}, longer than {lifetime}s", "since": iso(now)}
    schedule = rules.get("schedule")
    if schedule:
        stop_at = last_scheduled_stop(schedule, now)
        if stop_at is not None and stop_at > started:
            return {"stop": True, "reason": "schedule", "detail": f"scheduled stop at {iso(stop_at)}", "since": iso(now)}
    idle_after = rules.get("stopIdleSessionsAfterSeconds", 0)
    if idle_after <= 0:
        return {"stop": False, "reason": "no-idle-rule", "detail": "idle sessions are kept"}
    busy = [k.get("id", "?") for k in kernels if k.get("execution_state") == "busy"]
    if busy:
        return {"stop": False, "reason": "busy", "detail": f"{len(busy)} kernel(s) busy"}
    moments = [started, parse_time(status.get("last_activity"))]
    moments += [parse_time(k.get("last_activity")) for k in kernels]
    moments += [parse_time(t.get("last_activity")) for t in terminals]
    last = max(m for m in moments if m is not None)
    idle = (now - last).total_seconds()
    if idle >= idle_after:
        return {"stop": True, "reason": "idle", "detail": f"no activity since {iso(last)} ({int(idle)}s)", "since": iso(now), "lastActivity": iso(last)}
    return {"stop": False, "reason": "active", "detail": f"last activity {iso(last)} ({int(idle)}s ago)"}


class Kubernetes:
    """The few API calls the culler makes, with the pod's service account."""

    ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"

    def __init__(self, namespace):
        host = os.environ["KUBERNETES_SERVICE_HOST"]
        port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
        self.base = f"https://{host}:{port}"
        self.namespace = namespace
        self.context = ssl.create_default_context(cafile=f"{self.ACCOUNT}/ca.crt")

    def request(self, method, path, body=None, content_type="application/json"):
        with open(f"{self.ACCOUNT}/token", encoding="utf-8") as handle:
            token = handle.read().strip()  # re-read: projected tokens rotate
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type)
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS, context=self.context) as response:
            return json.loads(response.read() or b"{}")

    def statefulset(self, name):
        return self.request("GET", f"/apis/apps/v1/namespaces/{self.namespace}/statefulsets/{name}")

    def scale_to_zero(self, name):
        path = f"/apis/apps/v1/namespaces/{self.namespace}/statefulsets/{name}/scale?fieldManager={FIELD_MANAGER}"
        return self.request("PATCH", path, {"spec": {"replicas": 0}}, "application/merge-patch+json")

    def record(self, config_map, session, entry):
        """Sets (or with None removes) the session's entry of the status ConfigMap."""
        value = None if entry is None else json.dumps(entry, sort_keys=True)
        path = f"/api/v1/namespaces/{self.namespace}/configmaps/{config_map}?fieldManager={FIELD_MANAGER}"
        return self.request("PATCH", path, {"data": {session: value}}, "application/merge-patch+json")

    def records(self, config_map):
        found = self.request("GET", f"/api/v1/namespaces/{self.namespace}/configmaps/{config_map}")
        return found.get("data") or {}


def jupyter_get(session, path):
    """GET of a session's Jupyter API with its token; None when the server does not answer."""
    with open(session["tokenFile"], encoding="utf-8") as handle:
        token = handle.read().strip()
    request = urllib.request.Request(session["url"] + path, headers={"Authorization": f"token {token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        # Only the error's class: a response body could carry anything the server holds.
        log(f"{session['name']}: Jupyter did not answer {path.split('?')[0]} ({type(error).__name__})")
        return None


def check(kube, config, session, records, now):
    name = session["name"]
    replicas = kube.statefulset(session["statefulSet"]).get("spec", {}).get("replicas", 1)
    if replicas == 0:
        return  # stopped (by us, its owner or the config): nothing to watch
    if name in records:
        kube.record(config["statusConfigMap"], name, None)  # started again since we stopped it
        log(f"{name}: running again; cleared the record of its last stop")
    status = jupyter_get(session, "api/status")
    if status is None:
        return  # never stop a session we cannot see
    kernels = jupyter_get(session, "api/kernels?no_track_activity=1") or []
    terminals = jupyter_get(session, "api/terminals?no_track_activity=1") or []
    decision = decide(session["rules"], status, kernels, terminals, now)
    if not decision["stop"]:
        return
    kube.scale_to_zero(session["statefulSet"])
    entry = {key: decision[key] for key in ("reason", "detail", "since", "lastActivity") if key in decision}
    kube.record(config["statusConfigMap"], name, entry)
    log(f"{name}: stopped ({decision['reason']}: {decision['detail']})")


def run(config_file):
    with open(config_file, encoding="utf-8") as handle:
        config = json.load(handle)
    kube = Kubernetes(config["namespace"])
    interval = config["intervalSeconds"]
    log(f"watching {len(config['sessions'])} session(s) every {interval}s")
    while True:
        started = time.monotonic()
        try:
            records = kube.records(config["statusConfigMap"])
        except (urllib.error.URLError, OSError, ValueError) as error:
            log(f"cannot read {config['statusConfigMap']} ({type(error).__name__}: {getattr(error, 'code', '')}); retrying")
            records = None
        if records is not None:
            for session in config["sessions"]:
                try:
                    check(kube, config, session, records, dt.datetime.now(dt.timezone.utc))
                except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
                    log(f"{session['name']}: check failed ({type(error).__name__}: {getattr(error, 'code', '')})")
        time.sleep(max(1.0, interval - (time.monotonic() - started)))


def decide_cases():
    """Test entry: decisions for the cases on stdin, each {rules, status, kernels, terminals, now}."""
    cases = json.load(sys.stdin)["cases"]
    results = []
    for case in cases:
        now = parse_time(case["now"])
        results.append(decide(case["rules"], case["status"], case.get("kernels", []), case.get("terminals", []), now))
    json.dump({"decisions": results}, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1:] == ["--decide"]:
        decide_cases()
    elif sys.argv[1:] == []:
        run(os.environ.get("CULLER_CONFIG", "/etc/notebook-culler/config.json"))
    else:
        log(f"unknown arguments {sys.argv[1:]!r}; usage: culler.py [--decide]")
        sys.exit(2)
