"""The student's path (``make lab``) in a real browser: JupyterLab runs a chapter, its *Explore*
slider redraws the figure in a live kernel, and the chapter's ``.py`` opens as the same notebook.

One JupyterLab server (a copy of one fast chapter in a temporary folder, a random token, a free
local port) serves the module; headless Chromium drives it as a student would: set the
*Parameters* cell to the smoke profile in the editor, Run > Run All Cells, read the verdict,
move the slider. The kernel runs without ``DLREPRO_HEADLESS`` (which ``make test`` sets), else
:func:`dlrepro.explore.explore` would draw once and open no widget.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from browser import chromium

ROOT = Path(__file__).resolve().parents[1]
# A fast chapter (about 8 s at smoke) whose Explore control is a slider (bits per weight).
CHAPTER = ROOT / "chapters" / "pruning" / "gptq"
# Written by `make setup` (jupytext-config): a .py opens as a notebook, not as text.
LAB_VIEWERS = Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "default_setting_overrides.json"
VERDICT = re.compile(r"Verdict: (REPRODUCED|PARTLY REPRODUCED|NOT REPRODUCED|INCONCLUSIVE)")
RUN_TIMEOUT_S = 120

# The visible notebook of JupyterLab's main area (one at a time in these tests).
ACTIVE = ("const panels = [...document.querySelectorAll('.jp-NotebookPanel')]"
          ".filter(p => !p.classList.contains('lm-mod-hidden'));"
          "const nb = panels.length === 1 ? panels[0].querySelector('.jp-Notebook') : null;")


@dataclass
class Lab:
    url: str
    token: str
    folder: Path
    results: Path
    log: Path

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of every process, read from /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(stat.parent.name)] = (int(fields[1]), fields[19])
    return table


def _descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid`` with its start time (kernels start in sessions of their
    own, so the server's process group would miss them)."""
    table = _process_table()
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, started) in table.items():
            if ppid == parent and child not in found:
                found[child] = started
                todo.append(child)
    return found


def _stop(server: subprocess.Popen, lab: Lab | None) -> None:
    """Shut the kernels down, stop the server (SIGTERM, then SIGKILL), end what is left."""
    children = _descendants(server.pid)
    if lab is not None and server.poll() is None:
        try:
            for kernel in lab.api("kernels"):
                lab.api(f"kernels/{kernel['id']}", method="DELETE")
        except (OSError, ValueError):
            pass
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    table = _process_table()
    for pid, started in children.items():
        if table.get(pid, (None, None))[1] == started:  # still the process the server started
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the chapter, headless, on a free port with a random token."""
    assert LAB_VIEWERS.exists() and "Jupytext Notebook" in LAB_VIEWERS.read_text(), (
        f"{LAB_VIEWERS} is missing: run `make setup` (it installs JupyterLab and makes a .py "
        "open as a notebook)")
    root = tmp_path_factory.mktemp("lab")
    folder = root / "notebooks"
    folder.mkdir()
    # The .ipynb first, then its .py: jupytext refuses a pair whose .py is the older one.
    for suffix in (".ipynb", ".py"):
        shutil.copyfile(CHAPTER.with_suffix(suffix), folder / CHAPTER.with_suffix(suffix).name)
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "DLREPRO_HEADLESS"}
    env.update(
        OMP_NUM_THREADS="1",
        DLREPRO_RESULTS=str(root / "results"),  # no record lands in the checkout
        JUPYTER_CONFIG_DIR=str(root / "jupyter-config"),  # nothing of ~/.jupyter
        JUPYTER_DATA_DIR=str(root / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(root / "jupyter-runtime"),
        IPYTHONDIR=str(root / "ipython"),
        JUPYTER_PREFER_ENV_PATH="1",  # the venv's kernel spec and settings first
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    log = root / "server.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:  # CI machines run as root
        command.append("--allow-root")
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=folder, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    session = Lab(f"http://127.0.0.1:{port}", token, folder, root / "results", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "JupyterLab exited:\n" + session.log_tail()
            try:
                if "started" in session.api("status"):
                    break
            except (OSError, ValueError):
                pass
            assert time.monotonic() < deadline, "JupyterLab did not answer:\n" + session.log_tail()
            time.sleep(0.5)
        yield session
    finally:
        _stop(server, session)
        deadline = time.monotonic() + 10
        while not _port_is_free(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _port_is_free(port), f"port {port} is still held after JupyterLab stopped"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium"), "--window-size=1600,1000") as session:
        session.capture_dir = tmp_path_factory.mktemp("screenshots")
        yield session


def wait(browser, what, timeout: float, message: str, poll: float = 0.25):
    """``what(browser)`` once truthy; on a timeout, a screenshot and the page are kept."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(browser, timeout, poll_frequency=poll).until(what)
    except TimeoutException:
        shot = Path(browser.capture_dir) / f"timeout-{time.monotonic_ns()}"
        browser.save_screenshot(f"{shot}.png")
        Path(f"{shot}.html").write_text(browser.page_source)
        raise TimeoutException(f"{message}\n(screenshot and page: {shot}.png, .html)") from None


def open_notebook(browser, lab: Lab, name: str, reset: bool = False) -> None:
    """Open ``name`` from JupyterLab's tree URL and wait for its notebook and an idle kernel."""
    browser.get(f"{lab.url}/lab/tree/{name}?{'reset&' if reset else ''}token={lab.token}")

    def ready(driver):
        as_text = driver.execute_script(
            "return !!document.querySelector('#jp-main-dock-panel .jp-FileEditor:not("
            ".lm-mod-hidden)');")
        assert not as_text, (f"{name} opened in the text editor, not as a notebook: is "
                             f"{LAB_VIEWERS} read? (`make setup` writes it)")
        return driver.execute_script(
            ACTIVE + "if (!nb || !nb.querySelector('.jp-Cell')) return false;"
            "const status = document.querySelector("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');"
            "return !!status && status.getAttribute('data-status') === 'idle';")

    wait(browser, ready, 90, f"{name} did not open as a notebook with an idle kernel\n"
         + lab.log_tail())


def cells(browser) -> list[dict]:
    """The active notebook's cells: type, source text, prompt and output text."""
    return browser.execute_script(
        ACTIVE + "return [...nb.querySelectorAll(':scope .jp-Cell')].map(c => ({"
        "type: c.classList.contains('jp-CodeCell') ? 'code' : "
        "c.classList.contains('jp-MarkdownCell') ? 'markdown' : 'raw',"
        "source: [...c.querySelectorAll('.jp-InputArea .cm-line')].map(l => l.textContent)"
        ".join('\\n'),"
        "prompt: (c.querySelector('.jp-InputPrompt') || {}).textContent || '',"
        "output: [...c.querySelectorAll('.jp-OutputArea-output')]"
        ".map(o => o.textContent).join('\\n')}));")


def run_menu(browser, item: str) -> None:
    """Click Run > ``item`` in JupyterLab's menu bar."""
    from selenium.webdriver.common.by import By

    browser.find_element(
        By.XPATH, "//li[contains(@class, 'lm-MenuBar-item')][normalize-space(.)='Run']").click()
    entry = wait(browser, lambda d: next(
        (e for e in d.find_elements(By.CSS_SELECTOR, ".lm-Menu-item")
         if e.is_displayed() and e.text.strip().startswith(item)), False), 10,
        f"no Run > {item} menu entry")
    entry.click()


def set_profile_in_editor(browser, profile: str) -> None:
    """Replace the Parameters cell's ``profile = ...`` line by typing in its CodeMirror editor."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    find_line = ACTIVE + (
        "return [...nb.querySelectorAll('.jp-CodeCell .cm-line')]"
        ".find(l => l.textContent.startsWith('profile = ')) || false;")
    line = wait(browser, lambda d: d.execute_script(find_line), 20,
                "no `profile = ...` line in the Parameters cell")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", line)
    line.click()
    # Select the whole line and type over it (CodeMirror closes the quote, then steps over it).
    ActionChains(browser).send_keys(Keys.END).key_down(Keys.SHIFT).send_keys(Keys.HOME) \
        .key_up(Keys.SHIFT).send_keys(f'profile = "{profile}"').perform()
    wait(browser, lambda d: (d.execute_script(find_line) or line).text == f'profile = "{profile}"',
         10, "the Parameters cell did not take the new profile")


def test_run_all_cells_reaches_a_verdict_and_the_explore_slider_redraws(lab, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    name = CHAPTER.with_suffix(".ipynb").name
    open_notebook(browser, lab, name)
    set_profile_in_editor(browser, "smoke")
    run_menu(browser, "Run All Cells")

    def finished(driver):
        state = cells(driver)
        failed = [c["output"] for c in state if "Traceback" in c["output"]]
        assert not failed, "a cell failed:\n" + failed[0][-3000:]
        if any("[*]" in c["prompt"] for c in state):
            return False
        texts = "\n".join(c["output"] for c in state)
        return "gptq: profile smoke" in texts and VERDICT.search(texts) and state

    state = wait(browser, finished, RUN_TIMEOUT_S, "no verdict from Run All Cells within "
                 f"{RUN_TIMEOUT_S} s\n" + lab.log_tail(), poll=1)
    outputs = "\n".join(c["output"] for c in state)
    assert "dlrepro not found" not in outputs, "the kernel is not the .venv's Python"
    record = json.loads((lab.results / "gptq.json").read_text())
    assert record["profile"] == "smoke"
    assert re.search(rf"^Verdict: {re.escape(record['verdict'])}$", outputs, re.M), (
        f"the notebook's verdict is not the record's {record['verdict']}")

    # Explore: the live slider (headless, the chapter would have drawn one static figure).
    find = ACTIVE + (
        "const cell = [...nb.querySelectorAll('.jp-CodeCell')]"
        ".find(c => c.querySelector('.widget-slider'));"
        "if (!cell) return false; cell.scrollIntoView({block: 'center'});"
        "const img = cell.querySelector('.widget-output img');"
        "const readout = cell.querySelector('.widget-readout');"
        "return img && img.complete && img.naturalWidth > 100 && readout ? "
        "{src: img.src, readout: readout.textContent.trim(), "
        "handle: cell.querySelector('.noUi-handle'), "
        "shown: cell.querySelectorAll('.widget-slider').length} : false;")
    before = wait(browser, lambda d: d.execute_script(find), 30,
                  "the Explore section shows no live slider with a figure under it")
    assert before["shown"] == 1, f"the Explore control is shown {before['shown']} times"
    handle = before["handle"]
    browser.execute_script("arguments[0].focus();", handle)
    handle.send_keys(Keys.ARROW_RIGHT)

    def redrawn(driver):
        now = driver.execute_script(find)
        return now and now["readout"] != before["readout"] and now["src"] != before["src"] and now

    after = wait(browser, redrawn, 30, f"moving the slider from {before['readout']} bits did "
                 "not redraw the figure", poll=0.5)
    assert (before["readout"], after["readout"]) == ("3", "2")
    assert not browser.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel:not(.lm-mod-hidden) "
                                     ".jp-OutputArea-output[data-mime-type*='error']")


def test_the_py_opens_as_the_same_notebook(lab, browser):
    notebook = nbformat.read(CHAPTER.with_suffix(".ipynb"), as_version=4)
    open_notebook(browser, lab, CHAPTER.with_suffix(".py").name, reset=True)
    title = wait(browser, lambda d: d.execute_script(
        ACTIVE + "const h = nb.querySelector('.jp-MarkdownCell .jp-RenderedMarkdown h1');"
        "return h && h.textContent.replace('\u00b6', '').trim();"), 20,
        "the first markdown cell shows no heading")
    heading = next(line[2:].strip() for c in notebook.cells if c.cell_type == "markdown"
                   for line in c.source.splitlines() if line.startswith("# "))
    assert title == heading
    expected = {kind: sum(c.cell_type == kind for c in notebook.cells)
                for kind in ("code", "markdown")}

    def counted(driver):  # JupyterLab attaches the cells one after another
        shown = cells(driver)
        found = {kind: sum(c["type"] == kind for c in shown) for kind in expected}
        return found == expected and shown

    shown = wait(browser, counted, 30, f"the .py does not show the .ipynb's cells {expected}: "
                 f"{[c['type'] for c in cells(browser)]}")
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assert any(c["source"].strip() == parameters.source.strip() for c in shown), (
        "the Parameters cell of the .py differs from the .ipynb's")
    tab = browser.execute_script(
        "const t = document.querySelector("
        "'#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel');"
        "return t ? t.textContent : '';")
    assert tab.endswith(".py"), f"the open document is {tab!r}, not the chapter's .py"
