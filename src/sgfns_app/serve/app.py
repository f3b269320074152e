"""The application factory: the JSON API (`routes`), the page (`static/`), errors as one-line JSON, the body
limit, and security headers (the page loads nothing from elsewhere: `Content-Security-Policy: default-src 'self'`).

The framework's OpenAPI schema is at /api/openapi.json; its interactive docs pages are off (they load scripts from
a CDN)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from sgfns.index.searcher import Searcher
from sgfns_app.serve.batcher import SearchQueue
from sgfns_app.serve.limits import BodyLimit, Limits
from sgfns_app.serve.routes import api_router, json_bytes

STATIC = Path(__file__).resolve().parent / "static"
CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "error": message}, status_code=status)


def create_app(searcher: Searcher, limits: Limits | None = None) -> FastAPI:
    """The service over one `Searcher`. Searches run in `limits.workers` threads with `limits.queue` waiting;
    text searches waiting together are answered by one call (`SearchQueue`)."""
    import sgfns

    limits = limits or Limits()
    work = SearchQueue(searcher, limits.workers, limits.queue, limits.max_batch, render=json_bytes)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        work.close()

    app = FastAPI(title="sgfns retrieval", version=sgfns.__version__, openapi_url="/api/openapi.json",
                  docs_url=None, redoc_url=None, lifespan=lifespan)  # fmt: skip
    app.state.searcher, app.state.limits, app.state.work = searcher, limits, work

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        """Every error, the framework's own (unknown route, wrong method) too, as one-line JSON."""
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x not in ("query", "body"))
        return _error(422, f"{where or 'request'}: {first.get('msg', 'invalid request')}")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    app.include_router(api_router(searcher, limits, work))

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    return app
