"""Browser journeys: a data lead signs (keyboard only), downloads, looks at and verifies their DPA; a trust
admin signs for every academy and downloads the ZIP; an altered copy is reported as altered."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from portal.audit.service import Actor
from portal.documents import versions
from portal.documents.models import Agreement
from portal.extensions import db
from portal.tenancy.models import Role, Tenancy
from tests import jobworker
from tests.browser import assert_accessible, sign_in_browser
from tests.documents import tamper
from tests.documents.conftest import key_config, publish_register
from tests.factories import make_school, make_trust, make_user
from tests.jobworker import stop

pytestmark = pytest.mark.browser


def prepare(live_server: Any, signing_keys: Any) -> None:
    live_server.app.config.update(key_config(signing_keys))
    publish_register("1.0", 1, [("hosting", "Civic Cloud Ltd", {}), ("email", "Postbox Mail Ltd", {})])
    versions.publish_text_version(actor=Actor.system("test"), summary="First version.")
    live_server.app.extensions["jobs_queue"].huey.flush()  # what earlier tests queued in this process's queue


DETAILS = (
    ("controller_address", "1 School Lane, Leeds LS2 1AA"),
    ("ico_registration", "ZA123456"),
    ("dpo_name", "Sam Officer"),
    ("dpo_email", "dpo@school.example"),
    ("notice_contact_name", "Nia Notice"),
    ("notice_contact_email", "notices@school.example"),
    ("signer_name", "Dana Lead"),
    ("signer_role", "Headteacher"),
)


def fill_details(page: Any, signer: str) -> None:
    """Annex I by label, as a trust admin would fill it in."""
    page.get_by_label("Controller's address").fill("Trust House, Leeds LS1 1AA")
    page.get_by_label("ICO registration number").fill("ZA654321")
    page.get_by_label("Data protection officer's name").fill("Trust DPO")
    page.get_by_label("Data protection officer's email address").fill("dpo@trust.example")
    page.get_by_label("Name of the contact for notices").fill("Trust Office")
    page.get_by_label("Email address for notices").fill("office@trust.example")
    page.get_by_label("Your full name").fill(signer)
    page.get_by_label("Your role").fill("Chief executive")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/agreements/sign")


FOCUSED = (
    "(() => { const e = document.activeElement; return [e.tagName, e.name || '', (e.innerText || '').trim()]; })()"
)


def tab_to(page: Any, matches: Any, limit: int = 250) -> None:
    """Press Tab until the focused element matches (keyboard only: no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if matches(*page.evaluate(FOCUSED)):
            return
    raise AssertionError("never reached the element by keyboard")


def first_page_image(pdf: bytes, folder: Path) -> Image.Image:
    source = folder / "agreement.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", str(source), str(folder / "page")], check=True
    )
    return Image.open(next(folder.glob("page*.png"))).convert("L")


def upload_to_verify(page: Any, live_server: Any, name: str, data: bytes) -> str:
    page.goto(f"{live_server.url}/verify")
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])
    page.get_by_role("button", name="Check the agreement").click()
    assert_accessible(page)
    return page.locator("#verification-result").inner_text()


def test_data_lead_signs_by_keyboard_downloads_views_and_verifies(
    page: Any, live_server: Any, signing_keys: Any, console_errors: list[str], tmp_path: Path
) -> None:
    prepare(live_server, signing_keys)
    school = make_school("Oakfield Primary School", urn="100001")
    lead = make_user("Dana Lead", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()
    sign_in_browser(page, live_server, lead)

    page.goto(f"{live_server.url}/t/{school.slug}/agreements")
    assert "has not signed" in page.locator("main").inner_text()
    assert_accessible(page)
    tab_to(page, lambda tag, name, text: tag == "A" and text == "Read and sign version 1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/t/{school.slug}/agreements/sign/details")
    assert "The governing body of Oakfield Primary School" in page.locator("main").inner_text()
    assert_accessible(page)
    for name, value in DETAILS:
        tab_to(page, lambda tag, field, text, name=name: field == name)
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    tab_to(page, lambda tag, name, text: tag in ("BUTTON", "INPUT") and name == "submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/t/{school.slug}/agreements/sign")
    main = page.locator("main").inner_text()
    assert "We act only on your documented instructions" not in main  # folded away until opened
    assert "Annex IV: sub-processors" in main and "Civic Cloud Ltd" in main and "Sam Officer" in main
    assert_accessible(page)
    with page.expect_download() as draft_info:
        page.get_by_role("link", name=f"Download the unsigned draft (PDF) for {school.name}").click()
    draft = Path(draft_info.value.path()).read_bytes()
    drafted = subprocess.run(["pdftotext", "-", "-"], input=draft, capture_output=True, check=True).stdout
    assert b"/ByteRange" not in draft and b"Unsigned draft, for reading only" in drafted
    assert "no electronic signature" in upload_to_verify(page, live_server, "draft.pdf", draft)
    page.goto(f"{live_server.url}/t/{school.slug}/agreements/sign")
    tab_to(page, lambda tag, name, text: name == "confirm")
    page.keyboard.press("Space")
    tab_to(page, lambda tag, name, text: tag in ("BUTTON", "INPUT") and name == "submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/t/{school.slug}/agreements")
    assert "Agreement signed" in page.locator("main").inner_text()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").first.click()
    download = download_info.value
    pdf = Path(download.path()).read_bytes()
    assert download.suggested_filename.startswith("oakfield-primary-school-dpa-v1-")
    db.session.rollback()  # a fresh read: the server committed the agreement in its own thread
    stored = db.session.scalar(select(Agreement).where(Agreement.tenancy_id == school.id))
    assert stored is not None and hashlib.sha256(pdf).hexdigest() == stored.sha256
    db.session.rollback()

    image = first_page_image(pdf, tmp_path)
    dark = sum(image.histogram()[:128]) / (image.width * image.height)
    assert image.width > 300 and 0.01 < dark < 0.5, dark  # a page of text, not blank and not black

    result = upload_to_verify(page, live_server, download.suggested_filename, pdf)
    assert "Genuine and unaltered" in result and "Oakfield Primary School" in result and "Dana Lead" in result
    result = upload_to_verify(page, live_server, "altered.pdf", tamper.append_page_change(pdf))
    assert "Altered" in result and "Oakfield Primary School" in result
    assert console_errors == []


def _trust_signed_in(
    page: Any, live_server: Any, trust: tuple[str, str], academy_names: tuple[str, ...], admin_name: str
) -> tuple[Tenancy, list[Tenancy]]:
    """A trust (name, Companies House number) with these academies, its admin signed in in the browser."""
    name, number = trust
    made = make_trust(name, companies_house_number=number)
    academies = [make_school(academy, trust=made) for academy in academy_names]
    admin = make_user(admin_name, tenancy=made, role=Role.TRUST_ADMIN)
    db.session.commit()
    sign_in_browser(page, live_server, admin)
    return made, academies


def test_trust_admin_signs_for_every_academy_and_downloads_the_zip(
    page: Any, live_server: Any, signing_keys: Any, console_errors: list[str], tmp_path: Path
) -> None:
    prepare(live_server, signing_keys)
    trust, academies = _trust_signed_in(
        page,
        live_server,
        ("Northern Star Trust", "09876543"),
        ("Aurora Academy", "Polaris Academy", "Vega Academy"),
        "Tara Trust",
    )

    page.goto(f"{live_server.url}/t/{trust.slug}/agreements")
    assert page.locator("main").inner_text().count("Not signed") == 3
    assert_accessible(page)
    page.get_by_role("button", name="Sign for academies").click()
    page.wait_for_url(f"**/t/{trust.slug}/agreements/sign/details")
    assert_accessible(page)
    for academy in academies:
        assert page.get_by_label(f"{academy.name} (URN {academy.urn})").is_checked()
    fill_details(page, "Tara Trust")
    expect(page.locator(".portal-annexes")).to_have_count(3)
    assert_accessible(page)
    page.get_by_label("I confirm that I have authority").check()
    worker = start_job_worker(live_server, signing_keys, tmp_path)
    try:
        page.get_by_role("button", name="Accept and sign").click()
        page.wait_for_url("**/agreements/signing/*")
        expect(page.locator("#job-count")).to_contain_text("of 3")
        assert_accessible(page)
        # With JavaScript the count rises in place: the page is never reloaded (the marker survives).
        page.evaluate("window.portalMarker = 'same page'")
        expect(page.locator("#job-count")).to_have_text("Finished: 3 of 3 signed.", timeout=180_000)
        assert page.evaluate("window.portalMarker") == "same page"
        expect(page.locator(".govuk-panel")).to_contain_text("Agreements signed")
        assert_accessible(page)
    finally:
        stop(worker)
    page.get_by_role("link", name="Back to the agreements").click()
    assert page.locator("main").inner_text().count("Not signed") == 0
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the latest agreement of every academy (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    names = archive.namelist()
    assert names[0] == "manifest.csv" and len(names) == 4
    manifest = archive.read("manifest.csv").decode()
    for academy in academies:
        assert academy.name in manifest and academy.urn in manifest
    assert console_errors == []


def test_without_javascript_the_job_page_reloads_itself_until_the_job_is_done(
    browser: Any, live_server: Any, signing_keys: Any, tmp_path: Path
) -> None:
    prepare(live_server, signing_keys)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        trust, _ = _trust_signed_in(
            page, live_server, ("Southern Cross Trust", "08765432"), ("Acrux Academy", "Gacrux Academy"), "Sol Trust"
        )
        page.goto(f"{live_server.url}/t/{trust.slug}/agreements/sign/details")
        fill_details(page, "Sol Trust")
        page.get_by_label("I confirm that I have authority").check()
        page.get_by_role("button", name="Accept and sign").click()
        page.wait_for_url("**/agreements/signing/*")
        assert "of 2 done" in page.locator("#job-count").inner_text()
        worker = start_job_worker(live_server, signing_keys, tmp_path)
        try:
            # No script runs: only the page's own refresh can bring the finished count.
            expect(page.locator("#job-count")).to_have_text("Finished: 2 of 2 signed.", timeout=180_000)
        finally:
            stop(worker)
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(2)
        assert page.locator("tbody").inner_text().count("Signed") == 2
    finally:
        context.close()


def start_job_worker(live_server: Any, signing_keys: Any, tmp_path: Path) -> Any:
    """A real `flask jobs work` on the live server's database and queue, signing with the test keys."""
    return jobworker.start_job_worker(
        live_server.app.config["SQLALCHEMY_DATABASE_URI"],
        live_server.app.config["JOBS_QUEUE_URL"],
        tmp_path / "worker.log",
        **key_config(signing_keys),
    )
