"""In the browser: an ordered-bin question opens with Save off and no forecast filled in;
moving the percentile handles fills the bins, and the saved forecast has those percentiles."""

import json
import re

from playwright.sync_api import expect

from tests.e2e.conftest import login, wait_idle
from tracker.scoring.quantile_bins import quantile_bins

QUESTION = "brent-price-on-2027-06-30"


def test_percentile_handles_fill_the_bins_and_nothing_is_saved_by_accident(app_server, new_page):
    page = new_page()
    login(page, app_server.url, "carol")
    page.wait_for_function("document.cookie.includes('tracker_session=')")
    page.goto(f"{app_server.url}/question?q={QUESTION}")
    wait_idle(page)
    save = page.get_by_role("button", name="Save forecast")
    expect(save).to_be_disabled()
    expect(page.get_by_text("nothing is filled in for you")).to_be_visible()
    expect(
        page.get_by_text("Your distribution: median 70–80 · 80% range 60–70 to 80–95")
    ).to_be_visible()

    # by name, not position: a rerun on a busy machine can leave the list briefly without one
    median = page.get_by_role("slider", name=re.compile(r"^Median"))
    expect(median).to_have_value("3")
    median.focus()
    median.press("ArrowRight")
    wait_idle(page)
    expect(
        page.get_by_text("Your distribution: median 80–95 · 80% range 60–70 to 80–95")
    ).to_be_visible()
    high = page.get_by_role("slider", name=re.compile(r"— end"))
    expect(high).to_have_value("4")
    high.focus()
    high.press("ArrowRight")
    wait_idle(page)
    expect(page.get_by_text("median 80–95 · 80% range 60–70 to 95–110")).to_be_visible()
    expect(save).to_be_enabled()
    save.click()
    wait_idle(page)
    expect(page.get_by_text("Forecast saved.")).to_be_visible()

    exported = app_server.tracker("export")
    assert exported.returncode == 0, exported.stderr
    [saved] = [f for f in json.loads(exported.stdout)["forecasts"]
               if f["question_id"] == QUESTION and f["user"] == "carol"]  # fmt: skip
    bins = ["< 50", "50–60", "60–70", "70–80", "80–95", "95–110", "≥ 110"]
    assert quantile_bins([saved["probabilities"][b] for b in bins]) == [2, 4, 5]
