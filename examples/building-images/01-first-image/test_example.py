"""Example 01: a first image from four instructions (fixtures: see the root conftest.py)."""

EXPECTED_OUTPUT = (
    "HELLO FROM AN IMAGE BUILT BY MAKE\n(message.txt was made by make at build time; this is Python at run time)\n"
)


def test_builds_and_prints_the_message(build, engine, example_dir):
    image = build(example_dir)
    run = engine.run_container(image.tag, detach=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout == EXPECTED_OUTPUT


def test_readme_shows_the_real_output(example_dir):
    readme = (example_dir / "README.md").read_text(encoding="utf-8")
    assert EXPECTED_OUTPUT.strip() in readme


def test_history_shows_four_instructions_above_the_base(build, engine, example_dir):
    image = build(example_dir)
    rows = engine.history(image.tag)  # newest first
    base_rows = engine.history("python:3.13-slim")
    ours = rows[: len(rows) - len(base_rows)]
    # FROM adds no row of its own: the base image's rows are below ours.
    assert [r["CreatedBy"].split()[0] for r in ours] == ["CMD", "RUN", "COPY"], ours
    cmd, run, copy = ours
    assert cmd["CreatedBy"].startswith('CMD ["python" "/app/app.py"]')
    assert cmd["SizeBytes"] == 0, "CMD only sets metadata: a 0-byte entry"
    assert "make -C /app" in run["CreatedBy"] and run["SizeBytes"] > 0, "RUN adds a layer"
    assert copy["CreatedBy"].startswith("COPY . /app") and copy["SizeBytes"] > 0, "COPY adds a layer"


def test_make_ran_at_build_time_and_dockerignore_kept_the_rest_out(build, engine, example_dir):
    image = build(example_dir)
    run = engine.run_container(image.tag, ["ls", "-A", "/app"], detach=False)
    assert run.returncode == 0, run.stderr
    assert sorted(run.stdout.split()) == ["Makefile", "app.py", "message.in", "message.txt"]


def test_dockerfile_has_the_four_instructions(example_dir):
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(path=str(example_dir / "Dockerfile"))
    assert [i["instruction"] for i in parser.structure if i["instruction"] != "COMMENT"] == [
        "FROM",
        "COPY",
        "RUN",
        "CMD",
    ]
