"""One settings object, read from `MITMACHEN_*` environment variables."""

from __future__ import annotations

from enum import StrEnum
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class Environment(StrEnum):
    PRODUCTION = "production"
    DEV = "dev"
    TEST = "test"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigurationError(Exception):
    """Invalid configuration; the message is one line naming the variable."""


def _split_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _postgres(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError("not a database URL (expected postgresql://user@host:port/database)") from None
    if url.get_backend_name() != "postgresql":
        raise ValueError("only PostgreSQL is supported (expected postgresql://…)")
    return value


# Who may read /metrics unless MITMACHEN_METRICS_ALLOW says otherwise: this machine and private networks (a
# Prometheus in the cluster), never the internet.
DEFAULT_METRICS_ALLOW = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MITMACHEN_", extra="ignore", frozen=True)

    environment: Environment = Environment.PRODUCTION
    database_url: str | None = None
    redis_url: str | None = None
    database_pool_size: int = Field(default=10, ge=1, le=200)
    # Streaming replicas for anonymous queries (service/db/replicas.py); one skipped while it lags more than this.
    database_replica_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    database_replica_max_lag_seconds: float = Field(default=5.0, gt=0, le=3600)
    oidc_issuer: Annotated[list[str], NoDecode] = Field(default_factory=list)
    oidc_audience: str = "mitmachen"
    oidc_roles_claim: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    session_secret: str | None = None
    # Key of the identity digests that keep "one per person" across an account's deletion (see the README).
    identity_secret: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    data_dir: Path = Path(".mitmachen")
    log_level: str = "INFO"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    sweep_after_seconds: int = Field(default=60, ge=1)
    # A job may run this long; a job whose worker died is run again by another worker this much later (+10 s).
    job_timeout_seconds: int = Field(default=120, ge=1, le=3600)
    # An idle worker asks Redis for due jobs this often (arq's poll delay; arq's own default is 0.5 s).
    worker_poll_seconds: float = Field(default=0.05, ge=0.01, le=5)
    # A worker serves its own /metrics on this port (all interfaces); unset: no listener.
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_url: str | None = None
    mail_from: str = "Mitmachen <noreply@mitmachen.invalid>"
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rate_limit_enabled: bool = True
    metrics_allow: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(DEFAULT_METRICS_ALLOW))
    rate_limit_window_seconds: int = Field(default=600, ge=1, le=86_400)
    rate_limit_per_person: int = Field(default=30, ge=1)
    rate_limit_per_address: int = Field(default=300, ge=1)
    # Query budgets (cost points per window, see service/kit/budget.py): at least one query of the highest allowed cost.
    query_budget_enabled: bool = True
    query_budget_window_seconds: int = Field(default=60, ge=1, le=86_400)
    query_budget_per_person: int = Field(default=100_000, ge=20_000)
    query_budget_per_address: int = Field(default=500_000, ge=20_000)
    # At most a quarter of a process's GraphQL slots (rounded up) for one client address; false: arrival order only.
    fair_admission: bool = True

    @field_validator(
        "oidc_issuer", "cors_origins", "trusted_proxies", "metrics_allow", "database_replica_urls", mode="before"
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_list(value)

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        return None if value is None else _postgres(value)

    @field_validator("database_replica_urls")
    @classmethod
    def _postgres_urls(cls, value: list[str]) -> list[str]:
        return [_postgres(item) for item in value]

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:port/db")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level (expected one of {', '.join(LOG_LEVELS)})")
        return value.upper()

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not origin.startswith(("https://", "http://")) or origin.rstrip("/").count("/") > 2:
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], no wildcard, no path)")
        return [origin.rstrip("/") for origin in value]

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("expected smtp://user:password@host:port or smtps://…")
        return value

    @field_validator("oidc_issuer")
    @classmethod
    def _https_issuers(cls, value: list[str]) -> list[str]:
        for issuer in value:
            if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
                raise ValueError(f"issuer {issuer!r} must use https (plain http only on loopback)")
        return value

    @model_validator(mode="after")
    def _login_needs_a_session_secret(self) -> Settings:
        if self.oidc_client_id and not self.session_secret and self.environment is Environment.PRODUCTION:
            raise ValueError("MITMACHEN_SESSION_SECRET is required when MITMACHEN_OIDC_CLIENT_ID is set")
        if self.session_secret is not None and len(self.session_secret) < 32:
            raise ValueError("MITMACHEN_SESSION_SECRET must be at least 32 characters")
        if self.identity_secret is not None and len(self.identity_secret) < 32:
            raise ValueError("MITMACHEN_IDENTITY_SECRET must be at least 32 characters")
        return self

    @property
    def is_dev(self) -> bool:
        return self.environment is Environment.DEV

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    def identity_key(self) -> bytes:
        """The key of identity digests: `MITMACHEN_IDENTITY_SECRET`, else the session secret; a fixed one in dev
        and test. It must stay the same across restarts and processes, or deleted identities are forgotten."""
        secret = self.identity_secret or self.session_secret
        if secret:
            return secret.encode()
        if self.environment is not Environment.PRODUCTION:
            return b"mitmachen-development-identity-key"
        raise ConfigurationError(
            "MITMACHEN_IDENTITY_SECRET is not set (at least 32 characters; it keys the digests of deleted identities)"
        )

    def async_database_url(self) -> URL:
        if self.database_url is None:
            raise ConfigurationError("MITMACHEN_DATABASE_URL is not set (run `mitmachen dev` for a local setup)")
        return make_url(self.database_url).set(drivername="postgresql+asyncpg")

    def async_replica_urls(self) -> list[URL]:
        return [make_url(url).set(drivername="postgresql+asyncpg") for url in self.database_replica_urls]

    def require_redis_url(self) -> str:
        if self.redis_url is None:
            raise ConfigurationError("MITMACHEN_REDIS_URL is not set (run `mitmachen dev` for a local setup)")
        return self.redis_url


def load_settings(**overrides: object) -> Settings:
    """Read the environment; a validation failure becomes one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:
            raise ConfigurationError(message) from None
        raise ConfigurationError(f"MITMACHEN_{str(first['loc'][0]).upper()}: {message}") from None
