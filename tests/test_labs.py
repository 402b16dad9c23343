"""Every lab, proved without an engine: the page's checker (docs/assets/javascripts/labs.js,
run in Node by tests/js/check-lab.mjs) on each case's captured output.

examples/labs/NN-NAME/cases.yaml declares each case's verdict (course.labs; the examples'
tests run the cases on the engine and compare with the captures). Here the saved captures are
judged again, as Engine 28.5 printed them and as Docker 25, Docker 29 and Podman print the same
state (derived from the capture, each change citing its source), with Windows line endings,
with the prompt line and on one line (`--format '{{json .}}'`): every shape must get the same
verdict, criterion by criterion. docs/contributing/adding-a-lab.md describes the format.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from course import console, labs, practice, recording

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = labs.examples()


def rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def saved_cases(example: Path):
    lab = labs.load(example)
    for name, case in lab.cases.items():
        lines = (example / "output" / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        pastes, answers = labs.check_transcript(lab, lines)
        yield lab, case, pastes, answers


def states(verdict: dict) -> list[tuple[str, str]]:
    return [(c["id"], c["state"]) for c in verdict["criteria"]]


# --------------------------------------------------------------------------- the labs' folders
def test_every_lab_of_the_pages_has_its_cases():
    pages = {practice.parse_lab(f.source)["name"] for f in practice.find_all() if f.kind == "lab"}
    proved = {labs.load(e).spec["name"] for e in EXAMPLES}
    assert pages == proved, f"labs without examples/labs/NN-NAME/cases.yaml: {sorted(pages - proved)}"
    assert sorted(p.name for p in (ROOT / "examples" / "labs").iterdir() if p.is_dir()) == [e.name for e in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=rel)
def test_each_case_has_its_capture_and_its_line_in_the_readme(example):
    lab = labs.load(example)  # raises on a malformed cases.yaml, too few cases, unknown criteria
    captured = {p.stem for p in (example / "output").glob("*.txt")}
    assert captured == set(lab.cases), f"output/ holds {sorted(captured)}, cases.yaml {sorted(lab.cases)}"
    meta = json.loads((example / "output" / recording.JSON_NAME).read_text(encoding="utf-8"))
    for name in lab.cases:
        path = example / "output" / f"{name}.txt"
        assert meta["transcripts"].get(path.name) == recording.sha256(path), f"{rel(path)} changed after its capture"
    assert (example / "output" / recording.NOTE_NAME).read_text(encoding="utf-8") == recording.note(meta)
    readme = (example / "README.md").read_text(encoding="utf-8")
    missing = [name for name in lab.cases if f"`{name}`" not in readme]
    assert missing == [], f"{rel(example / 'README.md')} does not list the case(s) {missing}"


# --------------------------------------------------------------------------- the verdicts
def test_the_checker_judges_every_capture_as_its_case_declares():
    jobs, cases = [], []
    for example in EXAMPLES:
        for lab, case, pastes, answers in saved_cases(example):
            jobs.append({"spec": practice.lab_data(lab.spec), "pastes": pastes, "answers": answers})
            cases.append((example, case, answers))
    asked = labs.judge([{**job, "answers": {}} for job in jobs])  # what the page asks before any answer
    problems = []
    for (example, case, answers), verdict, first in zip(cases, labs.judge(jobs), asked, strict=True):
        wrong = labs.expectation(case, verdict)
        if wrong:
            problems.append(f"{example.name} {case.name}: {wrong}")
        if bool(first["asks"]) != case.asks or bool(answers) != case.asks:
            problems.append(f"{example.name} {case.name}: asks: {case.asks}, the page asked {first['asks']}")
        if verdict["asks"] and not first["asks"]:
            problems.append(f"{example.name} {case.name}: the answers made the page ask more: {verdict['asks']}")
    assert problems == [], "\n".join(problems)


# Docker 29 (API 1.52), from Docker's API changelog (docs/api/version-history.md, "v1.52 API
# changes"): GET /images/{name}/json omits the Config fields Cmd, Entrypoint, Env, Labels,
# OnBuild, User, Volumes and WorkingDir when they are not set, and Parent, Comment,
# DockerVersion and Author when empty; GET /containers/{id}/json no longer returns the
# NetworkSettings fields deprecated since API 1.21, and omits an empty Config.OnBuild.
DOCKER29_IMAGE_CONFIG = ("Cmd", "Entrypoint", "Env", "Labels", "OnBuild", "User", "Volumes", "WorkingDir")
DOCKER29_NETWORK_SETTINGS = (
    "Bridge HairpinMode LinkLocalIPv6Address LinkLocalIPv6PrefixLen SecondaryIPAddresses SecondaryIPv6Addresses "
    "EndpointID Gateway GlobalIPv6Address GlobalIPv6PrefixLen IPAddress IPPrefixLen IPv6Gateway MacAddress"
).split()


def docker29(obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    if "RootFS" in obj:
        cfg = obj.get("Config") or {}
        for key in DOCKER29_IMAGE_CONFIG:
            if key in cfg and cfg[key] in (None, "", [], {}):
                del cfg[key]
        for key in ("Parent", "Comment", "DockerVersion", "Author"):
            if obj.get(key) in ("", None):
                obj.pop(key, None)
    else:
        for key in DOCKER29_NETWORK_SETTINGS:
            (obj.get("NetworkSettings") or {}).pop(key, None)
        if not (obj.get("Config") or {}).get("OnBuild"):
            (obj.get("Config") or {}).pop("OnBuild", None)
    return obj


# Docker 25 (API 1.44), from the same changelog: image inspect still had Container and
# ContainerConfig (removed in API 1.45) and no Descriptor (added for the containerd store
# in API 1.48); a container's network Aliases still held its short id (changed in API 1.45).
def docker25(obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    if "RootFS" in obj:
        obj.pop("Descriptor", None)
        obj["Container"] = ""
        obj["ContainerConfig"] = {"Cmd": None, "Entrypoint": None, "Env": None, "User": "", "WorkingDir": ""}
    else:
        for net in ((obj.get("NetworkSettings") or {}).get("Networks") or {}).values():
            net["Aliases"] = [*(net.get("Aliases") or []), obj["Id"][:12]]
    return obj


# Podman, as its inspect prints the same state, for every case (Podman's real output of three
# states is tested below): libpod/define/container_inspect.go (a container's Name without the
# slash, ImageName beside the image id, Config.Entrypoint one string in Podman 4,
# State.Healthcheck, "configured" for a container never started), tests/data/podman/README.md
# (a built image is localhost/NAME:TAG, a pulled one docker.io/library/NAME:TAG), Podman's
# docs/source/markdown/options/cpus.container.md (--cpus is shorthand for --cpu-period and
# --cpu-quota) and its captures (PidsLimit 2048 when none is given: containers.conf's default).
def podman(obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    long = lambda ref: ref if "/" in ref.split(":")[0] else f"docker.io/library/{ref}"  # noqa: E731
    if "RootFS" in obj:
        obj["RepoTags"] = [t if "/" in t.split(":")[0] else f"localhost/{t}" for t in obj.get("RepoTags") or []]
        obj.pop("Descriptor", None)
        return obj
    obj["Name"] = obj["Name"].lstrip("/")
    cfg = obj.get("Config") or {}
    obj["ImageName"] = long(cfg.get("Image", ""))
    cfg["Image"] = long(cfg.get("Image", ""))
    cfg["Entrypoint"] = " ".join(cfg.get("Entrypoint") or [])
    host = obj.get("HostConfig") or {}
    if host.get("NanoCpus"):
        host.update(CpuQuota=host["NanoCpus"] // 10_000, CpuPeriod=100_000, NanoCpus=0)
    if not host.get("PidsLimit"):
        host["PidsLimit"] = 2048
    state = obj["State"]
    if "Health" in state:
        state["Healthcheck"] = state.pop("Health")
    if state.get("Status") == "created":
        state["Status"] = "configured"
    return obj


SHAPES = {
    "Docker 29": lambda text, obj: json.dumps([docker29(obj)], indent=4),
    "Docker 25": lambda text, obj: json.dumps([docker25(obj)], indent=4),
    "Podman": lambda text, obj: json.dumps([podman(obj)], indent=5),
    "one line": lambda text, obj: json.dumps(obj),
    "Windows line endings": lambda text, obj: text.replace("\n", "\r\n"),
    "with the prompt": lambda text, obj: "$ docker inspect x\n" + text,
    "in PowerShell": lambda text, obj: "PS C:\\Users\\me> docker inspect x\r\n" + text.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_capture_gets_the_same_verdict_in_every_shape(shape):
    jobs, variants = [], []
    for example in EXAMPLES:
        for lab, case, pastes, answers in saved_cases(example):
            data = practice.lab_data(lab.spec)
            jobs.append({"spec": data, "pastes": pastes, "answers": answers})
            try:
                value = json.loads(pastes[0][pastes[0].index("[") :].split("\nError")[0])
            except ValueError:
                value = None
            if not value:  # nothing inspected (removed): the other shapes of a paste only
                if shape not in ("Windows line endings", "with the prompt", "in PowerShell"):
                    variants.append(None)
                    continue
                value = [None]
            text = SHAPES[shape](pastes[0], value[0])
            others = [p.replace("\n", "\r\n") if "Windows" in shape or "PowerShell" in shape else p for p in pastes[1:]]
            variants.append(
                {"spec": data, "pastes": [text, *others], "answers": answers, "case": f"{example.name} {case.name}"}
            )
    shaped = [v for v in variants if v]
    got = labs.judge([{k: v[k] for k in ("spec", "pastes", "answers")} for v in shaped])
    engine28 = [v for v, w in zip(labs.judge(jobs), variants, strict=True) if w]
    differ = [
        f"{v['case']}: Engine 28.5 {states(a)} {a['message']!r}, {shape} {states(b)} {b['message']!r}"
        for v, a, b in zip(shaped, engine28, got, strict=True)
        if states(a) != states(b) or a["passed"] != b["passed"] or (not a["criteria"] and a["message"] != b["message"])
    ]
    assert len(shaped) >= 30, "too few captures to compare"
    assert differ == [], "\n".join(differ)


def test_the_derived_shapes_differ_from_the_capture_where_their_source_says():
    """The variants are not copies: Docker 29 drops the fields, Podman renames them."""
    example = next(e for e in EXAMPLES if labs.load(e).spec["kind"] == "container")
    _, _, pastes, _ = next(saved_cases(example))
    obj = json.loads(pastes[0])[0]
    assert "IPAddress" in obj["NetworkSettings"] and "IPAddress" not in docker29(obj)["NetworkSettings"]
    assert podman(obj)["Name"] == obj["Name"][1:] and podman(obj)["Config"]["Image"].startswith("docker.io/library/")
    image_example = next(e for e in EXAMPLES if labs.load(e).spec["kind"] == "image")
    _, _, pastes, _ = next(saved_cases(image_example))
    image = json.loads(pastes[0])[0]
    assert "Entrypoint" in image["Config"] and "Entrypoint" not in docker29(image)["Config"]
    assert podman(image)["RepoTags"] == [f"localhost/{t}" for t in image["RepoTags"]]


# What Podman 4.3.1 (Debian 12) really printed for these labs' states (tests/data/podman,
# course.podman): the same verdicts as Docker's output of the same states. Each row: the lab,
# the files pasted in its boxes (None: nothing pasted), and the criteria expected to fail.
PODMAN = ROOT / "tests" / "data" / "podman"
PODMAN_CASES = {
    "first-box exited": ("first-box", ["container-first-box-exited.json"], []),
    "greeter image": ("greeter-image", ["image-greeter.json", None], []),
    "greeter by podman inspect": ("greeter-image", ["image-greeter-inspect.json", None], []),
    "notes running": ("notes", ["container-notes-running.json", "curl-hello.txt"], []),
    "notes running, --format '{{json .}}'": ("notes", ["container-notes-running-line.json", "curl-hello.txt"], []),
    "notes stopped": ("notes", ["container-notes-stopped.json", None], ["running"]),
}


@pytest.mark.parametrize("case", PODMAN_CASES)
def test_podmans_own_output_gets_the_verdict_of_the_same_state(case):
    name, files, failing = PODMAN_CASES[case]
    spec = practice.lab_data(practice.lab_spec(name))
    pastes = [(PODMAN / f).read_text(encoding="utf-8") if f else "" for f in files]
    verdict = labs.judge([{"spec": spec, "pastes": pastes}])[0]
    assert verdict["criteria"], verdict["message"]
    failed = [c["id"] for c in verdict["criteria"] if c["state"] == "fail"]
    unpasted = {n + 1 for n, f in enumerate(files) if f is None}
    open_ = [c["id"] for c in verdict["criteria"] if c["state"] == "open"]
    # Only what needs an output that was not captured stays open (docker run --rm greeter:lab).
    needs = [c["id"] for c in spec["criteria"] if c.get("check") == "output" and c["command"] in unpasted]
    assert (failed, open_) == (failing, needs), verdict
    assert verdict["passed"] == (not failing and not needs)


def test_podmans_missing_object_reads_as_missing():
    spec = practice.lab_data(practice.lab_spec("notes"))
    verdict = labs.judge([{"spec": spec, "pastes": [(PODMAN / "missing-container.txt").read_text(encoding="utf-8")]}])[
        0
    ]
    assert "`notes` does not exist" in verdict["message"] and not verdict["criteria"]


# --------------------------------------------------------------------------- bad pastes
def bad_inputs(lab: labs.Lab) -> dict[str, str]:
    """Every kind of bad paste the issue lists, for a lab."""
    own = (lab.example / "output" / "solution.txt").read_text(encoding="utf-8").splitlines()
    inspect_text = labs.check_transcript(lab, own)[0][0]
    other = next(e for e in EXAMPLES if e != lab.example)
    other_lab = labs.load(other)
    other_lines = (other / "output" / "solution.txt").read_text(encoding="utf-8").splitlines()
    other_text = labs.check_transcript(other_lab, other_lines)[0][0]
    network = json.dumps([{"Name": "bridge", "Driver": "bridge", "IPAM": {}, "Containers": {}}])
    return {
        "empty": "",
        "blank": "  \n ",
        "not JSON": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
        "not JSON either": "hello",
        "missing": f"[]\nError: No such object: {lab.spec['object']}",
        "another kind": network,
        "another lab": other_text,
        "truncated": inspect_text[: len(inspect_text) // 2],
        "empty list": "[]",
        "5 MB": "[" + " " * 5_000_000 + "]",
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=rel)
def test_bad_input_gets_a_message_not_a_verdict(example):
    lab = labs.load(example)
    cases = bad_inputs(lab)
    verdicts = labs.judge([{"spec": practice.lab_data(lab.spec), "pastes": [text]} for text in cases.values()])
    problems = [
        f"{case}: {v}"
        for case, v in zip(cases, verdicts, strict=True)
        if v["passed"] or v["criteria"] or not v["message"]
    ]
    assert problems == []
    said = dict(zip(cases, (v["message"] for v in verdicts), strict=True))
    assert "does not exist" in said["missing"] and "does not exist" in said["empty list"]
    assert not any(re.search(r"\ba [aeiou]", m) for m in said.values()), said


# --------------------------------------------------------------------------- the harness itself
def test_a_case_namespace_maps_names_and_ports_both_ways():
    ns = labs.Namespace("lab-0123456789ab-3-", ["notes", "notes-data"], {8088: 41234})
    typed = "docker run -d --name notes -p 127.0.0.1:8088:8000 -v notes-data:/data img sh -c 'ls /notes; cat notes.txt'"
    assert ns.forward(typed) == (
        "docker run -d --name lab-0123456789ab-3-notes -p 127.0.0.1:41234:8000 "
        "-v lab-0123456789ab-3-notes-data:/data img sh -c 'ls /notes; cat notes.txt'"
    )
    printed = (
        '"Name": "/lab-0123456789ab-3-notes",\n"HostPort": "41234"\nBind for 127.0.0.1:41234 failed\n"Pid": 41234,'
    )
    assert ns.back(printed) == '"Name": "/notes",\n"HostPort": "8088"\nBind for 127.0.0.1:8088 failed\n"Pid": 41234,'


def test_a_capture_that_differs_beyond_what_varies_is_caught():
    """The engine test compares a fresh output with the saved one as transcripts are compared:
    ids, times and process ids may differ, a state may not."""
    saved = (EXAMPLES[0] / "output" / "solution.txt").read_text(encoding="utf-8").splitlines()
    fresh = [re.sub(r'"Pid": \d+', '"Pid": 4242', re.sub(r"[0-9a-f]{64}", "f" * 64, line)) for line in saved]
    assert console.transcripts_mismatch(labs._normalized(saved), labs._normalized(fresh)) == ""
    text = re.sub(r'("Status": ")\w+', r"\1paused", "\n".join(saved), count=1)
    assert text.splitlines() != saved
    assert console.transcripts_mismatch(labs._normalized(saved), labs._normalized(text.splitlines())) != ""


def inspected(binds: list[str], mounts: list[tuple[str, str]], env: list[str]) -> list[str]:
    """A transcript of `docker inspect` (indented as Docker prints it) with these lists."""
    obj = {
        "HostConfig": {"Binds": binds},
        "Mounts": [{"Type": "volume", "Name": name, "Destination": dest, "RW": True} for name, dest in mounts],
        "Config": {"Env": env, "Cmd": ["printenv"]},
    }
    return ["$ docker inspect x", *json.dumps([obj], indent=4).splitlines()]


def test_lists_the_engine_reorders_compare_as_sets():
    """Env (two -e options), Mounts and Binds (two -v) come in either order from run to run: two
    captures of the same state match whatever their order; another item still differs."""
    env = ["GREETING=Good evening", "APP_MODE=development", "PATH=/usr/bin:/bin"]
    saved = inspected(["x-b:/b", "x-a:/a"], [("x-b", "/b"), ("x-a", "/a")], env)
    fresh = inspected(["x-a:/a", "x-b:/b"], [("x-a", "/a"), ("x-b", "/b")], [env[1], env[0], env[2]])
    assert fresh != saved and sorted(fresh) != sorted(saved)  # the commas moved too
    assert console.transcripts_mismatch(labs._normalized(saved), labs._normalized(fresh)) == ""
    others = {
        "a value": inspected(["x-a:/a", "x-b:/b"], [("x-a", "/a"), ("x-b", "/b")], [env[0], "APP_MODE=dev", env[2]]),
        "a mount": inspected(["x-a:/a", "x-b:/b"], [("x-a", "/a"), ("x-b", "/c")], env),
        "a bind": inspected(["x-a:/a", "x-c:/b"], [("x-a", "/a"), ("x-b", "/b")], env),
        "one item less": inspected(["x-a:/a", "x-b:/b"], [("x-a", "/a"), ("x-b", "/b")], env[1:]),
    }
    for what, other in others.items():
        assert console.transcripts_mismatch(labs._normalized(saved), labs._normalized(other)) != "", what


BAD_CASES = {
    "no solution": "the reference solution is the case 'solution'",
    "unknown criterion": "not a criterion of lab",
    "undeclared name": "list 'other' under names",
    # Issue 26: four mistakes that fail with a hint of their own; a message ("does not exist")
    # shows no hint. Lab stopper's mistakes each fail another criterion first.
    "a message for a criterion": "the mistakes fail only 3 different criteria first",
}


@pytest.mark.parametrize("fault", BAD_CASES)
def test_a_malformed_cases_file_is_refused_with_its_reason(fault, tmp_path):
    example = (
        next(e for e in EXAMPLES if e.name == "31-stopper") if fault == "a message for a criterion" else EXAMPLES[0]
    )
    text = (example / "cases.yaml").read_text(encoding="utf-8")
    if fault == "a message for a criterion":
        assert "    fails: [command]\n" in text
        text = text.replace("    fails: [command]\n", "    message: does not exist\n", 1)
    elif fault == "no solution":
        text = text.replace("  solution:", "  reference:", 1)
    elif fault == "unknown criterion":
        text = re.sub(r"fails: \[[^\]]*\]", "fails: [nope]", text, count=1)
    else:
        text = re.sub(r"--name (\S+)", "--name other", text, count=1)
    copy_dir = tmp_path / example.name
    copy_dir.mkdir()
    (copy_dir / "cases.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(labs.CasesError, match=re.escape(BAD_CASES[fault])):
        labs.load(copy_dir)


@pytest.mark.parametrize(
    ("script", "names"),
    [
        ("docker run -it --name web debian:trixie-slim", ["web"]),
        ("docker run -t debian:trixie-slim bash", []),  # -t: a terminal, not a name
        ("docker build --quiet -t greeter:lab -f - .", ["greeter"]),
        ("docker tag debian:trixie-slim mine:1", ["mine"]),
        ("docker volume create --label a=b data\ndocker network create --internal net > /dev/null", ["data", "net"]),
    ],
)
def test_the_names_a_case_gives_are_found(script, names):
    """What load() requires under names: (each case gets its own copy of them)."""
    assert [m.split(":")[0] for m in labs.GIVEN_NAME.findall(script)] == names


@pytest.mark.parametrize("runs", [1, 3])
def test_capture_writes_every_folder_named_then_compares(runs, monkeypatch, capsys):
    """`python -m course labs A B --capture --runs N`: each folder's first run captures, its later
    runs compare with that capture (not only the first folder's)."""
    import argparse

    from course import baseimages, engine

    calls = []

    class FakeRound:
        def __init__(self, lab):
            self.lab, self.outcomes, self.seconds = lab, {}, 0.0

        def problems(self, compare=True):
            calls.append((self.lab.example.name, "compare" if compare else "capture"))
            return []

        def timing(self):
            return ""

    monkeypatch.setattr(engine, "engine_or_exit", lambda: None)
    monkeypatch.setattr(baseimages, "ensure", lambda *a, **k: None)
    monkeypatch.setattr(baseimages, "required_images", lambda: [])
    monkeypatch.setattr(labs, "run_round", lambda eng, lab: FakeRound(lab))
    monkeypatch.setattr(labs, "capture", lambda eng, lab, rnd: calls.append((lab.example.name, "wrote")) or [])
    two = EXAMPLES[:2]
    args = argparse.Namespace(examples=[str(e) for e in two], capture=True, runs=runs)
    assert labs._cmd_labs(args) == 0
    want = []
    for e in two:
        want += [(e.name, "capture"), (e.name, "wrote")] + [(e.name, "compare")] * (runs - 1)
    assert calls == want
