"""The explorer loads an imported organization by a path on the server and draws all its
departments, in a real headless Chromium (Debian's), served by `simorg explore` on port 113xx."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_app_browser import ARTIFACTS, CHROMIUM, Page, expect, playwright_sync, served
from test_import import email_eu_core

ROOT = Path(__file__).resolve().parent.parent
PORT = 11300  # issue 13's range: 11300-11399

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing"),
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """The folder the server may load scenario files from (`simorg explore --data`)."""
    return tmp_path_factory.mktemp("explorer-data")


@pytest.fixture(scope="module")
def server(data_dir):
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "explorer_import_server.log"
    exe = Path(sys.executable).parent / "simorg"
    cmd = [str(exe), "explore", "--port", str(PORT), "--data", str(data_dir)]
    url = f"http://127.0.0.1:{PORT}/"
    with served(cmd, url, log_path, ROOT):
        yield url


@pytest.fixture(scope="module")
def browser():
    from test_app_browser import ARGS

    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def load_by_path(page: Page, path: Path) -> None:
    page.page.get_by_label("…or a file on the server").fill(str(path))
    page.button("Load").click()


def test_explorer_loads_the_example_organization_by_server_path(server, browser, data_dir):
    import shutil

    shutil.copytree(ROOT / "examples", data_dir / "examples", dirs_exist_ok=True)
    page = Page(browser, server)
    load_by_path(page, data_dir / "examples" / "example_org.toml")
    title = page.page.locator(".simorg-section-title").filter(has_text="people")
    expect(title).to_contain_text("302 people", timeout=30_000)
    svg = page.page.locator("svg.simorg-network-svg")
    for name in ("Customer Support", "Sales", "Engineering", "Legal", "Executive Office"):
        expect(svg).to_contain_text(name)
    assert "example.org" not in page.page.content()  # the e-mail ids never reach the page
    page.button("Step").click()
    expect(page.step_indicator).to_have_text("Step 1")
    page.shot("imported_example")
    page.close()


def test_explorer_draws_dozens_of_departments(server, browser, data_dir):
    folder = email_eu_core()
    if folder is None:
        pytest.skip(
            "email-eu-core not found (SIMORG_EMAIL_EU_CORE or ../shared/data/email-eu-core)"
        )
    scenario = data_dir / "eu_core.toml"
    scenario.write_text(
        "[organization]\n"
        f'people = "{folder / "email-Eu-core-department-labels.txt"}"\n'
        f'ties = "{folder / "email-Eu-core.txt"}"\n'
        'self_ties = "drop"\n'
    )
    page = Page(browser, server)
    load_by_path(page, scenario)
    title = page.page.locator(".simorg-section-title").filter(has_text="people")
    expect(title).to_contain_text("1005 people", timeout=60_000)
    svg = page.page.locator("svg.simorg-network-svg")
    labels = svg.locator("text").all_text_contents()
    assert {str(d) for d in range(42)} <= set(labels), labels
    page.button("Step").click()
    expect(page.step_indicator).to_have_text("Step 1", timeout=30_000)
    page.shot("imported_email_eu_core")
    page.close()


# A drop as a user makes it, except that Chromium gives no file-system entry for a drag made by a
# script (webkitGetAsEntry() is null there), so the entry is supplied from the File itself.
DROP = """([names, texts]) => {
    DataTransferItem.prototype.webkitGetAsEntry = function () {
        const file = this.getAsFile();
        return {isFile: true, file: (resolve) => resolve(file)};
    };
    const dt = new DataTransfer();
    names.forEach((name, i) => dt.items.add(new File([texts[i]], name, {type: "text/csv"})));
    const zone = [...document.querySelectorAll('.solara-file-drop')]
        .find(z => z.textContent.includes('Drop your organization'));
    zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
}"""


def test_explorer_imports_dropped_files_and_keeps_only_pseudonyms(server, browser):
    page = Page(browser, server)
    example = ROOT / "examples" / "example_org"
    names = ["people.csv", "ties.csv"]
    texts = [(example / n).read_text() for n in names]
    page.page.evaluate(DROP, [names, texts])
    title = page.page.locator(".simorg-section-title").filter(has_text="people")
    expect(title).to_contain_text("302 people", timeout=30_000)
    svg = page.page.locator("svg.simorg-network-svg")
    expect(svg).to_contain_text("Customer Support")
    assert "example.org" not in page.page.content()  # the e-mail ids never reach the page
    page.button("Step").click()
    expect(page.step_indicator).to_have_text("Step 1")
    page.close()
