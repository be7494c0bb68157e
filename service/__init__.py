"""Mitmachen domain: models, policies, services and configuration. Imports neither `schema` nor `workers`."""
