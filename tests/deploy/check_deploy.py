#!/usr/bin/env python3
"""The deployment files (Dockerfile, deploy/compose.yaml, deploy/systemd/*) checked as far as this
machine can without Docker: COPY sources, stages and targets, the apt lists, every parley-server
command line through `parley-server --check-config` (with temporary stand-ins for the files it
names), the parley-bots flags against `parley-bots --help`, `systemd-analyze verify`, the
provisioning script against a real server (tokens that parley-bots then logs in with), the
compose health check, and the coturn config in Debian's turnserver.

Prints PASS/FAIL/SKIP per check and a last line "deploy: P passed, F failed, S skipped".
Usage: check_deploy.py ROOT BUILD_DIR
"""
import fnmatch
import glob
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

ROOT, BUILD = (os.path.abspath(a) for a in sys.argv[1:3])
SERVER = os.path.join(BUILD, "parley-server")
BOTS = os.path.join(BUILD, "parley-bots")
TMP = tempfile.mkdtemp(prefix="parley-deploy-")
results = {"PASS": 0, "FAIL": 0, "SKIP": 0}


def report(status, name, detail=""):
    results[status] += 1
    print(f"{status} {name}" + (f": {detail}" if detail else ""), flush=True)


CHECKS = []


def check(name):
    """Registers one check: an AssertionError (or any error) is a FAIL, Skip a SKIP."""
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


def run_check(name, fn):
    try:
        report("PASS", name, fn() or "")
    except Skip as e:
        report("SKIP", name, str(e))
    except AssertionError as e:
        report("FAIL", name, str(e))
    except Exception as e:  # noqa: BLE001 - every failure is reported, never raised
        report("FAIL", name, f"{type(e).__name__}: {e}")


class Skip(Exception):
    pass


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Dockerfile -----------------------------------------------------------------------------

def dockerfile_instructions():
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for line in read("Dockerfile").splitlines():
        if not pending and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def stages():
    """{stage name: [(instruction, arguments), ...]} in file order."""
    result, current = {}, None
    for word, rest in dockerfile_instructions():
        if word == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            current = m.group(2) or f"stage{len(result)}"
            result[current] = [(word, rest)]
        elif current:
            result[current].append((word, rest))
    return result


def exec_form(text):
    value = json.loads(text)
    assert isinstance(value, list), f"not the exec (JSON) form: {text}"
    return value


def dockerignore_patterns():
    path = os.path.join(ROOT, ".dockerignore")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [l.strip().rstrip("/") for l in f if l.strip() and not l.startswith("#")]


@check("Dockerfile COPY sources exist and are not .dockerignored")
def copy_sources():
    ignored = dockerignore_patterns()
    seen = 0
    for word, rest in dockerfile_instructions():
        if word != "COPY" or "--from=" in rest:
            continue
        parts = [p for p in shlex.split(rest) if not p.startswith("--")]
        for src in parts[:-1]:
            seen += 1
            matches = glob.glob(os.path.join(ROOT, src.rstrip("/")))
            assert matches, f"COPY {src}: no such file in the repository"
            rel = src.rstrip("/")
            for pattern in ignored:
                assert not (fnmatch.fnmatch(rel, pattern) or rel.startswith(pattern + "/")), \
                    f"COPY {src} is excluded by .dockerignore ({pattern})"
    assert seen, "no COPY found"
    return f"{seen} sources"


@check("Dockerfile stages: server, bots and coturn targets; every --from names an earlier stage")
def stage_names():
    names = list(stages())
    for target in ("server", "bots", "coturn"):
        assert target in names, f"no stage {target} (have {names})"
    assert names[-1] == "server", "the server must be the last stage: `docker build .` builds it"
    for i, (name, body) in enumerate(stages().items()):
        for word, rest in body:
            for ref in re.findall(r"--from=(\S+)", rest):
                assert ref in names[:i], f"stage {name}: --from={ref} is not an earlier stage"
            if word == "FROM":
                base = rest.split()[0]
                assert ":" in base or base in names[:i], f"stage {name}: base image {base} without a tag"
                assert base in names[:i] or base.startswith(("debian:bookworm", "node:")), \
                    f"stage {name}: {base} is not Debian bookworm"
    runtime_bases = [b[0][1].split()[0] for n, b in stages().items() if n == "runtime"]
    assert runtime_bases == ["debian:bookworm-slim"], f"runtime stage base: {runtime_bases}"
    return ", ".join(names)


@check("Dockerfile build packages come from scripts/deps (test-only exclusions all listed there)")
def apt_lists():
    text = read("Dockerfile")
    m = re.search(r'ARG TEST_ONLY_PACKAGES="([^"]*)"', text)
    assert m, "no ARG TEST_ONLY_PACKAGES"
    lists = re.findall(r"scripts/deps/\S+\.apt", text.split("apt-packages.sh --without", 1)[1].split("\n")[0])
    assert lists, "apt-packages.sh is not given the scripts/deps lists"
    run = subprocess.run([os.path.join(ROOT, "deploy/docker/apt-packages.sh"), "--without", m.group(1), *lists],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr.strip()
    packages = run.stdout.split()
    assert "libtgowt-dev" in packages and "cmake" in packages, packages
    assert "chromium" not in packages
    missing = [p for p in packages if subprocess.run(["dpkg-query", "-W", p], capture_output=True).returncode]
    assert not missing, f"not known to dpkg here: {missing}"
    return f"{len(packages)} packages"


@check("deploy/docker/runtime-packages.sh finds the runtime packages of parley-server")
def runtime_packages():
    run = subprocess.run([os.path.join(ROOT, "deploy/docker/runtime-packages.sh"), SERVER],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr.strip()
    packages = run.stdout.split()
    for expected in ("libssl3", "libsqlite3-0", "libc6"):
        assert expected in packages, f"{expected} missing from {packages}"
    assert not any(p.endswith("-dev") for p in packages), f"a -dev package at run time: {packages}"
    return " ".join(packages)


# --- parley-server command lines ------------------------------------------------------------

def make_stand_ins():
    """Temporary files for what the command lines name (certificates from scripts/dev-ca.sh)."""
    tls = os.path.join(TMP, "tls")
    subprocess.run([os.path.join(ROOT, "scripts/dev-ca.sh"), "-d", tls, "localhost"], check=True,
                   capture_output=True)
    web = os.path.join(TMP, "web")
    os.makedirs(web)
    with open(os.path.join(web, "index.html"), "w") as f:
        f.write("<!doctype html>")
    secret = os.path.join(TMP, "turn-secret")
    with open(secret, "w") as f:
        f.write("a-test-secret-shared-with-coturn\n")
    return {"--tls-cert": os.path.join(tls, "server.pem"), "--tls-key": os.path.join(tls, "server.key"),
            "--turn-secret-file": secret, "--web-root": web}


STAND_INS = {}
# Flags whose values are paths the server makes itself: a fresh place under the temporary dir.
MADE_BY_SERVER = {"--data-dir": "data", "--management-listen": "run/management.sock", "--env-file": "parley.env"}


def substitute(args, label):
    """The flags with every path swapped for a stand-in; fails on a path it has none for."""
    out, i = [], 0
    base = os.path.join(TMP, re.sub(r"\W+", "-", label))
    os.makedirs(base, exist_ok=True)
    while i < len(args):
        flag, value, inline = args[i], None, False
        if flag.startswith("--") and "=" in flag:
            flag, value = flag.split("=", 1)
            inline = True
        elif flag.startswith("--") and i + 1 < len(args) and not args[i + 1].startswith("--"):
            value = args[i + 1]
            i += 1
        elif flag.startswith("--") and i + 1 < len(args) and args[i + 1] == "":
            value = ""
            i += 1
        if value is not None and value != "":
            if flag in STAND_INS:
                value = STAND_INS[flag]
            elif flag in MADE_BY_SERVER:
                value = os.path.join(base, MADE_BY_SERVER[flag])
            else:
                assert not value.startswith("/"), f"{label}: no stand-in for {flag} {value}"
        out += [f"{flag}={value}"] if inline else ([flag] if value is None else [flag, value])
        i += 1
    return out


def check_config(label, args):
    args = substitute(args, label)
    run = subprocess.run([SERVER, "--check-config", *args], capture_output=True, text=True, timeout=30,
                         cwd=TMP, env={k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")})
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr.strip()} (args {shlex.join(args)})"
    assert "configuration OK" in run.stdout, run.stdout
    warnings = [l for l in run.stdout.splitlines() if l.startswith("warning:")]
    assert not warnings, warnings
    assert not os.path.exists(os.path.join(TMP, re.sub(r"\W+", "-", label), "data")), "--check-config made the data dir"
    return f"{len(run.stdout.splitlines()) - 1} items checked"


def compose():
    with open(os.path.join(ROOT, "deploy/compose.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def interpolate(value):
    """Compose's ${VAR:-default} and ${VAR}, with the defaults (or '' when none)."""
    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: m.group(2) or "", value)


def systemd_command(unit, key):
    """The first `key=` line of a unit (continuations joined), split as systemd does for plain words."""
    text = read(f"deploy/systemd/{unit}")
    joined = re.sub(r"\\\n\s*", " ", text)
    for line in joined.splitlines():
        if line.startswith(key + "="):
            return shlex.split(line[len(key) + 1:].lstrip("-@:+!"))
    raise AssertionError(f"{unit}: no {key}=")


@check("Dockerfile server ENTRYPOINT + CMD pass parley-server --check-config")
def dockerfile_command():
    body = stages()["server"]
    entry = [exec_form(r) for w, r in body if w == "ENTRYPOINT"][-1]
    cmd = [exec_form(r) for w, r in body if w == "CMD"][-1]
    assert entry == ["parley-server"], entry
    return check_config("dockerfile", cmd)


@check("compose parley-server command passes parley-server --check-config")
def compose_command():
    service = compose()["services"]["parley-server"]
    return check_config("compose", [interpolate(str(a)) for a in service["command"]])


@check("systemd parley.service ExecStart passes parley-server --check-config")
def systemd_server_command():
    argv = systemd_command("parley.service", "ExecStart")
    assert argv[0].endswith("/parley-server"), argv[0]
    return check_config("systemd", argv[1:])


@check("parley-bots command lines use only flags parley-bots knows")
def bots_flags():
    help_text = subprocess.run([BOTS, "--help"], capture_output=True, text=True).stdout
    assert "--ws-server" in help_text, "parley-bots --help printed no flags"
    lines = {
        "Dockerfile bots CMD": [exec_form(r) for w, r in stages()["bots"] if w == "CMD"][-1],
        "compose parley-bots": [str(a) for a in compose()["services"]["parley-bots"]["command"]],
        "parley-bots.service": systemd_command("parley-bots.service", "ExecStart")[1:],
    }
    for label, args in lines.items():
        for flag in (a.split("=")[0] for a in args if a.startswith("--")):
            assert re.search(rf"(^|[\s,]){re.escape(flag)}\b", help_text), f"{label}: parley-bots has no {flag}"
    return ", ".join(lines)


@check("compose wiring: provisioning shares the socket and the token file, bots wait for it")
def compose_wiring():
    c = compose()
    s = c["services"]
    server, prov, bots = s["parley-server"], s["provision-bots"], s["parley-bots"]
    assert prov["image"] == server["image"], "provision-bots must run the server image (it has parley-server)"
    for name, svc in s.items():
        if "build" in svc:
            assert svc["build"]["target"] in stages(), f"{name}: no stage {svc['build']['target']}"
        for v in svc.get("volumes", []):
            vol = v.split(":")[0]
            assert vol.startswith((".", "/")) or vol in c["volumes"], f"{name}: volume {vol} not declared"
        for secret in svc.get("secrets", []):
            assert secret in c["secrets"], f"{name}: secret {secret} not declared"
    socket_dir = os.path.dirname(server["command"][server["command"].index("--management-listen") + 1])
    mounts = lambda svc: {v.split(":")[1]: v.split(":")[0] for v in svc.get("volumes", [])}
    assert mounts(prov).get(socket_dir) == mounts(server).get(socket_dir), "the socket's volume is not shared"
    pargs = prov["command"]
    assert pargs[pargs.index("--socket") + 1] == os.path.join(socket_dir, "management.sock")
    out_dir = os.path.dirname(pargs[pargs.index("--out") + 1])
    bargs = bots["command"]
    env_file = bargs[bargs.index("--bots-secret-env-file") + 1]
    assert env_file == pargs[pargs.index("--out") + 1], "the bots read another file than provisioning writes"
    assert mounts(prov)[out_dir] == mounts(bots)[out_dir], "the token file's volume is not shared"
    assert bots["depends_on"]["provision-bots"]["condition"] == "service_completed_successfully"
    assert prov["depends_on"]["parley-server"]["condition"] == "service_healthy"
    assert "use-auth-secret" in read("deploy/coturn/turnserver.conf").split()
    return "ok"


@check("systemd-analyze verify deploy/systemd/*.service")
def systemd_verify():
    if subprocess.run(["sh", "-c", "command -v systemd-analyze"], capture_output=True).returncode:
        raise Skip("systemd-analyze is not installed")
    units = os.path.join(TMP, "units")
    os.makedirs(units)
    names = sorted(os.listdir(os.path.join(ROOT, "deploy/systemd")))
    for name in names:  # the checkout at /opt/parley is this one, its build dir ours
        text = read(f"deploy/systemd/{name}").replace("/opt/parley/build/", BUILD + "/").replace("/opt/parley/", ROOT + "/")
        with open(os.path.join(units, name), "w") as f:
            f.write(text)
    run = subprocess.run(["systemd-analyze", "verify", *names], cwd=units, capture_output=True, text=True, timeout=60)
    output = (run.stdout + run.stderr).strip()
    if run.returncode and re.search(r"Failed to (initialize|connect|create)|[Cc]ommand not found|not been booted", output):
        raise Skip(f"systemd-analyze cannot run here: {output.splitlines()[0]}")
    # Unknown keys and the like are only printed (exit 0): any output is a failure.
    assert run.returncode == 0 and not output, output or f"exit {run.returncode}"
    return ", ".join(names)


# --- provisioning, health check, coturn against real processes -------------------------------

def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def http_get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


@check("provision-bots.sh writes five tokens that parley-bots logs in with; compose health check")
def provisioning():
    port = free_port()
    base = os.path.join(TMP, "provision")
    sock = os.path.join(base, "run", "management.sock")
    server = subprocess.Popen([SERVER, "--env-file", "", "--listen", f"127.0.0.1:{port}", "--data-dir",
                               os.path.join(base, "data"), "--management-listen", sock, "--web-root", STAND_INS["--web-root"]],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bots = None
    try:
        out = os.path.join(base, "tokens.env")
        script = [os.path.join(ROOT, "deploy/provision-bots.sh"), "--server", SERVER, "--socket", sock,
                  "--avatars", os.path.join(ROOT, "assets/bots"), "--out", out, "--wait", "20"]
        for attempt in (1, 2):  # the second run replaces the file (fresh tokens, same accounts)
            run = subprocess.run(script, capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, f"run {attempt}: {run.stderr.strip()}"
        assert oct(os.stat(out).st_mode & 0o777) == "0o600", oct(os.stat(out).st_mode)
        with open(out) as f:
            lines = f.read().splitlines()
        names = [l.split("=", 1)[0] for l in lines]
        assert names == ["ECHOBOT_JWT_TOKEN", "COUNTERBOT_JWT_TOKEN", "CLOCKBOT_JWT_TOKEN", "MUSICBOT_JWT_TOKEN",
                         "CHATBOT_JWT_TOKEN"], names
        assert all(re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", l.split("=", 1)[1]) for l in lines), "not JWTs"
        assert not [f for f in os.listdir(base) if ".new." in f], "a temporary file was left"

        health = compose()["services"]["parley-server"]["healthcheck"]["test"]
        assert health[:3] == ["CMD", "bash", "-c"], health
        probe = subprocess.run(["bash", "-c", health[3].replace("/3001", f"/{port}")], capture_output=True, timeout=10)
        assert probe.returncode == 0, f"the compose health check fails against a healthy server: {probe.stderr!r}"

        if not os.access(BOTS, os.X_OK):
            return "tokens ok (no parley-bots built: login not tried)"
        bots = subprocess.Popen([BOTS, "--ws-server", f"ws://127.0.0.1:{port}/ws", "--data-dir",
                                 os.path.join(base, "bots-data"), "--bots-secret-env-file", out, "--bots", "EchoBot,CounterBot",
                                 "--ice-server", "none", "--ice-loopback-only"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=base)

        def logged_in():
            body = http_get(port, "/conns")
            if not body:
                return False
            entries = {c.get("node_name"): c for c in json.loads(body).values()}
            return all(entries.get(n, {}).get("authentication") == "jwt" for n in ("echo_bot", "counter_bot"))
        wait_for(logged_in, 30, "echo_bot and counter_bot in /conns with authentication jwt")
        return "5 tokens, mode 0600, replaced on a second run; bots logged in; health check ok"
    finally:
        for p in (bots, server):
            if p:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()


@check("deploy/coturn: turnserver starts with turnserver.conf and the secret")
def coturn():
    if subprocess.run(["sh", "-c", "command -v turnserver"], capture_output=True).returncode:
        raise Skip("turnserver (coturn) is not installed")
    port = free_port()
    env = {**os.environ, "PARLEY_COTURN_CONF": os.path.join(ROOT, "deploy/coturn/turnserver.conf"),
           "TURN_SECRET_FILE": STAND_INS["--turn-secret-file"]}
    log = os.path.join(TMP, "coturn.log")
    with open(log, "w") as f:
        p = subprocess.Popen([os.path.join(ROOT, "deploy/coturn/entrypoint.sh"), f"--listening-port={port}",
                              "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--min-port=61000", "--max-port=61010",
                              f"--pidfile={TMP}/turnserver.pid"], stdout=f, stderr=subprocess.STDOUT, env=env)
    try:
        def listening():
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0
        wait_for(lambda: listening() or p.poll() is not None, 10, "turnserver listening")
        with open(log) as f:
            text = f.read()
        assert p.poll() is None, f"turnserver exited {p.returncode}: {text[-800:]}"
        bad = [l for l in text.splitlines() if re.search(r"CONFIG ERROR|Bad configuration|[Uu]nknown (option|param)", l)]
        assert not bad, bad
        return f"listening on 127.0.0.1:{port}"
    finally:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()


def main():
    try:
        if not os.access(SERVER, os.X_OK):
            report("FAIL", f"{SERVER} is built")
        else:
            STAND_INS.update(make_stand_ins())
            only = os.environ.get("PARLEY_DEPLOY_ONLY", "")  # a word of the checks' names, while working on one
            for name, fn in CHECKS:
                if only.lower() in name.lower():
                    run_check(name, fn)
    finally:
        subprocess.run(["rm", "-rf", TMP])
    print(f"deploy: {results['PASS']} passed, {results['FAIL']} failed, {results['SKIP']} skipped")
    return 1 if results["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
