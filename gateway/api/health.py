"""Liveness (`/healthz`: database) and readiness (`/readyz`: database + engine status)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gateway.api.deps import EngineDep
from gateway.core.db import ping

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Database reachable?")
def healthz(request: Request) -> JSONResponse:
    ok = ping(request.app.state.db_engine)
    return JSONResponse(
        {"status": "ok" if ok else "error", "database": "ok" if ok else "down"},
        status_code=200 if ok else 503,
    )


@router.get("/readyz", summary="Database reachable, and is the engine up? (engine down does not fail)")
async def readyz(request: Request, engine: EngineDep) -> JSONResponse:
    db_ok = ping(request.app.state.db_engine)
    engine_up = await engine.ping()
    return JSONResponse(
        {
            "status": "ok" if db_ok else "error",
            "database": "ok" if db_ok else "down",
            "engine": "up" if engine_up else "down",
        },
        status_code=200 if db_ok else 503,
    )
