// A relying party built on openid-client (a certified OpenID Connect RP library),
// driven step by step by tests/oidc/test_rp_openid_client.py:
//
//   node rp.mjs start  '{"issuer": ..., "client_id": ..., "client_secret": ..., ...}'
//     -> {"url", "state", "nonce", "verifier", "client_id", "client_secret"}
//   node rp.mjs finish '{... the above ..., "callback": "<redirect the browser got>"}'
//     -> what the library saw at each step
//   node rp.mjs discover '{"issuer": ..., ...}'  -> {"ok", "issuer"} or {"ok": false, "error"}
//
// With "metadata_url", the configuration is built from the metadata found there
// instead of by discovery at "issuer".
//
// The Python test plays the user's browser between the two steps.
import * as client from 'openid-client'

const [, , step, input] = process.argv
const args = JSON.parse(input)
// mock-ohid runs on http://localhost; openid-client refuses http unless told.
const options = { execute: [client.allowInsecureRequests] }

async function configure() {
  const issuer = new URL(args.issuer)
  if (args.metadata_url) {
    // Metadata fetched by a back-channel host name and handed over as is: discovery()
    // would refuse an issuer that is not the URL it fetched (RFC 8414 §3.3).
    const response = await fetch(args.metadata_url)
    const config = new client.Configuration(
      await response.json(),
      args.client_id,
      undefined,
      client.ClientSecretBasic(args.client_secret),
    )
    client.allowInsecureRequests(config)
    return config
  }
  if (step === 'start' && args.register) {
    // RFC 7591 through the library: it registers and returns a ready configuration.
    return client.dynamicClientRegistration(
      issuer,
      {
        client_name: 'openid-client conformance portal',
        redirect_uris: [args.redirect_uri],
        post_logout_redirect_uris: [args.post_logout_redirect_uri],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      undefined,
      options,
    )
  }
  return client.discovery(
    issuer,
    args.client_id,
    undefined,
    client.ClientSecretBasic(args.client_secret),
    options,
  )
}

async function attempt(fn) {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    return { ok: false, error: err.error ?? err.code ?? String(err) }
  }
}

async function start(config) {
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: args.redirect_uri,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  const metadata = config.clientMetadata()
  return {
    url: url.href,
    state,
    nonce,
    verifier,
    client_id: metadata.client_id,
    client_secret: metadata.client_secret,
  }
}

async function finish(config) {
  // Strict checks: state, nonce, PKCE, the RFC 9207 iss parameter, ID token signature.
  const tokens = await client.authorizationCodeGrant(config, new URL(args.callback), {
    pkceCodeVerifier: args.verifier,
    expectedState: args.state,
    expectedNonce: args.nonce,
    idTokenExpected: true,
  })
  const claims = tokens.claims()
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
  const refreshedClaims = refreshed.claims()
  const userinfoAfterRefresh = await client.fetchUserInfo(
    config,
    refreshed.access_token,
    claims.sub,
  )
  const introspected = await client.tokenIntrospection(config, refreshed.access_token)
  await client.tokenRevocation(config, refreshed.refresh_token)
  const introspectedAfterRevoke = await client.tokenIntrospection(config, refreshed.access_token)
  const refreshAfterRevoke = await attempt(() =>
    client.refreshTokenGrant(config, refreshed.refresh_token),
  )
  const endSessionUrl = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: args.post_logout_redirect_uri,
    state: 'signed-out-by-openid-client',
  })
  return {
    claims,
    userinfo,
    refresh_rotated: refreshed.refresh_token !== tokens.refresh_token,
    refreshed_claims: refreshedClaims ?? null,
    userinfo_after_refresh: userinfoAfterRefresh,
    introspected,
    introspected_after_revoke: introspectedAfterRevoke,
    refresh_after_revoke: refreshAfterRevoke.ok ? 'accepted' : refreshAfterRevoke.error,
    end_session_url: endSessionUrl.href,
  }
}

let result
if (step === 'discover') {
  // Only whether the library accepts discovery at args.issuer, and why not.
  const outcome = await attempt(configure)
  result = outcome.ok ? { ok: true, issuer: outcome.value.serverMetadata().issuer } : outcome
} else {
  const config = await configure()
  result = step === 'start' ? await start(config) : await finish(config)
}
process.stdout.write(JSON.stringify(result))
