import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

/** A free port: the provider's issuer URL must name the port it listens on. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** What the relying party got back from one sign-in. */
export interface RelyingPartyCallback {
  readonly sub: string;
  readonly idToken?: string;
  /** the ID token's auth_time (sent when max_age was asked) */
  readonly authTime?: number;
  readonly userinfo: Record<string, unknown>;
  readonly refreshToken?: string;
}

/**
 * A relying party built with openid-client, the way another government system would: `/start`
 * sends the browser to the provider (authorization code + PKCE; `prompt` and `max_age` passed on
 * from its own query), `/cb` takes the code back, reads userinfo and answers it as JSON, and keeps
 * what it got. With `refreshOnCallback` it also trades the refresh token once at the callback
 * (`result.refreshed`, and the new tokens in `result`).
 */
export async function startRelyingParty(
  issuer: string,
  register: (redirectUri: string) => Promise<{ client_id: string; client_secret: string }>,
  opts: { scope?: string; refreshOnCallback?: boolean } = {},
) {
  const callbacks: RelyingPartyCallback[] = [];
  const result: {
    userinfo?: Record<string, unknown>;
    refreshed?: boolean;
    accessToken?: string;
    refreshToken?: string;
  } = {};
  let config: oidc.Configuration | undefined;
  let verifier = '';
  let state = '';
  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (url.pathname === '/start') {
        verifier = oidc.randomPKCECodeVerifier();
        state = oidc.randomState();
        const passed = ['prompt', 'max_age'].flatMap((k) => {
          const v = url.searchParams.get(k);
          return v === null ? [] : [[k, v] as const];
        });
        const to = oidc.buildAuthorizationUrl(config!, {
          redirect_uri: `http://${req.headers.host}/cb`,
          scope: opts.scope ?? 'openid profile phone id_card offline_access',
          prompt: 'consent',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          ...Object.fromEntries(passed),
        });
        res.writeHead(302, { location: to.href }).end();
        return;
      }
      if (url.pathname === '/cb') {
        const tokens = await oidc.authorizationCodeGrant(config!, url, {
          pkceCodeVerifier: verifier,
          expectedState: state,
        });
        const claims = tokens.claims()!;
        const userinfo = (await oidc.fetchUserInfo(config!, tokens.access_token, claims.sub)) as Record<
          string,
          unknown
        >;
        callbacks.push({
          sub: claims.sub,
          idToken: tokens.id_token,
          authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined,
          userinfo,
          refreshToken: tokens.refresh_token,
        });
        result.userinfo = userinfo;
        if (opts.refreshOnCallback && tokens.refresh_token) {
          const again = await oidc.refreshTokenGrant(config!, tokens.refresh_token);
          result.refreshed = typeof again.access_token === 'string';
          result.accessToken = again.access_token;
          result.refreshToken = again.refresh_token ?? tokens.refresh_token;
        }
        res
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify(userinfo));
        return;
      }
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('relying party home');
        return;
      }
      res.writeHead(404).end();
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String((e as Error).stack));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = await register(`${base}/cb`);
  config = await oidc.discovery(new URL(issuer), client.client_id, client.client_secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  return {
    base,
    callbacks,
    result,
    /** the relying party's client configuration, for calls it makes later (refresh, userinfo) */
    config: () => config!,
    /** trades a refresh token for new tokens (rejects when the provider refuses it) */
    refresh: (refreshToken: string) => oidc.refreshTokenGrant(config!, refreshToken),
    /** where the relying party sends the browser to sign out (RP-Initiated Logout 1.0 §2) */
    endSessionUrl: (idToken: string) =>
      oidc.buildEndSessionUrl(config!, { id_token_hint: idToken, post_logout_redirect_uri: `${base}/` }).href,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
