"""tests/data/podman/: what Debian 12's Podman printed for the labs' states (course.podman).

No Podman needed: the data is committed (capturing takes 20 s or more and installs
packages). These tests hold the data to what its README and the pages built on it say,
and to the capture script's command list, so a re-capture that changed either fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from course import podman

DATA = Path(__file__).resolve().parent / "data" / "podman"
MANIFEST = json.loads((DATA / "captures.json").read_text(encoding="utf-8"))
BY_FILE = {entry["file"]: entry for entry in MANIFEST}
RECORDED = json.loads((DATA / "recorded.json").read_text(encoding="utf-8"))


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def one(name: str) -> dict:
    found = json.loads(text(name))
    assert isinstance(found, list) and len(found) == 1, name
    return found[0]


def test_the_manifest_is_the_scripts_list_and_the_folders_files():
    wanted = [(f, c.removesuffix(" 2>&1").removesuffix(" 2>/dev/null")) for f, c, _ in podman.CAPTURES if f]
    assert [(e["file"], e["command"]) for e in MANIFEST] == wanted
    files = {p.name for p in DATA.iterdir()} - {"README.md", "captures.json", "recorded.json"}
    assert files == set(BY_FILE)
    readme = text("README.md")
    assert [f for f in BY_FILE if f"`{f}`" not in readme] == [], "the README's table misses files"


def test_every_command_succeeded_but_the_missing_object():
    assert {f: e["exit"] for f, e in BY_FILE.items() if e["exit"]} == {"missing-container.txt": 125}


def test_version_is_a_client_without_server():
    assert RECORDED["podman"] == "4.3.1"
    assert RECORDED["packages"]["podman"].startswith("4.3.1+")
    version = json.loads(text("version.json"))
    assert set(version) == {"Client"} and version["Client"]["Version"] == RECORDED["podman"]
    assert text("version.txt").startswith("Client:       Podman Engine\nVersion:      4.3.1\n")
    assert "Server" not in text("version.txt")


def test_docker_version_through_podman_docker():
    notice = "Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.\n"
    assert text("docker-version.txt") == notice + text("version.txt")
    assert json.loads(text("docker-version.json")) == json.loads(text("version.json"))


def test_info_names_the_runtime_and_store_the_readme_gives():
    info = json.loads(text("info.json"))
    host = info["host"]
    assert (host["ociRuntime"]["name"], host["cgroupManager"], host["cgroupVersion"]) == ("runc", "cgroupfs", "v1")
    assert (info["store"]["graphDriverName"], host["networkBackend"]) == ("overlay", "cni")
    assert info["version"]["Version"] == RECORDED["podman"]
    assert re.search(r"^  ociRuntime:\n    name: runc$", text("info.txt"), re.M)


def test_lab_1_a_container_that_ran_to_its_end():
    box = one("container-first-box-exited.json")
    assert (box["State"]["Status"], box["State"]["ExitCode"]) == ("exited", 0)
    assert box["ImageName"] == "docker.io/library/debian:trixie-slim"
    assert [box["Path"], *box["Args"]] == ["cat", "/etc/os-release"]
    assert box["Config"]["Entrypoint"] == ""  # Docker: null


def test_lab_2_the_image_podman_built():
    image = one("image-greeter.json")
    assert one("image-greeter-inspect.json") == image
    assert image["RepoTags"] == ["localhost/greeter:lab"]
    assert image["Config"]["User"] == "10001:10001"
    assert image["Config"]["Cmd"] == ["python3", "/app/greet.py"] and "Entrypoint" not in image["Config"]


def test_lab_3_notes_running_published_and_in_its_volume():
    notes = one("container-notes-running.json")
    assert notes["State"]["Status"] == "running" and notes["State"]["Running"] is True
    assert notes["ImageName"] == "docker.io/library/python:3.13-slim"
    assert [notes["Path"], *notes["Args"]] == podman.NOTES_RUN.split("python:3.13-slim ", 1)[1].split()
    assert notes["HostConfig"]["RestartPolicy"] == {"Name": "unless-stopped", "MaximumRetryCount": 0}
    binding = [{"HostIp": "127.0.0.1", "HostPort": "8088"}]
    assert notes["HostConfig"]["PortBindings"] == {"8000/tcp": binding}
    assert notes["NetworkSettings"]["Ports"] == {"8000/tcp": binding}
    (mount,) = notes["Mounts"]
    assert (mount["Type"], mount["Name"], mount["Destination"]) == ("volume", "notes-data", "/data")
    assert text("curl-hello.txt") == "hello from the volume\n"
    assert text("exec-ls-data.txt") == "hello.txt\n"
    volume = one("volume-notes-data.json")
    assert (volume["Name"], volume["Driver"], volume["Mountpoint"]) == ("notes-data", "local", mount["Source"])


def test_the_json_format_prints_the_same_indented_array():
    assert text("container-notes-running-line.json") == text("container-notes-running.json")
    assert text("container-notes-running-line.json").count("\n") > 100


def test_lab_3_stopped():
    notes = one("container-notes-stopped.json")
    assert (notes["State"]["Status"], notes["State"]["ExitCode"]) == ("exited", 137)
    assert notes["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"


def test_a_missing_object_prints_an_empty_list_and_podmans_error():
    assert text("missing-container.txt") == '[]\nError: inspecting object: no such object: "notes"\n'
