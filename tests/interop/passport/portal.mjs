// A portal signing in with passport and openid-client's Strategy, set up as
// openid-client's passport example is: discovery of the issuer, client id and
// secret, callback URL, scope. The one extra is the library's documented switch
// for an http issuer (allowInsecureRequests).
//
// Usage: node portal.mjs ISSUER CLIENT_ID CLIENT_SECRET PORT
// Prints "listening" once it serves http://localhost:PORT.
import * as client from "openid-client";
import { Strategy } from "openid-client/passport";
import express from "express";
import session from "express-session";
import passport from "passport";

const [issuer, clientId, clientSecret, port] = process.argv.slice(2);
const origin = `http://localhost:${port}`;

const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
  execute: [client.allowInsecureRequests],
});

passport.use(
  new Strategy(
    { config, scope: "openid email", callbackURL: `${origin}/callback` },
    (tokens, verified) => {
      // tokens.claims() is the ID token openid-client validated (signature, iss, aud, nonce, times).
      verified(null, {
        claims: tokens.claims(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token: tokens.id_token,
      });
    },
  ),
);
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user, done) => done(null, user));

const strategy = new URL(issuer).host;
const app = express();
app.use(session({ secret: "passport-portal-secret", resave: false, saveUninitialized: false }));
app.use(passport.session());

app.get("/login", passport.authenticate(strategy));
app.get(
  "/callback",
  passport.authenticate(strategy, { failWithError: true }),
  (req, res) => res.redirect("/me"),
);

function signedIn(req, res, next) {
  if (!req.user) return res.status(401).json({ error: "not signed in" });
  next();
}

app.get("/me", signedIn, async (req, res) => {
  const userinfo = await client.fetchUserInfo(config, req.user.access_token, req.user.claims.sub);
  res.json({ claims: req.user.claims, userinfo, access_token: req.user.access_token });
});

app.get("/refresh", signedIn, async (req, res) => {
  const tokens = await client.refreshTokenGrant(config, req.user.refresh_token);
  const user = {
    claims: tokens.claims() ?? req.user.claims,
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? req.user.refresh_token,
    id_token: tokens.id_token ?? req.user.id_token,
  };
  req.login(user, (error) => {
    if (error) return res.status(500).json({ error: String(error) });
    res.json({ access_token: user.access_token, sub: user.claims.sub });
  });
});

app.get("/logout", signedIn, (req, res) => {
  const idToken = req.user.id_token;
  req.logout(() => {
    res.redirect(
      client.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: `${origin}/signed-out`,
      }).href,
    );
  });
});

app.get("/signed-out", (req, res) => res.json({ signed_in: Boolean(req.user) }));

// Errors from the Strategy and openid-client as the portal's developer sees them.
app.use((error, req, res, next) => {
  res.status(error.status || 500).json({
    error: error.name,
    code: error.code,
    message: error.message,
    cause: error.cause === undefined ? undefined : JSON.parse(JSON.stringify(error.cause)),
  });
});

app.listen(Number(port), "127.0.0.1", () => console.log("listening"));
