"""`/dev/mail` (development only): the e-mails the service wrote, read from the outbox, so that export links,
waitlist offers and rejections can be followed without a mail server. Plain server-rendered HTML, every text
escaped, nothing loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from service.notifications.inbox import CaughtMail, latest_mail

SHOWN = 100
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}
_STYLE = """
body { font: 16px/1.45 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1d; }
article { border: 1px solid #c8d0d8; border-radius: 6px; padding: 0.75rem 1rem; margin: 1rem 0; }
h2 { font-size: 1.05rem; margin: 0 0 0.25rem; }
.meta { color: #555; font-size: 0.9rem; margin: 0; }
pre { white-space: pre-wrap; word-break: break-word; font: inherit; background: #f7f9fb; padding: 0.5rem; }
"""


def _status(mail: CaughtMail) -> str:
    if mail.notification.sent_at is None:
        return "noch nicht zugestellt"
    return "zugestellt (ohne Mailserver: nur hier zu sehen)"


def _article(mail: CaughtMail) -> str:
    notification = mail.notification
    recipient = f"{mail.recipient_name or 'Ohne Namen'} <{mail.recipient_email or 'keine Adresse'}>"
    return (
        "<article>"
        f"<h2>{escape(notification.subject)}</h2>"
        f'<p class="meta">An: {escape(recipient)} · {escape(notification.created_at.isoformat(timespec="seconds"))}'
        f" · <code>{escape(notification.kind)}</code> · {escape(_status(mail))}</p>"
        f"<pre>{escape(notification.body)}</pre>"
        "</article>"
    )


def render(mails: list[CaughtMail]) -> str:
    articles = "".join(_article(mail) for mail in mails) or "<p>Noch keine E-Mails.</p>"
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">'
        f"<title>E-Mails — Mitmachen (Entwicklung)</title><style>{_STYLE}</style></head><body>"
        "<h1>E-Mails — nur im Entwicklungsmodus</h1>"
        f"<p>Die neuesten {SHOWN} Nachrichten aus dem Postausgang, neueste zuerst. Ohne "
        "<code>MITMACHEN_SMTP_URL</code> verlässt keine davon diesen Rechner. "
        'Demo-Personen: <a href="/dev/idp">/dev/idp</a>.</p>'
        f"{articles}</body></html>"
    )


def dev_mail_routes(session_factory: Callable[[], async_sessionmaker[AsyncSession]]) -> list[BaseRoute]:
    async def page(request: Request) -> Response:
        async with session_factory()() as session:
            mails = await latest_mail(session, limit=SHOWN)
        return HTMLResponse(render(mails), headers=_HEADERS)

    return [Route("/dev/mail", page, methods=["GET"])]
