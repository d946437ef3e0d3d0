"""A coder's page in a real headless browser (Debian's chromium, driven by chromedriver).

The page loads from a file with the network switched off, is answered by
key presses, survives a reload, and the answers file it downloads scores
as expected.  Skipped, with the reason, where chromium, chromedriver or
selenium is missing (``.ci/run`` installs them, so CI runs it).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from pathlib import Path

import pytest

from discourse.validate import export_tasks, read_export, score_answers

from _validate_fixtures import synthetic_source

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

HAVE_BROWSER = bool(Path(CHROMIUM).exists() and Path(DRIVER).exists() and importlib.util.find_spec("selenium"))

if os.environ.get("DISCOURSE_REQUIRE_BROWSER") and not HAVE_BROWSER:  # CI: never skip silently
    raise RuntimeError("DISCOURSE_REQUIRE_BROWSER is set but chromium, chromedriver or selenium is missing")

pytestmark = pytest.mark.skipif(
    not HAVE_BROWSER,
    reason="needs Debian's chromium and chromium-driver and the selenium package (apt-get install chromium "
           "chromium-driver; pip install -e '.[test]'); .ci/run installs them",
)


@pytest.fixture()
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                               {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        yield driver, downloads
    finally:
        driver.quit()


def _wait_for(folder: Path, suffix: str, timeout: float = 10.0) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [p for p in folder.iterdir() if p.suffix == suffix]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} file was downloaded into {folder}")


def test_page_answered_by_keys_offline_scores_as_expected(tmp_path, browser):
    from selenium.webdriver.common.by import By

    driver, downloads = browser
    src, _ = synthetic_source(k=3, n_docs=6, per_doc=6, seed=3)
    out = tmp_path / "export"
    ex = export_tasks(src, out, n_coders=2, random_state=0, per_topic=2)
    key = read_export(out).key
    intruder = key[key["is_intruder"]].set_index("task_id")["option"].to_dict()
    page = out / "coders" / "coder_02.html"
    driver.get(page.as_uri())
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert driver.find_element(By.ID, "progress-text").text.startswith(f"Task 1 of {len(ex.tasks)}")

    body = driver.find_element(By.TAG_NAME, "body")
    plan = {}  # task_id -> "right" | "wrong" | "skip"
    for i in range(len(ex.tasks)):
        shown = driver.execute_script("return document.getElementById('options').querySelectorAll('button').length")
        options = [b.get_attribute("data-option") for b in driver.find_elements(By.CSS_SELECTOR, "#options button")]
        assert len(options) == shown
        task_id = [t["task_id"] for t in ex.tasks if sorted(o["id"] for o in t["options"]) == sorted(options)
                   and t["prompt"] == driver.find_element(By.ID, "prompt").text
                   and (t["passage"] or "") == driver.find_element(By.ID, "passage").get_attribute("textContent")]
        assert len(task_id) >= 1
        if i == 0:
            body.send_keys("0")  # can't tell
            plan[task_id[0]] = "skip"
            continue
        right = options.index(intruder[task_id[0]])
        pick = right if i % 3 else (right + 1) % len(options)
        body.send_keys(str(pick + 1))
        plan[task_id[0]] = "right" if pick == right else "wrong"
    assert driver.find_element(By.ID, "done").is_displayed()
    answered = len(ex.tasks) - 1
    assert f"{len(ex.tasks)} done" in driver.find_element(By.ID, "progress-text").text  # answered or can't tell

    driver.refresh()  # answers are kept in the browser while the coder works
    assert driver.find_element(By.ID, "done").is_displayed()
    assert f"{len(ex.tasks)} done" in driver.find_element(By.ID, "progress-text").text

    driver.find_element(By.TAG_NAME, "body").send_keys("c")
    csv = _wait_for(downloads, ".csv")
    assert csv.name == f"answers_coder_02_{ex.export_id}.csv"
    driver.find_element(By.ID, "save-json").click()
    js = _wait_for(downloads, ".json")

    for answers in (csv, js):
        res = score_answers(out, [answers])
        j = res.judgments.set_index("task_id")
        assert len(j) == len(ex.tasks)
        for task_id, what in plan.items():
            if what == "skip":
                assert bool(j.loc[task_id, "skipped"])
            else:
                assert bool(j.loc[task_id, "correct"]) == (what == "right"), task_id
        overall = res.to_frame().query("topic == 'all'").set_index("measure")
        right = sum(v == "right" for v in plan.values())
        total = overall.loc[["model_precision", "word_set_accuracy", "topic_accuracy", "label_accuracy"], "n_judgments"].sum()
        hits = (overall.loc[["model_precision", "word_set_accuracy", "topic_accuracy", "label_accuracy"], "estimate"]
                * overall.loc[["model_precision", "word_set_accuracy", "topic_accuracy", "label_accuracy"], "n_judgments"]).sum()
        assert total == answered and round(hits) == right
