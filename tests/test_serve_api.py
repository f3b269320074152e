"""The service's JSON API through FastAPI's test client over a small synthetic world: every route, every refusal
(empty query, k out of range, unknown and path-traversal ids, uploads that are not images or too large, photos on a
run that cannot encode them), the queue's 503, and a served ranking equal to `sgfns search`'s."""

from __future__ import annotations

import io
import json

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def searcher(served_world):
    from sgfns import load_model
    from sgfns.index.searcher import Searcher

    _, run, index = served_world
    model = load_model(run)
    return Searcher(model, index, checkpoint_sha256=model.run.checkpoint_sha256)


@pytest.fixture(scope="module")
def client(searcher):
    from fastapi.testclient import TestClient

    from sgfns_app.serve.app import create_app

    with TestClient(create_app(searcher)) as c:
        yield c


def error_of(r, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status and isinstance(body["error"], str) and "\n" not in body["error"]
    return body["error"]


def test_health_and_info(client, searcher):
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "model": "sgfns-tiny", "images": 12}
    info = client.get("/api/info").json()
    assert info["images"] == 12 and info["captions"] == 60 and info["split"] == "test"
    assert info["image_files"] is True and info["versions"]["torch"]
    assert "/api/search" in client.get("/api/openapi.json").json()["paths"]


def test_text_search_shape(client, searcher):
    q = searcher.captions[7]
    r = client.get("/api/search", params={"q": q, "k": 5})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["query"] == q and out["graph"]["objects"]
    assert [h["rank"] for h in out["results"]] == [1, 2, 3, 4, 5]
    scores = [h["score"] for h in out["results"]]
    assert scores == sorted(scores, reverse=True)
    for hit in out["results"]:
        assert hit["image_id"] in searcher.ids and hit["file"] == f"images/{hit['image_id']}.png"
        assert set(hit["parts"]) == {"global", "object", "relation", "count"}
        assert sum(hit["parts"].values()) == pytest.approx(hit["score"], abs=1e-5)
        assert len(hit["matches"]) == len(out["graph"]["objects"])
        for m in hit["matches"]:
            assert {"caption_object", "region", "box", "weight", "cosine"} <= set(m)
            assert (m["region"] is None) == (m["box"] is None)
            if m["box"] is not None:
                x0, y0, x1, y1 = m["box"]
                assert 0 <= x0 <= x1 <= 1 and 0 <= y0 <= y1 <= 1


def test_image_search_and_image_bytes(client, searcher):
    image_id = searcher.ids[3]
    out = client.get("/api/search_image", params={"image_id": image_id, "k": 7}).json()
    assert out["image_id"] == image_id and len(out["results"]) == 7
    for hit in out["results"]:
        assert hit["caption"] == searcher.captions[hit["caption_index"]]
        assert hit["graph"] is not None
        assert sum(hit["parts"].values()) == pytest.approx(hit["score"], abs=1e-5)
    r = client.get(f"/api/images/{image_id}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content == searcher.image_path(image_id).read_bytes()


def test_page_is_served_without_outside_resources(client):
    r = client.get("/")
    assert r.status_code == 200 and "<form" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        body = client.get(asset).text
        assert client.get(asset).status_code == 200
        assert "http://" not in body.replace("http://www.w3.org/2000/svg", "") and "https://" not in body


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/search?q=&k=5", 400),
        ("/api/search?q=%20%20&k=5", 400),
        ("/api/search?q=a+cube&k=0", 400),
        ("/api/search?q=a+cube&k=1000000", 400),
        ("/api/search?q=a+cube&k=ten", 422),
        ("/api/search?q=" + "a" * 1001, 413),  # the one text bound of every command (sgfns.limits)
        ("/api/search_image?image_id=no-such-image", 404),
        ("/api/search_image?image_id=../../etc/passwd", 404),
        ("/api/search_image?image_id=test_00000&k=0", 400),
        ("/api/images/no-such-image", 404),
        ("/api/images/..%2F..%2Fetc%2Fpasswd", 404),
        ("/api/images/%2E%2E", 404),
        ("/api/images/../../../etc/passwd", 404),
        ("/api/nothing-here", 404),
    ],
)
def test_refusals_are_one_line_json(client, url, status):
    error_of(client.get(url), status)


def test_traversal_never_reads_outside_the_image_folder(client, searcher):
    assert searcher.image_path("../../etc/passwd") is None
    assert searcher.image_path("../meta.json") is None
    r = client.get("/api/images/..%2Fmeta.json")
    assert r.status_code == 404 and "sgfns-synthetic-world" not in r.text


def test_uploads_are_checked_before_any_model_work(client):
    r = client.post("/api/search_image", files={"photo": ("notes.txt", b"not an image at all", "text/plain")})
    assert "not an image" in error_of(r, 415)
    big = io.BytesIO(b"\xff\xd8\xff" + b"\0" * (50 << 20))
    r = client.post("/api/search_image", files={"photo": ("big.jpg", big, "image/jpeg")})
    assert "larger than" in error_of(r, 413)
    error_of(client.post("/api/search_image", files={"photo": ("empty.png", b"", "image/png")}), 400)


def test_a_photo_on_a_synthetic_run_is_refused_with_the_reason(client, served_world):
    data, _, _ = served_world
    png = next((data / "images").glob("*.png")).read_bytes()
    msg = error_of(client.post("/api/search_image", files={"photo": ("p.png", png, "image/png")}), 400)
    assert "no photo backbone" in msg and "sgfns prepare" in msg


def test_photo_search_ranks_a_new_image_like_a_gallery_image(searcher):
    """The upload route's last step (`Searcher.new_image`) on a gallery image's own encoding: the same captions,
    scores and matches as searching that image by id."""
    i = 4
    enc = searcher.img.select(slice(i, i + 1))
    new = searcher.new_image(enc, searcher.image_graphs[i], searcher.boxes[i], k=6)
    by_id = searcher.image(searcher.ids[i], k=6)
    assert [h["caption_index"] for h in new["results"]] == [h["caption_index"] for h in by_id["results"]]
    for a, b in zip(new["results"], by_id["results"], strict=True):
        assert a["score"] == pytest.approx(b["score"], abs=1e-6) and a["matches"] == b["matches"]


def test_a_photo_run_without_the_photo_library_says_what_is_missing(searcher):
    import importlib.util

    from sgfns_app.serve.upload import PhotoSearch

    class PhotoRun:
        data_meta = {"name": "photos", "backbone": {"name": "efficientnet-lite0", "input_size": 384}}

    why = PhotoSearch(PhotoRun()).unavailable()
    if importlib.util.find_spec("sgfns.photos") is None:
        assert why is not None and why[0] == 501 and "cannot prepare" in why[1]
    else:
        assert why is None


def test_a_huge_declared_image_is_refused_from_its_header():
    from PIL import Image

    from sgfns_app.serve.upload import PhotoError, check_photo

    buf = io.BytesIO()
    Image.new("L", (4000, 3000)).save(buf, format="PNG")  # small file, 12 M pixels
    with pytest.raises(PhotoError) as e:
        check_photo(buf.getvalue(), max_pixels=1_000_000, max_side=10_000)
    assert e.value.status == 413
    assert check_photo(buf.getvalue(), max_pixels=20_000_000, max_side=10_000).size == (4000, 3000)


def test_a_full_queue_answers_503_and_health_still_answers(searcher):
    import threading

    from fastapi.testclient import TestClient

    from sgfns_app.serve.app import create_app
    from sgfns_app.serve.limits import Limits

    gate = threading.Event()
    started = threading.Event()
    real = searcher.texts

    def slow_texts(*a, **kw):
        started.set()
        gate.wait(30)
        return real(*a, **kw)

    app = create_app(searcher, Limits(workers=1, queue=0))
    searcher.texts = slow_texts
    try:
        with TestClient(app) as c:
            first = {}
            t = threading.Thread(target=lambda: first.setdefault("r", c.get("/api/search", params={"q": "a cube"})))
            t.start()
            assert started.wait(30)
            assert "too many searches" in error_of(c.get("/api/search", params={"q": "a ball"}), 503)
            assert c.get("/api/health").status_code == 200
            gate.set()
            t.join(60)
            assert first["r"].status_code == 200
    finally:
        gate.set()
        del searcher.texts


def test_concurrent_text_searches_are_answered_together(searcher):
    """While the search thread is busy, the text searches that arrive wait and are then answered by one
    `Searcher.texts` call; each answer is the query's own (as `Searcher.text` alone gives it)."""
    import threading
    import time

    from fastapi.testclient import TestClient

    from sgfns_app.serve.app import create_app

    gate, started, calls = threading.Event(), threading.Event(), []
    real = searcher.texts

    def gated_texts(queries, ks, *a, **kw):
        calls.append(list(queries))
        started.set()
        gate.wait(30)
        return real(queries, ks, *a, **kw)

    app = create_app(searcher)
    work = app.state.work
    queries = [searcher.captions[i] for i in (1, 8, 15, 22, 29, 36)]
    ks = [3, 5, 2, 7, 1, 4]
    searcher.texts = gated_texts
    try:
        with TestClient(app) as c:
            answers: dict[int, object] = {}

            def ask(i: int) -> None:
                answers[i] = c.get("/api/search", params={"q": queries[i], "k": ks[i]})

            threads = [threading.Thread(target=ask, args=(0,))]
            threads[0].start()
            assert started.wait(30)
            threads += [threading.Thread(target=ask, args=(i,)) for i in range(1, len(queries))]
            for t in threads[1:]:
                t.start()
            deadline = time.monotonic() + 30
            while work.pending < len(queries) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert work.pending == len(queries)
            gate.set()
            for t in threads:
                t.join(60)
    finally:
        gate.set()
        del searcher.texts
    assert calls[0] == queries[:1] and sorted(calls[1]) == sorted(queries[1:]) and len(calls) == 2
    for i, q in enumerate(queries):
        assert answers[i].status_code == 200, answers[i].text
        served, alone = answers[i].json(), searcher.text(q, ks[i])
        assert served["query"] == q and served["graph"] == alone["graph"]
        assert [h["image_id"] for h in served["results"]] == [h["image_id"] for h in alone["results"]]
        assert [h["score"] for h in served["results"]] == pytest.approx([h["score"] for h in alone["results"]],
                                                                        abs=1e-5)  # fmt: skip


def test_a_failing_query_in_a_batch_fails_alone(searcher):
    """A batch whose call raises is answered query by query, so only the query at fault gets its error."""
    import asyncio

    from sgfns.errors import UserError
    from sgfns_app.serve.batcher import SearchQueue

    async def two() -> list:
        work = SearchQueue(searcher, workers=1, queue=4)
        try:
            return await asyncio.gather(work.text(searcher.captions[2], 3), work.text(" ", 3), return_exceptions=True)
        finally:
            work.close()

    good, bad = asyncio.run(two())
    assert isinstance(bad, UserError) and "empty" in str(bad)
    alone = searcher.text(searcher.captions[2], 3)
    assert [h["image_id"] for h in good["results"]] == [h["image_id"] for h in alone["results"]]


def test_served_ranking_equals_sgfns_search(client, cli, served_world, searcher):
    _, run, index = served_world
    for q in (searcher.captions[11], "a red cube to the left of a ball"):
        rc, out, err = cli("search", "--run", run, "--index", index, q, "-k", "8", "--json")
        assert rc == 0, err
        printed = json.loads(out)
        served = client.get("/api/search", params={"q": q, "k": 8}).json()
        assert [h["image_id"] for h in served["results"]] == [h["image_id"] for h in printed["results"]]
        assert [h["score"] for h in served["results"]] == pytest.approx([h["score"] for h in printed["results"]])
        assert served["graph"] == printed["graph"]
    image_id = searcher.ids[5]
    rc, out, err = cli("search", "--run", run, "--index", index, "--image", image_id, "-k", "6", "--json")
    assert rc == 0, err
    served = client.get("/api/search_image", params={"image_id": image_id, "k": 6}).json()
    assert [h["caption_index"] for h in served["results"]] == [h["caption_index"] for h in json.loads(out)["results"]]


def test_search_table_prints_file_parts_and_graph(cli, served_world, searcher):
    data, run, index = served_world
    rc, out, err = cli("search", "--run", run, "--index", index, searcher.captions[2], "-k", "2")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("query: ") and lines[1].startswith("graph: ")
    assert str(data / "images") in lines[2] and lines[3].strip().startswith("= global ")


def test_serve_binds_loopback_by_default_and_says_so(cli, served_world, monkeypatch):
    import uvicorn

    _, run, index = served_world
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    rc, out, err = cli("serve", "--run", run, "--index", index)
    assert rc == 0, err
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8000
    assert "http://127.0.0.1:8000/" in out and "loopback" in out
    rc, out, err = cli("serve", "--run", run, "--index", index, "--host", "0.0.0.0", "--port", "8123")
    assert rc == 0 and calls[1]["host"] == "0.0.0.0" and "ALL clients" in out
    rc, _, err = cli("serve", "--run", run, "--index", index, "--port", "70000")
    assert rc == 2 and "--port" in err
