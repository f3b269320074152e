"""`sgfns serve`: the retrieval service and its search page (FastAPI + uvicorn, loopback by default).

`app.create_app` builds the application around one `sgfns.index.Searcher` (the route `sgfns search` uses too);
`routes` holds the JSON API, `limits` what a request may cost (body size, query length, k, concurrency),
`upload` the checks on an uploaded photo, `static/` the page (plain HTML/JS/CSS, no build step, no CDN)."""
