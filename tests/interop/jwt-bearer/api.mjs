// A portal API guarding its routes with express-oauth2-jwt-bearer, configured as
// its README says: the issuer's base URL (discovery finds the JWKS) and the
// audience the access tokens are for. Everything else is the library's default.
//
// Usage: node api.mjs ISSUER AUDIENCE PORT
// Prints "listening" once it serves http://localhost:PORT.
import express from "express";
import { auth } from "express-oauth2-jwt-bearer";

const [issuerBaseURL, audience, port] = process.argv.slice(2);

const app = express();
app.use(auth({ issuerBaseURL, audience }));

app.get("/api/claims", (req, res) => {
  res.json({ sub: req.auth.payload.sub, client_id: req.auth.payload.client_id, scope: req.auth.payload.scope });
});

// What the library answers a refused token with, for the test to read.
app.use((error, req, res, next) => {
  res.status(error.status || 500).set(error.headers || {}).json({ error: error.code, message: error.message });
});

app.listen(Number(port), "127.0.0.1", () => console.log("listening"));
