/*
 * Offline stand-in for Plaid Link (https://cdn.plaid.com/link/v2/stable/link-initialize.js).
 * Loaded only when Ledgerlink talks to its local Plaid emulator. It exposes the same
 * window.Plaid.create(config) → { open, exit, submit, destroy } and calls the same
 * onSuccess(public_token, metadata) / onExit(error, metadata) / onEvent callbacks, so the
 * app's react-plaid-link code runs unchanged. With real Plaid keys the real script is used.
 */
(function () {
  "use strict";
  var CDN = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";
  var BASE = "/sandbox/plaid";

  function h(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k.indexOf("on") === 0) e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  var css =
    ".plk-overlay{position:fixed;inset:0;background:rgba(17,24,39,.55);display:flex;align-items:center;justify-content:center;z-index:2147483000;font-family:system-ui,sans-serif}" +
    ".plk-modal{background:#fff;border-radius:14px;width:min(380px,92vw);padding:22px;box-shadow:0 20px 50px rgba(0,0,0,.3);color:#111}" +
    ".plk-modal h2{font-size:18px;margin:0 0 4px}.plk-modal p{font-size:13px;color:#555;margin:0 0 14px}" +
    ".plk-bank{display:block;width:100%;text-align:left;padding:10px 12px;margin:6px 0;border:1px solid #ddd;border-radius:8px;background:#fafafa;cursor:pointer;font-size:14px}" +
    ".plk-bank:hover,.plk-bank:focus{border-color:#111;outline:none}" +
    ".plk-modal label{display:block;font-size:13px;margin:10px 0 4px}.plk-modal input{width:100%;box-sizing:border-box;padding:8px 10px;border:1px solid #ccc;border-radius:6px;font-size:14px}" +
    ".plk-primary{margin-top:14px;width:100%;padding:10px;border:0;border-radius:8px;background:#111;color:#fff;font-size:14px;cursor:pointer}" +
    ".plk-close{float:right;border:0;background:none;font-size:20px;cursor:pointer;line-height:1}" +
    ".plk-err{color:#b91c1c;font-size:13px;margin-top:10px}.plk-tag{font-size:11px;color:#777;margin-top:14px}";

  window.Plaid = {
    version: "ledgerlink-standin",
    create: function (config) {
      var root = null;
      var sessionId = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now());
      var chosen = null;
      function event(name, meta) { if (config.onEvent) config.onEvent(name, Object.assign({ link_session_id: sessionId, timestamp: new Date().toISOString() }, meta || {})); }
      function close() { if (root) { root.remove(); root = null; } }
      function exit(error) {
        close();
        event("EXIT");
        if (config.onExit) config.onExit(error || null, { institution: chosen, status: chosen ? "requires_credentials" : "institution_not_found", link_session_id: sessionId, request_id: "" });
      }
      function modal(title, sub, body) {
        close();
        if (!document.getElementById("plk-style")) document.head.appendChild(h("style", { id: "plk-style", text: css }));
        var closeBtn = h("button", { class: "plk-close", type: "button", "aria-label": "Close", onclick: function () { exit(null); } });
        closeBtn.textContent = "×";
        root = h("div", { class: "plk-overlay" }, [
          h("div", { class: "plk-modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "plk-title" }, [
            closeBtn,
            h("h2", { id: "plk-title", text: title }),
            h("p", { text: sub }),
            body,
            h("div", { class: "plk-tag", text: "Plaid Link (local sandbox)" }),
          ]),
        ]);
        root.addEventListener("keydown", function (e) { if (e.key === "Escape") exit(null); });
        document.body.appendChild(root);
        var first = root.querySelector("input,.plk-bank");
        if (first) first.focus();
      }
      function login(inst) {
        chosen = { name: inst.name, institution_id: inst.institution_id };
        event("SELECT_INSTITUTION", { institution_id: inst.institution_id, institution_name: inst.name });
        var err = h("div", { class: "plk-err", role: "alert" });
        var user = h("input", { id: "plk-user", name: "username", autocomplete: "off" });
        var pass = h("input", { id: "plk-pass", name: "password", type: "password" });
        var form = h("form", {
          onsubmit: function (e) {
            e.preventDefault();
            err.textContent = "";
            event("SUBMIT_CREDENTIALS");
            fetch(BASE + "/link/sandbox/complete", {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ link_token: config.token, institution_id: inst.institution_id, username: user.value, password: pass.value }),
            })
              .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, b: b }; }); })
              .then(function (x) {
                if (!x.ok) {
                  event("ERROR", { error_code: x.b.error_code });
                  err.textContent = x.b.display_message || (x.b.error_code === "INVALID_CREDENTIALS" ? "The credentials you provided were incorrect. Please try again." : x.b.error_message);
                  return;
                }
                close();
                event("HANDOFF");
                config.onSuccess(x.b.public_token, x.b.metadata);
              })
              .catch(function () { err.textContent = "Could not reach Plaid. Try again."; });
          },
        }, [
          h("label", { for: "plk-user", text: "Username" }), user,
          h("label", { for: "plk-pass", text: "Password" }), pass,
          h("button", { class: "plk-primary", type: "submit", text: "Submit" }),
          err,
        ]);
        modal("Log in to " + inst.name, "Sandbox: user_good / pass_good, or user_transactions_dynamic (any password).", form);
      }
      function open() {
        event("OPEN");
        fetch(BASE + "/link/sandbox/institutions?link_token=" + encodeURIComponent(config.token || ""))
          .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, b: b }; }); })
          .then(function (x) {
            if (!x.ok) { exit({ error_type: "INVALID_INPUT", error_code: x.b.error_code, error_message: x.b.error_message, display_message: x.b.display_message }); return; }
            if (x.b.update_mode && x.b.institution) { login(x.b.institution); return; }
            var list = h("div", {}, x.b.institutions.map(function (inst) {
              return h("button", { class: "plk-bank", type: "button", text: inst.name, onclick: function () { login(inst); } });
            }));
            modal("Select your bank", "Connect your account with Plaid.", list);
          })
          .catch(function () { exit({ error_type: "API_ERROR", error_code: "INTERNAL_SERVER_ERROR", error_message: "link unreachable", display_message: null }); });
      }
      setTimeout(function () { if (config.onLoad) config.onLoad(); }, 0);
      return {
        open: open,
        exit: function (opts, cb) { if (root) exit(null); if (cb) cb(); },
        submit: function () {},
        destroy: close,
      };
    },
  };

  // react-plaid-link looks for its CDN <script> before injecting one; this inert placeholder
  // (type text/plain is never fetched) tells it Link is already on the page.
  if (!document.querySelector('script[src="' + CDN + '"]')) {
    var s = document.createElement("script");
    s.type = "text/plain";
    s.src = CDN;
    s.setAttribute("data-ledgerlink-standin", "plaid");
    document.head.appendChild(s);
  }
})();
