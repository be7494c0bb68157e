"""The platform every domain builds on: the unit of work and its jobs, errors, pagination and cursors, text
cleaning, geo search, batch lookups, rate limits and query budgets, logging and metrics, spreadsheets.

Domains (`service/<domain>/`) import the kit; the kit imports no domain (see the layering test).
"""
