"""GET /privacy: the privacy statement (Dutch and English), server-rendered."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
router = APIRouter(tags=["privacy"])


@router.get("/privacy", response_class=HTMLResponse, summary="Privacy statement (Dutch and English)")
def privacy_page(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        "privacy.html",
        {"municipality": settings.municipality, "retention_days": settings.retention_days},
    )
