// Local OpenID Connect provider for the test suite, built on `oidc-provider`.
//
// Usage:
//   node provider.mjs <config.json> [--port N] [--issuer URL] [--exit-on-stdin-close]
//
// The port and issuer may also be given through the OIDC_PROVIDER_PORT and
// OIDC_PROVIDER_ISSUER environment variables (arguments win over the
// environment, the environment wins over the config file). Port 0 binds a free
// port; the issuer then defaults to http://127.0.0.1:<bound port>.
//
// Config file (JSON):
//   {
//     "issuer": "http://127.0.0.1:4000",            // optional
//     "port": 4000,                                 // optional
//     "jwks": { "keys": [ <private JWKs> ] },       // required (RSA key needed for RS256)
//     "clients": [ { "client_id": "...", "client_secret": "...",
//                    "redirect_uris": ["..."], ... } ],
//     "accounts": { "<accountId>": { "name": "...", "email": "...", ... } },
//     "audience": "https://api.example.test",      // default resource / aud of access tokens
//     "resourceScope": "openid profile email",     // scope of the resource server
//     "accessTokenTTL": 300, "idTokenTTL": 300,
//     "accessTokenClaims": ["roles"],              // account claims copied into access tokens
//     "requirePkce": true,
//     "autoConsent": true,
//     "cookieKeys": ["..."]
//   }
//
// Prints exactly one line `READY <issuer>` on stdout once listening; every
// other message goes to stderr. Exits with status 0 on SIGTERM / SIGINT.

import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import process from 'node:process';

import Provider from 'oidc-provider';

// oidc-provider reports notices through console.info (stdout); keep stdout for
// the READY line only.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const HOST = '127.0.0.1';

function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { config: undefined, port: undefined, issuer: undefined, exitOnStdinClose: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--port') {
      out.port = argv[i += 1];
    } else if (arg.startsWith('--port=')) {
      out.port = arg.slice('--port='.length);
    } else if (arg === '--issuer') {
      out.issuer = argv[i += 1];
    } else if (arg.startsWith('--issuer=')) {
      out.issuer = arg.slice('--issuer='.length);
    } else if (arg === '--exit-on-stdin-close') {
      out.exitOnStdinClose = true;
    } else if (arg.startsWith('--')) {
      fail(`unknown option ${arg}`);
    } else if (out.config === undefined) {
      out.config = arg;
    } else {
      fail(`unexpected argument ${arg}`);
    }
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const configPath = args.config ?? process.env.OIDC_PROVIDER_CONFIG;
if (!configPath) {
  fail('usage: node provider.mjs <config.json> [--port N] [--issuer URL]');
}

let config;
try {
  config = JSON.parse(readFileSync(configPath, 'utf8'));
} catch (err) {
  fail(`cannot read config ${configPath}: ${err.message}`);
}

const portRaw = args.port ?? process.env.OIDC_PROVIDER_PORT ?? config.port ?? 0;
const port = Number(portRaw);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`invalid port ${portRaw}`);
}

if (!config.jwks || !Array.isArray(config.jwks.keys) || config.jwks.keys.length === 0) {
  fail('config.jwks.keys must be a non-empty array of private JWKs');
}

const accounts = config.accounts ?? {};
const audience = config.audience ?? 'https://api.example.test';
const resourceScope = config.resourceScope ?? 'openid profile email';
const accessTokenTTL = config.accessTokenTTL ?? 300;
const idTokenTTL = config.idTokenTTL ?? 300;
const accessTokenClaims = config.accessTokenClaims ?? ['roles'];
const requirePkce = config.requirePkce ?? true;
const autoConsent = config.autoConsent ?? true;
const cookieKeys = config.cookieKeys ?? [randomBytes(32).toString('base64url')];

function resourceServerInfo(identifier) {
  return {
    scope: resourceScope,
    // The configured audience maps to itself; any other resource indicator
    // yields tokens whose audience is that indicator (wrong-audience tokens).
    audience: identifier === audience ? audience : identifier,
    accessTokenFormat: 'jwt',
    accessTokenTTL,
    jwt: { sign: { alg: 'RS256' } },
  };
}

function accountClaims(accountId) {
  return { ...accounts[accountId], sub: accountId };
}

const configuration = {
  jwks: config.jwks,
  clients: config.clients ?? [],
  cookies: { keys: cookieKeys },
  claims: {
    openid: ['sub'],
    profile: [
      'name', 'given_name', 'family_name', 'middle_name', 'nickname',
      'preferred_username', 'picture', 'locale', 'zoneinfo', 'updated_at', 'roles',
    ],
    email: ['email', 'email_verified'],
  },
  // Put the claims of the granted scopes into the ID token too (the access
  // token is audience-restricted to the resource server, not to userinfo).
  conformIdTokenClaims: false,
  clientBasedCORS: () => true,
  pkce: { required: () => requirePkce },
  ttl: {
    AccessToken: accessTokenTTL,
    AuthorizationCode: 60,
    ClientCredentials: accessTokenTTL,
    IdToken: idTokenTTL,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    RefreshToken: 3600,
  },
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => {
        if (oneOf) {
          return oneOf.includes(audience) ? audience : oneOf[0];
        }
        return audience;
      },
      // Access tokens from the code grant are issued for the resource of the
      // authorization request, even when `openid` was requested and the token
      // request carries no `resource` parameter.
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => resourceServerInfo(resourceIndicator),
    },
  },
  findAccount: async (_ctx, id) => {
    if (!Object.hasOwn(accounts, id)) {
      return undefined;
    }
    return {
      accountId: id,
      claims: async () => accountClaims(id),
    };
  },
  extraTokenClaims: async (_ctx, token) => {
    if (token.kind !== 'AccessToken' || !token.accountId || !Object.hasOwn(accounts, token.accountId)) {
      return undefined;
    }
    const claims = accountClaims(token.accountId);
    const extra = {};
    for (const name of accessTokenClaims) {
      if (claims[name] !== undefined) {
        extra[name] = claims[name];
      }
    }
    return extra;
  },
  loadExistingGrant: async (ctx) => {
    const { provider, client, account } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(client.clientId);
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (!autoConsent || !account) {
      return grant;
    }
    // Consent is granted automatically: the OIDC scopes and the scopes of
    // every requested resource server.
    grant ??= new provider.Grant({ accountId: account.accountId, clientId: client.clientId });
    const oidcScopes = [...ctx.oidc.requestParamOIDCScopes];
    if (oidcScopes.length) {
      grant.addOIDCScope(oidcScopes.join(' '));
    }
    for (const [identifier, resourceServer] of Object.entries(ctx.oidc.resourceServers ?? {})) {
      if (resourceServer.scope) {
        grant.addResourceScope(identifier, resourceServer.scope);
      }
    }
    await grant.save();
    return grant;
  },
};

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Bind first (so port 0 works), then build the provider for the final issuer.
let handler = (_req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = createServer((req, res) => handler(req, res));

server.on('error', (err) => fail(`cannot listen on ${HOST}:${port}: ${err.message}`));

server.listen(port, HOST, () => {
  const boundPort = server.address().port;
  const issuer = args.issuer ?? process.env.OIDC_PROVIDER_ISSUER ?? config.issuer ?? `http://${HOST}:${boundPort}`;
  let provider;
  try {
    provider = new Provider(issuer, configuration);
  } catch (err) {
    fail(`invalid provider configuration: ${err.stack ?? err}`);
  }
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  // Login step of the (dev) interactions: only configured accounts may sign in;
  // any other login ends the authorization request with access_denied instead
  // of a session for an account that does not exist.
  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)) {
      return next();
    }
    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch {
      return next();
    }
    if (details.prompt.name !== 'login') {
      return next();
    }
    const login = new URLSearchParams(await readBody(ctx.req)).get('login') ?? '';
    const result = Object.hasOwn(accounts, login)
      ? { login: { accountId: login } }
      : { error: 'access_denied', error_description: `unknown account: ${login}` };
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.respond = false;
    return undefined;
  });
  handler = provider.callback();
  process.stdout.write(`READY ${issuer}\n`);
});

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (args.exitOnStdinClose) {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
