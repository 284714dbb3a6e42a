"""Browser journey: a data lead downloads the DPIA pack, switches off the Azure fallback, sees the notice,
and downloads a pack whose risk section no longer lists Azure's government-access risk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal.extensions import db
from portal.tenancy.models import Role
from tests.browser import assert_accessible, sign_in_browser
from tests.dpia.conftest import docx_text, make_register, table_named
from tests.factories import make_school, make_user

AZURE_US_LAW = "US authorities could obtain the data Microsoft Azure OpenAI Service holds"

pytestmark = pytest.mark.browser


def download_docx(page: Any) -> tuple[str, str]:
    with page.expect_download() as info:
        page.get_by_role("button", name="Download DPIA draft (Word document)").click()
    download = info.value
    _, tables, _ = docx_text(Path(download.path()).read_bytes())
    risks = " ".join(" ".join(row) for row in table_named(tables, ("Ref", "Risk to individuals")))
    return risks, download.suggested_filename


def test_data_lead_downloads_switches_the_fallback_off_and_downloads_again(
    page: Any, live_server: Any, console_errors: list[str]
) -> None:
    make_register()
    school = make_school("Oakfield Primary School", urn="100001")
    lead = make_user("Dana Lead", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()
    sign_in_browser(page, live_server, lead)

    page.goto(f"{live_server.url}/t/{school.slug}/dpia")
    assert "Not downloaded yet." in page.locator("main").inner_text()
    assert_accessible(page)
    risks, filename = download_docx(page)
    assert filename.startswith(f"dpia-{school.slug}-") and filename.endswith(".docx")
    assert AZURE_US_LAW in risks and "Microsoft Azure OpenAI Service" in risks

    page.goto(f"{live_server.url}/t/{school.slug}/options")
    assert_accessible(page)
    fallback = page.get_by_role("group", name="Use Azure OpenAI fallback for Oakfield Primary School?")
    fallback.get_by_label("Off").check()
    page.get_by_role("button", name="Save Azure OpenAI fallback").click()
    assert "Azure OpenAI fallback is now off" in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/t/{school.slug}/dpia")
    banner = page.get_by_role("region", name="Important").inner_text()
    assert "Your DPIA pack is out of date" in banner
    assert "Microsoft Azure OpenAI Service is no longer used for your school." in banner
    assert "The option “Azure OpenAI fallback” was switched off." in banner
    assert_accessible(page)

    risks, _ = download_docx(page)
    assert AZURE_US_LAW not in risks and "Microsoft Azure OpenAI Service" not in risks
    page.goto(f"{live_server.url}/t/{school.slug}/dpia")
    assert page.get_by_role("region", name="Important").count() == 0
    assert_accessible(page)
    assert console_errors == []
