// Node's oidc-provider with its development interactions (any login, any password):
// the reference server for tests/perf/bench_login.py. Binds 127.0.0.1 only.
import Provider from "oidc-provider";

const port = Number(process.env.PORT || 9700);
const provider = new Provider(`http://localhost:${port}`, {
  clients: [
    {
      client_id: "bench",
      client_secret: "bench-secret-0123456789",
      redirect_uris: ["http://localhost:5001/callback"],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  claims: { email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.com`, email_verified: true, name: id, preferred_username: id };
      },
    };
  },
  cookies: { keys: ["bench-cookie-key-0123456789"] },
  features: { devInteractions: { enabled: true } },
});
// The benchmark reads only what it needs; silence the dev-interactions warning.
process.removeAllListeners("warning");
provider.listen(port, "127.0.0.1", () => console.log(`oidc-provider listening on ${port}`));
