"""Page handlers, one module per area; each module's `routes(pages)` lists its routes."""
