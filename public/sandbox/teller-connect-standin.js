/*
 * Offline stand-in for Teller Connect (https://cdn.teller.io/connect/connect.js), loaded
 * only when Ledgerlink talks to its local Teller. Same API: TellerConnect.setup(options)
 * → { open, destroy }, calling options.onInit / onSuccess(enrollment) / onExit. It walks
 * Teller's sandbox flows: institution, credentials (password is always "password"), a
 * one-time code for user "otp" (0000) and a security question for "challenge" (blue).
 * With `enrollmentId` it repairs that enrollment in place. Opened with a `nonce`, the
 * enrollment it hands back carries `signatures` made by the local Teller's sandbox
 * token-signing key, as Teller Connect does.
 */
(function () {
  "use strict";
  var CDN = "https://cdn.teller.io/connect/connect.js";
  var BASE = "/sandbox/teller/connect";

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
    ".tlc-overlay{position:fixed;inset:0;background:rgba(10,10,10,.6);display:flex;align-items:center;justify-content:center;z-index:2147483000;font-family:system-ui,sans-serif}" +
    ".tlc-modal{background:#fff;border-radius:16px;width:min(380px,92vw);padding:22px;color:#111;box-shadow:0 20px 50px rgba(0,0,0,.35)}" +
    ".tlc-modal h2{font-size:18px;margin:0 0 6px}.tlc-modal p{font-size:13px;color:#555;margin:0 0 12px}" +
    ".tlc-inst{display:block;width:100%;text-align:left;padding:10px 12px;margin:6px 0;border:1px solid #ddd;border-radius:10px;background:#fafafa;cursor:pointer;font-size:14px}" +
    ".tlc-modal label{display:block;font-size:13px;margin:10px 0 4px}.tlc-modal input{width:100%;box-sizing:border-box;padding:8px 10px;border:1px solid #ccc;border-radius:8px;font-size:14px}" +
    ".tlc-primary{margin-top:14px;width:100%;padding:10px;border:0;border-radius:10px;background:#0a0a0a;color:#fff;font-size:14px;cursor:pointer}" +
    ".tlc-close{float:right;border:0;background:none;font-size:20px;cursor:pointer}.tlc-err{color:#b91c1c;font-size:13px;margin-top:10px}.tlc-tag{font-size:11px;color:#777;margin-top:14px}";

  window.TellerConnect = {
    setup: function (options) {
      var root = null;
      function close() { if (root) { root.remove(); root = null; } }
      function exit() { close(); if (options.onExit) options.onExit(); }
      function post(path, body) {
        return fetch(BASE + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(Object.assign({ application_id: options.applicationId }, body)) })
          .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, b: b }; }); });
      }
      function modal(title, sub, body) {
        close();
        if (!document.getElementById("tlc-style")) document.head.appendChild(h("style", { id: "tlc-style", text: css }));
        var x = h("button", { class: "tlc-close", type: "button", "aria-label": "Close", onclick: exit });
        x.textContent = "×";
        root = h("div", { class: "tlc-overlay" }, [
          h("div", { class: "tlc-modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "tlc-title" }, [x, h("h2", { id: "tlc-title", text: title }), h("p", { text: sub }), body, h("div", { class: "tlc-tag", text: "Teller Connect (local sandbox)" })]),
        ]);
        root.addEventListener("keydown", function (e) { if (e.key === "Escape") exit(); });
        document.body.appendChild(root);
        var first = root.querySelector("input,.tlc-inst");
        if (first) first.focus();
      }
      function done(enrollment) { close(); options.onSuccess(enrollment); }
      function form(fields, submitText, onsubmit) {
        var err = h("div", { class: "tlc-err", role: "alert" });
        var inputs = {};
        var kids = [];
        fields.forEach(function (f) {
          inputs[f.name] = h("input", { id: "tlc-" + f.name, name: f.name, type: f.type || "text", autocomplete: "off" });
          kids.push(h("label", { for: "tlc-" + f.name, text: f.label }), inputs[f.name]);
        });
        kids.push(h("button", { class: "tlc-primary", type: "submit", text: submitText }), err);
        return h("form", { onsubmit: function (e) { e.preventDefault(); err.textContent = ""; onsubmit(inputs, err); } }, kids);
      }
      function mfa(step) {
        modal(step.field === "code" ? "Enter your code" : "Security question", step.prompt,
          form([{ name: step.field, label: step.field === "code" ? "One-time code" : "Answer" }], "Continue", function (i, err) {
            var body = { session: step.session, nonce: options.nonce };
            body[step.field] = i[step.field].value;
            post("/mfa", body).then(function (x) { if (!x.ok) { err.textContent = x.b.error.message; return; } done(x.b.enrollment); });
          }));
      }
      function login(inst) {
        modal("Log in to " + inst.name, "Sandbox: username / password. Try otp or challenge for more steps.",
          form([{ name: "username", label: "Username" }, { name: "password", label: "Password", type: "password" }], "Connect", function (i, err) {
            post("/enroll", { institution_id: inst.id, enrollment_id: options.enrollmentId, nonce: options.nonce, username: i.username.value, password: i.password.value }).then(function (x) {
              if (!x.ok) { err.textContent = x.b.error.message; return; }
              if (x.b.step === "mfa") mfa(x.b);
              else done(x.b.enrollment);
            });
          }));
      }
      function open() {
        if (options.enrollmentId) { login({ id: null, name: options.institutionName || "your bank" }); return; }
        fetch(BASE + "/institutions").then(function (r) { return r.json(); }).then(function (b) {
          modal("Select your institution", "Connect your bank account with Teller.", h("div", {}, b.institutions.map(function (inst) {
            return h("button", { class: "tlc-inst", type: "button", text: inst.name, onclick: function () { login(inst); } });
          })));
        });
      }
      setTimeout(function () { if (options.onInit) options.onInit(); }, 0);
      return { open: open, destroy: close };
    },
  };

  // teller-connect-react checks for its CDN <script> before injecting one: an inert
  // placeholder (type text/plain is never fetched) says Connect is already here.
  if (!document.querySelector('script[src="' + CDN + '"]')) {
    var s = document.createElement("script");
    s.type = "text/plain";
    s.src = CDN;
    s.setAttribute("data-ledgerlink-standin", "teller");
    document.head.appendChild(s);
  }
})();
