"""Example 06: resource limits and prune (fixtures: see the root conftest.py).

The prune tests give their objects a label of their own and prune only with
`--filter label=…`: an unfiltered prune would delete other people's objects on
a shared engine.
"""

import re
import uuid

import pytest

from course.engine import SESSION_LABEL, TEST_LABEL

LABELS = ["--label", TEST_LABEL, "--label", SESSION_LABEL]


@pytest.fixture(scope="module")
def image(build, request):
    return build(request.path.parent)


@pytest.fixture
def demo_label():
    """A label value no other run uses: what the prune commands below may delete."""
    return f"org.docker-basics.demo=prune-{uuid.uuid4().hex[:8]}"


def test_without_a_limit_the_memory_hog_finishes(engine, image):
    run = engine.run_container(image.tag, ["python", "hog.py", "100"], detach=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "done: 100 MiB held without trouble"


def test_memory_limit_ends_in_an_oom_kill_and_exit_137(container, image):
    hog = container(image.tag, ports=(), wait=None, options=["--memory", "64m", "--memory-swap", "64m"])
    assert hog.wait(timeout=60) == 137
    state = hog.inspect()["State"]
    assert state["OOMKilled"] is True and state["ExitCode"] == 137, state
    held = [int(m) for m in re.findall(r"holding (\d+) MiB", hog.logs())]
    assert held and max(held) < 64, hog.logs()


def test_pids_limit_stops_a_process_flood(engine, image):
    free = engine.run_container(image.tag, ["python", "forks.py", "100"], detach=False)
    assert free.stdout.strip() == "started 100 of 100 processes", free.stdout + free.stderr
    limited = engine.run_container(
        image.tag, ["python", "forks.py", "100"], options=["--pids-limit", "20"], detach=False
    )
    refused = r"fork failed after (\d+) of 100 processes: Resource temporarily unavailable"
    m = re.fullmatch(refused, limited.stdout.strip())
    assert m and int(m.group(1)) < 20, limited.stdout + limited.stderr


def test_cpus_limit_caps_cpu_time(engine, image):
    run = engine.run_container(image.tag, ["python", "burn.py", "3"], options=["--cpus", "0.25"], detach=False)
    m = re.search(r"got ([\d.]+) s of CPU time: ([\d.]+) CPUs", run.stdout)
    assert m, run.stdout + run.stderr
    # A busy loop alone would use a whole CPU; the limit allows a quarter (plus scheduling slack).
    assert float(m.group(2)) <= 0.35, run.stdout


def test_container_prune_removes_stopped_containers_only(engine, image, demo_label):
    label = ["--label", demo_label, *LABELS]
    engine.run_cmd("run", *label, image.tag, "python", "-c", "print('done')")
    engine.out("run", "-d", *label, image.tag, "python", "-c", "import time; time.sleep(600)")
    engine.run_cmd("container", "prune", "--force", "--filter", f"label={demo_label}")
    left = engine.out("ps", "-a", "--filter", f"label={demo_label}", "--format", "{{.State}}").split()
    assert left == ["running"]


def _labelled_image(engine, demo_label, dockerfile: str, *tag: str) -> None:
    engine.run_cmd("build", "-q", "--label", demo_label, *LABELS, *tag, "-", input=dockerfile, timeout=300)


def _images(engine, demo_label) -> list[str]:
    out = engine.out("image", "ls", "--filter", f"label={demo_label}", "--format", "{{.Repository}}:{{.Tag}}")
    return sorted(out.split())


def test_image_prune_removes_dangling_then_with_all_unused(engine, image, demo_label):
    tag = f"docker-basics-test/clean-up-demo:{uuid.uuid4().hex[:8]}"
    _labelled_image(engine, demo_label, f"FROM {image.tag}\nENV VERSION={tag}-1\n")  # no -t: dangling
    _labelled_image(engine, demo_label, f"FROM {image.tag}\nENV VERSION={tag}-2\n", "-t", tag)
    assert _images(engine, demo_label) == sorted(["<none>:<none>", tag])
    engine.run_cmd("image", "prune", "--force", "--filter", f"label={demo_label}")
    assert _images(engine, demo_label) == [tag]
    engine.run_cmd("image", "prune", "--all", "--force", "--filter", f"label={demo_label}")
    assert _images(engine, demo_label) == []
    assert engine.image_exists(image.tag), "prune removed an image without the label"


def test_volume_prune_keeps_named_volumes_unless_all(engine, demo_label):
    name = f"test-kept-unless-all-{uuid.uuid4().hex[:8]}"
    engine.out("volume", "create", "--label", demo_label, name)
    try:
        engine.run_cmd("volume", "prune", "--force", "--filter", f"label={demo_label}")
        assert engine.out("volume", "ls", "-q", "--filter", f"label={demo_label}").split() == [name]
        engine.run_cmd("volume", "prune", "--all", "--force", "--filter", f"label={demo_label}")
        assert engine.out("volume", "ls", "-q", "--filter", f"label={demo_label}").split() == []
    finally:
        engine.run_cmd("volume", "rm", "-f", name, check=False)


def test_system_df_lists_the_four_kinds(engine):
    # A snapshot removed beside it while df counts: run_cmd runs it again (course.engine.lost_a_snapshot).
    cp = engine.run_cmd("system", "df", "--format", "{{.Type}}", check=False)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.splitlines() == ["Images", "Containers", "Local Volumes", "Build Cache"]


def test_rmi_keeps_the_build_cache_and_leaves_it_for_builder_prune(engine, image):
    """`docker rmi` frees no build cache: the step's record stays, and from then on no image
    uses it (not shared, reclaimable), which is what `docker builder prune` deletes.

    The test reads that in `docker buildx du` instead of pruning: on Engine 28.5 with the
    containerd image store, even `docker builder prune --filter id=<one record>` made later
    builds miss the cache of steps whose results are in images (the course image's pip and npm
    steps, 07-multi-stage's single-stage compiler step), so every run rebuilt them."""
    marker = f"builder-prune-{uuid.uuid4().hex}"
    tag = f"docker-basics-test/builder-prune:{marker[-8:]}"
    engine.run_cmd("build", "-q", *LABELS, "-t", tag, "-", input=f"FROM {image.tag}\nRUN echo {marker} > /tmp/marker\n")

    def records() -> list[list[str]]:
        rows = engine.out("buildx", "du", "--format", "{{.Shared}} {{.Reclaimable}} {{.Description}}").splitlines()
        return [row.split()[:2] for row in rows if marker in row]

    assert records() == [["true", "true"]], "the image uses its step's record"
    engine.run_cmd("rmi", tag)
    assert records() == [["false", "true"]], "after docker rmi the record stays, used by no image: prunable"
