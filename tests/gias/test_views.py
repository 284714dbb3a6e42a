"""The upload page, the jobs that read and apply an upload, the preview, confirming, malformed files,
and `flask gias import`."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.gias.models import GiasEstablishment, GiasImportBatch
from tests.documents import jobqueue
from tests.gias.extracts import establishment, establishments_csv, link, links_csv
from tests.pages import text_of

EXTRACT = establishments_csv(
    [
        establishment("141234", "Oakfield Primary Academy"),
        establishment("141235", "Riverside High School", phase="Secondary"),
        establishment("141236", "Old Mill Primary School", status="Closed"),
        establishment("99", "Typo School"),
    ]
)


def _upload(client_request, data: bytes, name: str = "edubasealldata20261123.csv", status: int = 302):
    jobqueue.empty(client_request.app)
    response = client_request.post("gias.upload_post", {"extract": (io.BytesIO(data), name)}, _expected_status=status)
    if status == 302:
        jobqueue.drain(client_request.app)  # the worker reads the file
    return response


def _confirm(client_request, batch_id: int) -> None:
    """Press import on the confirmation page, then let the worker apply it."""
    client_request.post("gias.confirm", batch_id=batch_id)
    jobqueue.drain(client_request.app)


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_upload_preview_confirm(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    page = client_request.get("gias.upload")
    assert "flask gias import" in page.get_text()
    response = _upload(client_request, EXTRACT)
    batch_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client_request.get("gias.preview", batch_id=batch_id)
    text = text_of(page)
    assert "To create 2" in text and "Closed, not created 1" in text
    rejected = page.select_one("#rejected-rows").get_text(" ")
    assert "5" in rejected and "URN must be 6 digits, not '99'" in rejected
    assert _count(GiasEstablishment) == 0
    page = client_request.get("gias.confirmation", batch_id=batch_id)
    assert "Importing this establishment fields file creates 2 and updates 0" in text_of(page)
    client_request.post("gias.confirm", batch_id=batch_id)
    assert _count(GiasEstablishment) == 0  # applied by the worker, not in the request
    page = client_request.get("gias.preview", batch_id=batch_id)
    assert page.h1.get_text(strip=True) == "Importing"
    assert page.select_one("#job-count").get_text(strip=True) == "Importing: 0 of 3 rows done"
    assert page.select_one("noscript meta[http-equiv=refresh]")["content"] == "3"
    jobqueue.drain(client_request.app)
    assert _count(GiasEstablishment) == 2
    page = client_request.get("gias.preview", batch_id=batch_id)
    assert page.h1.get_text(strip=True) == "Import result"
    assert page.select_one("[data-refresh]") is None
    # Confirming twice imports once.
    _confirm(client_request, batch_id)
    page = client_request.get("gias.preview", batch_id=batch_id)
    assert "already been imported" in page.get_text()


def test_reimporting_the_same_file_previews_no_change(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    first = int(_upload(client_request, EXTRACT).headers["Location"].rsplit("/", 1)[1])
    _confirm(client_request, first)
    second = int(_upload(client_request, EXTRACT).headers["Location"].rsplit("/", 1)[1])
    text = text_of(client_request.get("gias.preview", batch_id=second))
    assert "To create 0" in text and "To update 0" in text and "Left alone (unchanged) 2" in text


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Name,Town\r\nOakfield,Leeds\r\n", "schools.csv", "must be a GIAS establishment, groups or links extract"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "must be a CSV file: this one is binary"),
        (b"", "empty.csv", "The selected file is empty"),
    ],
)
def test_a_malformed_file_gets_a_clear_message_and_changes_nothing(client_request, vendor_admin, data, name, message):
    client_request.sign_in(vendor_admin)
    page = _upload(client_request, data, name, status=200)
    assert page.title.get_text().startswith("Error:")
    assert message in page.select_one(".govuk-error-summary").get_text()
    assert _count(GiasImportBatch) == 0 and _count(GiasEstablishment) == 0


def test_a_file_over_the_page_limit_points_to_the_command(client_request, vendor_admin, app):
    app.config["GIAS_UPLOAD_MAX_BYTES"] = 1000
    client_request.sign_in(vendor_admin)
    page = _upload(client_request, EXTRACT + b" " * 1000, status=200)
    assert "flask gias import" in page.select_one(".govuk-error-summary").get_text()
    assert _count(GiasImportBatch) == 0


def test_a_request_over_the_app_limit_is_refused(client_request, vendor_admin, app):
    # The upload's own allowance (its file limit and the form around it) is over the app's limit;
    # a request past that allowance is refused before it is read.
    app.config["MAX_CONTENT_LENGTH"] = 2000
    app.config["GIAS_UPLOAD_MAX_BYTES"] = 3000
    client_request.sign_in(vendor_admin)
    response = _upload(client_request, EXTRACT + b" " * 70_000, status=413)
    assert response.status_code == 413
    assert _count(GiasImportBatch) == 0


def test_no_file_selected(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    page = client_request.post("gias.upload_post", {}, _expected_status=200)
    assert "Select a GIAS extract CSV file" in page.get_text()


def test_people_without_onboarding_permission_cannot_upload(client_request, data_lead):
    client_request.sign_in(data_lead)
    client_request.get("gias.upload", _expected_status=403)


def test_cli_imports_a_file_and_reports_rejected_rows(app, tmp_path):
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(EXTRACT)
    result = app.test_cli_runner().invoke(args=["gias", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and "1 rejected" in result.output
    assert "line 5: URN must be 6 digits" in result.output
    again = app.test_cli_runner().invoke(args=["gias", "import", str(path)])
    assert "0 created, 0 updated, 2 unchanged" in again.output


def test_cli_refuses_a_file_that_is_not_an_extract(app, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes(b"Name,Town\r\n")
    result = app.test_cli_runner().invoke(args=["gias", "import", str(path)])
    assert result.exit_code != 0
    assert "must be a GIAS establishment" in result.output
    assert _count(GiasImportBatch) == 0


def test_the_preview_says_which_schools_move_to_another_trust(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    first = _upload(client_request, establishments_csv([establishment("141234", "Oakfield Primary Academy")]))
    _confirm(client_request, int(first.headers["Location"].rsplit("/", 1)[1]))
    moving = _upload(client_request, links_csv([link("141234", "4020", "Calder Learning Partnership")]))
    page = client_request.get("gias.preview", batch_id=int(moving.headers["Location"].rsplit("/", 1)[1]))
    moves = page.select_one("#trust-moves")
    assert moves.get_text(strip=True) == "1 school moves to another trust"
    text = " ".join(page.get_text(" ").split())
    assert (
        page.select_one("#trust-moves + p + ul").get_text(" ", strip=True)
        == "Oakfield Primary Academy (URN 141234) to Calder Learning Partnership"
    )
    assert "the old trust's admins stop seeing its agreements" in text
