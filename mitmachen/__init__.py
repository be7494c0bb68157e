"""Composition root: wires `service`, `schema` and `workers` into the API, the worker and the CLI."""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# authlib 1.9 announces on import that its httpx integration will move to the `httpx2` package; its Starlette
# client, which the browser login uses, works with the httpx we have. `authlib.deprecate` makes its warnings
# "always" shown when it is imported, so this filter is added after that import, in front of it. Only that
# announcement is silenced, so that start-up prints nothing before the first log line; other warnings still show.
warnings.filterwarnings(
    "ignore",
    message=r"The httpx module is deprecated; please use httpx2 instead\.",
    category=AuthlibDeprecationWarning,
)
