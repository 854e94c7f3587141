"""Drive the course's notebooks in a real browser: JupyterLab on loopback, Debian's Chromium.

Used by the browser tests (``tests/browser/``) and by the slider-latency benchmark
(``python -m benchmarks.bench_browser_latency``). Nothing here is specific to one notebook: it
opens a notebook, runs every cell, then finds every control and works it.

How a repaint is seen: before any page script runs, ``PAINT_PROBE`` wraps
``CanvasRenderingContext2D.putImageData`` and ``drawImage``. gradlab's frame view
(``gradlab/widgets/frame_view.js``) and ipympl paint each frame that arrives from the kernel
onto the figure's visible canvas with one of them; the probe stamps each such call (after the
next animation frame, i.e. when the browser shows it) on the canvas element, together with the
time of the last key press, and when the frame arrived from the kernel. So "did this figure
repaint, and how long after the key?" is read in the page, without round trips.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
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

CHROMIUM = "/usr/bin/chromium"
# Closed network: no background requests; a root sandbox needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Requests to route to ``route.abort()``: the closed network answers nothing but loopback.
NOT_LOOPBACK = re.compile(r"^https?://(?!127\.0\.0\.1|localhost)")

#: The canvas of every live figure: gradlab's frame view, and a plain ipympl figure's.
FIGURE_CANVAS = "canvas.gradlab-frame, .jupyter-matplotlib-canvas-div > canvas:first-child"

PAINT_PROBE = r"""
(() => {
  const probe = window.__gradlab = {lastKey: 0, paints: 0, arrived: 0};
  window.addEventListener('keydown', () => { probe.lastKey = performance.now(); }, true);
  window.addEventListener('mousedown', () => { probe.lastKey = performance.now(); }, true);
  // The moment a frame arrived from the kernel: gradlab's view says so with an event;
  // ipympl makes a PNG blob URL.
  const arrived = () => { probe.arrived = performance.now(); };
  window.addEventListener('gradlab-frame', arrived, true);
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (object) {
    if (object instanceof Blob && object.type === 'image/png') arrived();
    return createObjectURL.call(this, object);
  };
  const isFigure = (canvas) => {
    if (!canvas) return false;
    if (canvas.classList && canvas.classList.contains('gradlab-frame')) return true;
    const holder = canvas.parentElement;
    return !!holder && holder.classList.contains('jupyter-matplotlib-canvas-div') &&
           canvas === holder.firstElementChild;
  };
  const stamp = (canvas) => {
    const key = probe.lastKey;
    requestAnimationFrame(() => {
      canvas.__paints = (canvas.__paints || 0) + 1;
      if (canvas.__answeredKey !== key) {  // the first frame shown after this key press
        canvas.__answeredKey = key;
        canvas.__latency = performance.now() - key;
        canvas.__arrival = probe.arrived > key ? probe.arrived - key : NaN;
      }
      probe.paints += 1;
    });
  };
  for (const name of ['drawImage', 'putImageData']) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) {
      const result = original.apply(this, args);
      if (isFigure(this.canvas)) stamp(this.canvas);
      return result;
    };
  }
})();
"""

# Every frame must be whole: it covers its canvas, is opaque and (gradlab's) has the checksum
# of the frame the kernel drew. gradlab's view puts raw pixels (putImageData: a whole frame, or
# the one before with the changed runs of pixels written in) or draws a decoded PNG (drawImage
# of an ImageBitmap) on its canvas; ipympl
# loads a PNG into an <img> and draws it onto an off-screen canvas. A diff frame is transparent
# where nothing changed, and a lost diff leaves old pixels on screen. This probe checks each
# frame (it reads the frame's pixels, so the latency benchmark does not use it).
FRAME_CHECK = r"""
(() => {
  const check = window.__gradlabFrames = {whole: 0, partial: []};
  const scratch = document.createElement('canvas');
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  const putImageData = CanvasRenderingContext2D.prototype.putImageData;
  const judge = (kind, target, w, h, alpha, wrong = '') => {
    let clear = 0;
    for (let i = 3; i < alpha.length; i += 4) clear += alpha[i] !== 255;
    // Agg rounds a fractional size up, the canvas down: a frame may be a row larger.
    if (w < target.width || h < target.height || clear > 0 || wrong) {
      check.partial.push(`${kind}: ${w}x${h} frame on a ${target.width}x${target.height} ` +
                         `canvas, ${clear} pixels not opaque${wrong}`);
    } else {
      check.whole += 1;
    }
  };
  const pixelsOf = (image, w, h) => {
    scratch.width = w; scratch.height = h;
    const context = scratch.getContext('2d', {willReadFrequently: true});
    context.clearRect(0, 0, w, h);
    drawImage.call(context, image, 0, 0);
    return context.getImageData(0, 0, w, h).data;
  };
  const ours = (canvas) => canvas && canvas.classList && canvas.classList.contains('gradlab-frame');
  CanvasRenderingContext2D.prototype.putImageData = function (...args) {
    const [image] = args;
    if (ours(this.canvas) && args.length === 3) {
      // The kernel's checksum of the frame it drew (the sum of its pixels as uint32 words):
      // a frame rebuilt from changes must equal it.
      const words = new Uint32Array(image.data.buffer, image.data.byteOffset,
                                    image.data.byteLength / 4);
      let total = 0;
      for (let i = 0; i < words.length; i++) total = (total + words[i]) | 0;
      total >>>= 0;
      const expected = Number(this.canvas.dataset.checksum);
      const wrong = total === expected ? '' : `, checksum ${total} instead of ${expected}`;
      judge('rgba', this.canvas, image.width, image.height, image.data, wrong);
    }
    return putImageData.apply(this, args);
  };
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const [image] = args;
    if (ours(this.canvas) && image instanceof ImageBitmap && args.length === 3) {
      judge('png', this.canvas, image.width, image.height,
            pixelsOf(image, image.width, image.height));
    } else if (image instanceof HTMLImageElement && args.length === 3 && this.canvas &&
               !this.canvas.isConnected && image.naturalWidth > 0) {
      const [w, h] = [image.naturalWidth, image.naturalHeight];
      judge('ipympl', this.canvas, w, h, pixelsOf(image, w, h));
    }
    return drawImage.apply(this, args);
  };
})();
"""


def frames_seen(page) -> dict:
    """``{'whole': n, 'partial': [descriptions]}`` of the frames checked by ``FRAME_CHECK``."""
    return page.evaluate("() => window.__gradlabFrames || {whole: 0, partial: []}")


KERNEL_READY = """() => {
  const name = document.querySelector('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName');
  const busy = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return !!(name && busy && name.innerText.trim() && !/No Kernel/i.test(name.innerText) &&
            busy.dataset.status === 'idle');
}"""

# Every code cell has run ([n], not [ ] or [*]) and the kernel is idle again.
ALL_CELLS_RAN = """() => {
  const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'));
  const busy = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)) &&
         busy && busy.dataset.status === 'idle';
}"""

EXECUTION_STARTED = """() => Array.from(document.querySelectorAll(
  '.jp-CodeCell .jp-InputArea-prompt')).some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""

STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'
ERROR_OUTPUTS = f"""() => Array.from(document.querySelectorAll(
  '.jp-OutputArea-output{STDERR}, .jp-RenderedText{STDERR}'
)).map(e => e.innerText.slice(0, 400))"""

# The controls of the course's widgets, by kind. Each is worked once by the tests.
CONTROL_SELECTORS = {
    "slider": ".widget-slider .noUi-handle",
    "dropdown": ".widget-dropdown select",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "toggle": ".widget-toggle-buttons button",
    "radio": ".widget-radio-box input[type=radio]",
    "button": ".jupyter-button:not(.widget-toggle-button):not(.mod-disabled)",
    "text": ".widget-text input[type=text]",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """JupyterLab on 127.0.0.1 with a random port and token, its settings in a scratch folder.

    The notebooks are copied into the scratch folder, so the server never rewrites the
    repository's files. ``stop()`` ends the server and every kernel it started.
    """

    def __init__(self, notebooks: pathlib.Path, scratch: pathlib.Path):
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self.root = scratch / "notebooks"
        shutil.copytree(notebooks, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.env = self._environment()
        self.process = None
        self.log_path = scratch / "jupyterlab.log"

    def _environment(self) -> dict:
        home = self.scratch / "jupyter"
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
            IPYTHONDIR=str(home / "ipython"),
            MPLCONFIGDIR=str(home / "matplotlib"),
        )
        settings = home / "settings" / "@jupyterlab"
        # No news pop-up over the page, every cell rendered (no windowing), no autosave.
        for folder, name, value in [
            (
                "apputils-extension",
                "notification",
                {"fetchNews": "false", "checkForUpdates": False},
            ),
            ("notebook-extension", "tracker", {"windowingMode": "none"}),
            ("docmanager-extension", "plugin", {"autosave": False}),
        ]:
            (settings / folder).mkdir(parents=True, exist_ok=True)
            (settings / folder / f"{name}.jupyterlab-settings").write_text(json.dumps(value))
        return env

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook_name: str) -> str:
        return f"{self.base_url}/lab/tree/{notebook_name}?reset&token={self.token}"

    def start(self, timeout: float = 90.0) -> None:
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            f"--ServerApp.token={self.token}",
            "--allow-root",
            "--LabApp.news_url=None",
            "--ServerApp.open_browser=False",
            "--MappingKernelManager.cull_idle_timeout=600",
            # Voila loads every JupyterLab extension installed; these two (nbgrader's, for the
            # classroom edition, and the classic notebook's, which nbgrader brings) need
            # JupyterLab's file browser and break on a Voila page. An app has no use for them.
            "--VoilaConfiguration.extension_denylist=@jupyter/nbgrader",
            "--VoilaConfiguration.extension_denylist=@jupyter-notebook/lab-extension",
        ]
        log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early; see {self.log_path}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.api("GET", "/api/status")
                return
            time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s; see {self.log_path}")

    def api(self, method: str, path: str):
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def forget_sessions(self) -> None:
        """End every kernel session, so the next notebook starts in a fresh kernel."""
        for session in self.api("GET", "/api/sessions") or []:
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(OSError, urllib.error.URLError):
            self.forget_sessions()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()
        self.process = None


def open_and_run_all(page, server: LabServer, notebook_name: str, timeout_s: float = 180.0):
    """Open a notebook in a fresh kernel, Run All, and wait until every cell ran.

    Returns the seconds from the Run All click to the last cell done (to within the 0.1-s poll).
    """
    server.forget_sessions()
    page.goto(server.url(notebook_name), wait_until="domcontentloaded", timeout=90_000)
    page.wait_for_function(KERNEL_READY, polling=200, timeout=90_000)
    for _attempt in range(3):  # Run All is sometimes swallowed while Lab is still settling
        clicked = time.perf_counter()
        page.click('.lm-MenuBar-itemLabel:text-is("Run")')
        page.click('li.lm-Menu-item[data-command="runmenu:run-all"]')
        try:
            page.wait_for_function(EXECUTION_STARTED, polling=200, timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - retried, then reported by the wait below
            page.keyboard.press("Escape")
    page.wait_for_function(ALL_CELLS_RAN, polling=100, timeout=timeout_s * 1000)
    return time.perf_counter() - clicked


def error_outputs(page) -> list[str]:
    return page.evaluate(ERROR_OUTPUTS)


#: JupyterLab's output area at 1366 × 768 with the file browser open, in CSS pixels.
OUTPUT_AREA_PX = 934


def wide_canvases(page, limit: float = OUTPUT_AREA_PX) -> list[str]:
    """Each live figure's canvas wider than ``limit`` CSS pixels, as ``'#index: width px'``."""
    widths = page.evaluate(
        "s => Array.from(document.querySelectorAll(s))"
        ".map(c => c.getBoundingClientRect().width)",
        FIGURE_CANVAS,
    )
    return [f"#{i}: {w:.0f} px" for i, w in enumerate(widths) if w > limit]


def figure_of(control):
    """The figure canvas of the widget that holds ``control`` (None for controls without one):
    a gradlab frame view, or a plain ipympl canvas."""
    figure = ("canvas[contains(@class,'gradlab-frame') or (parent::div[contains(@class,"
              "'jupyter-matplotlib-canvas-div')] and not(preceding-sibling::canvas))]")
    box = control.locator(f"xpath=ancestor::div[contains(@class,'widget-vbox')][.//{figure}][1]")
    canvas = box.locator(FIGURE_CANVAS)
    return canvas.first if canvas.count() else None


def paints(canvas) -> int:
    return canvas.evaluate("c => c.__paints || 0")


def latency_ms(canvas) -> float:
    """Milliseconds from the last key press to the first frame this canvas showed after it."""
    return canvas.evaluate("c => c.__latency")


def arrival_ms(canvas) -> float:
    """Milliseconds from the last key press to the arrival of that frame from the kernel (the
    rest of :func:`latency_ms` is the browser decoding and painting it); NaN if unknown."""
    return canvas.evaluate("c => c.__arrival")


def wait_for_repaint(page, canvas, before: int, timeout_ms: int = 2000) -> bool:
    try:
        canvas.evaluate(
            "(c, n) => new Promise((resolve, reject) => {"
            "  const t0 = performance.now();"
            "  const poll = () => (c.__paints || 0) > n ? resolve(true)"
            f"    : performance.now() - t0 > {timeout_ms} ? reject(new Error('no repaint'))"
            "    : requestAnimationFrame(poll);"
            "  poll(); })",
            before,
        )
        return True
    except Exception:  # noqa: BLE001 - a missing repaint is the answer, not an error here
        return False


def press_slider(page, handle, key: str = "ArrowRight") -> tuple[str, str]:
    """Move a slider one step with the keyboard; returns its value text before and after."""
    before = handle.get_attribute("aria-valuetext") or ""
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_timeout(30)
    return before, handle.get_attribute("aria-valuetext") or ""


def open_in_voila(page, server: LabServer, notebook_name: str, timeout_s: float = 180.0):
    """Render a notebook as an app through Voila (it executes server-side while streaming)."""
    server.forget_sessions()
    url = f"{server.base_url}/voila/render/{notebook_name}?token={server.token}"
    # Voila streams the page as cells run: wait for the stream to end, not for the first byte.
    page.goto(url, wait_until="commit", timeout=90_000)
    page.wait_for_load_state("load", timeout=timeout_s * 1000)
    page.wait_for_selector(FIGURE_CANVAS, timeout=60_000)
    page.wait_for_function(
        "s => Array.from(document.querySelectorAll(s)).every(c => (c.__paints || 0) > 0)",
        arg=FIGURE_CANVAS,
        polling=250,
        timeout=60_000,
    )
