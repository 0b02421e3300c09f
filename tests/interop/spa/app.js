// A single-page portal: oidc-client-ts does discovery, the code flow with PKCE,
// the token call, userinfo, refresh and RP-initiated logout, all from the browser.
// The issuer and client id come from the query of the page that starts it.
(function () {
  const stored = JSON.parse(sessionStorage.getItem("spa-config") || "{}");
  const params = new URLSearchParams(location.search);
  if (params.get("issuer")) {
    stored.issuer = params.get("issuer");
    stored.clientId = params.get("client_id");
    sessionStorage.setItem("spa-config", JSON.stringify(stored));
  }
  const here = location.origin;
  const manager = new oidc.UserManager({
    authority: stored.issuer,
    client_id: stored.clientId,
    redirect_uri: here + "/callback.html",
    post_logout_redirect_uri: here + "/index.html?signed_out=1",
    response_type: "code",
    scope: "openid profile email offline_access",
    loadUserInfo: true,
    automaticSilentRenew: false,
    userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
  });

  function setStatus(text) {
    document.getElementById("status").textContent = text;
  }

  async function userinfo(user) {
    const answer = await fetch(stored.issuer + "/userinfo", {
      headers: { Authorization: "Bearer " + user.access_token },
    });
    return answer.json();
  }

  window.spa = {
    login: () => manager.signinRedirect({ prompt: "login" }),
    async user() {
      const user = await manager.getUser();
      if (!user) return null;
      return {
        sub: user.profile.sub,
        email: user.profile.email,
        access_token: user.access_token,
        refresh_token: user.refresh_token,
        userinfo: await userinfo(user),
      };
    },
    async renew() {
      const user = await manager.signinSilent();
      return { access_token: user.access_token, userinfo: await userinfo(user) };
    },
    logout: () => manager.signoutRedirect(),
  };

  window.addEventListener("DOMContentLoaded", async () => {
    try {
      if (location.pathname.endsWith("/callback.html")) {
        await manager.signinRedirectCallback();
        location.replace(here + "/index.html");
        return;
      }
      const user = await manager.getUser();
      setStatus(params.get("signed_out") ? "signed out" : user ? "signed in" : "ready");
    } catch (error) {
      setStatus("error: " + error.message);
    }
  });
})();
