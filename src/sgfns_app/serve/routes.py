"""The JSON API. Every route answers JSON (errors too: `{"status": N, "error": "one line"}`), except the image
bytes. Gallery images are named by id, never by path: an id is looked up in the gallery and its file must lie in
the dataset's image folder (`Searcher.image_path`)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from sgfns.errors import UserError
from sgfns.index.searcher import Searcher
from sgfns_app.serve.batcher import Busy, SearchQueue
from sgfns_app.serve.limits import Limits
from sgfns_app.serve.upload import PhotoError, PhotoSearch, check_photo


def json_bytes(answer: dict) -> bytes:
    """A search's answer as the JSON body (the framework's own encoding: compact, UTF-8, no NaN); the search queue
    calls it in its thread (`SearchQueue.render`)."""
    return json.dumps(answer, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def api_router(searcher: Searcher, limits: Limits, work: SearchQueue) -> APIRouter:
    api = APIRouter(prefix="/api")
    photos = PhotoSearch(searcher)

    def check_k(k: int) -> None:
        if not 1 <= k <= limits.max_k:
            raise HTTPException(400, f"k must be between 1 and {limits.max_k}, got {k}")

    async def queued(fn, *args) -> Response:
        """`fn(*args)` through the search queue (`work.text` and `work.run`), its answer JSON already encoded."""
        try:
            return Response(await fn(*args), media_type="application/json")
        except Busy:
            raise HTTPException(503, "too many searches at once; try again shortly") from None
        except UserError as e:
            raise HTTPException(400, str(e)) from None

    @api.get("/health")
    async def health() -> dict:  # on the event loop: no hop through a thread pool while searches run
        """Liveness: `{"status": "ok", "model": NAME, "images": N}`."""
        return {"status": "ok", "model": searcher.model.name, "images": len(searcher.ids)}

    @api.get("/info")
    def info() -> dict:
        """The loaded run and gallery: model, data, sizes, versions, limits."""
        return {**searcher.describe(), "limits": vars(limits)}

    @api.get("/search", response_class=Response)
    async def search(q: str = "", k: int = 10) -> Response:
        """Text -> images: the query's parsed scene graph and the top-k images, each with its score, the score's
        terms and, per caption object and relation, the region it matched (box, weight)."""
        if not q.strip():
            raise HTTPException(400, "the query q is empty")
        if len(q) > limits.max_query_chars:
            raise HTTPException(413, f"the query is {len(q):,} characters; at most {limits.max_query_chars:,}")
        check_k(k)
        return await queued(work.text, q, k)

    @api.get("/search_image", response_class=Response)
    async def search_image(image_id: str = "", k: int = 10) -> Response:
        """Image -> captions for an image of the gallery (same shape as /api/search, hits are captions)."""
        check_k(k)
        if image_id not in searcher.where:
            raise HTTPException(404, f"no image with id {image_id[:80]!r} in the gallery")
        return await queued(work.run, searcher.image, image_id, k)

    @api.post("/search_image", response_class=Response)
    async def search_photo(photo: Annotated[UploadFile, File()], k: Annotated[int, Form()] = 10) -> Response:
        """Image -> captions for a new photo (multipart field `photo`); checked for size, format and dimensions
        first; answered only by a run whose images were prepared from photos by `sgfns prepare` (else 400 says
        why)."""
        check_k(k)
        data = await photo.read(limits.max_body_bytes + 1)
        try:
            image = await run_in_threadpool(check_photo, data, limits.max_photo_pixels, limits.max_photo_side)
        except PhotoError as e:
            raise HTTPException(e.status, str(e)) from None
        why = photos.unavailable()
        if why is not None:
            raise HTTPException(*why)
        image.close()  # checked; the library's preparation decodes the bytes again its own way
        return await queued(work.run, photos.search, data, k)

    @api.get("/images/{image_id}")
    def image(image_id: str) -> FileResponse:
        """The bytes of a gallery image (404: an id not in the gallery, or a dataset without image files)."""
        if image_id not in searcher.where:
            raise HTTPException(404, f"no image with id {image_id[:80]!r} in the gallery")
        path = searcher.image_path(image_id)
        if path is None:
            raise HTTPException(404, f"the dataset has no image file for {image_id!r}")
        return FileResponse(path, headers={"Cache-Control": "max-age=3600"})

    return api
