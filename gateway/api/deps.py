"""FastAPI dependencies shared by the gateway's routers.

They only read `app.state`, so they are `async def`: FastAPI runs a plain `def` dependency in a
worker thread on every request, which costs more than the lookup itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gateway.core.config import Settings
from gateway.core.conversation import ConversationService
from gateway.core.engine import EngineClient


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_service(request: Request) -> ConversationService:
    return request.app.state.conversations


async def get_engine(request: Request) -> EngineClient:
    return request.app.state.engine


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServiceDep = Annotated[ConversationService, Depends(get_service)]
EngineDep = Annotated[EngineClient, Depends(get_engine)]
