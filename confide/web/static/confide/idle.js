// Confide's idle lock, in the browser (DVIP 6.06: do not leave information on screen).
// Progressive enhancement: without JavaScript the server still locks the session at the next
// request after the idle period. With it, the screen itself clears, after a warning a minute
// before that offers to keep working (WCAG 2.2.1 Timing Adjustable), and typing or clicking on
// the page counts as activity, so a long note is not lost to the lock.
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var lockUrl = body.getAttribute("data-lock-url");
  var keepAliveUrl = body.getAttribute("data-keep-alive-url");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var warning = document.getElementById("idle-warning");
  if (!idleSeconds || !lockUrl || !keepAliveUrl || !tokenMeta || !warning) { return; }
  var warnSeconds = Math.min(60, Math.floor(idleSeconds / 2));
  var lastActivity = Date.now();
  var lastPing = Date.now();
  var warned = false;

  function keepAlive() {
    lastPing = Date.now();
    var form = new FormData();
    form.append("csrfmiddlewaretoken", tokenMeta.getAttribute("content"));
    fetch(keepAliveUrl, { method: "POST", body: form, credentials: "same-origin", redirect: "manual" })
      .then(function (response) { if (response.status !== 204) { window.location.assign(lockUrl); } })
      .catch(function () { /* offline: the server will lock at the next request */ });
  }

  function activity() {
    lastActivity = Date.now();
    if (warned) { hideWarning(); }
    // Tell the server at most once a minute, so it does not lock a session that is in use.
    if (Date.now() - lastPing > 60000) { keepAlive(); }
  }

  function hideWarning() {
    warned = false;
    warning.hidden = true;
  }

  function tick() {
    var idle = (Date.now() - lastActivity) / 1000;
    if (idle >= idleSeconds) {
      window.location.assign(lockUrl + "?reason=idle");
      return;
    }
    if (!warned && idle >= idleSeconds - warnSeconds) {
      warned = true;
      warning.hidden = false;
      document.getElementById("idle-keep-working").focus();
    }
  }

  document.getElementById("idle-keep-working").addEventListener("click", function () {
    hideWarning();
    lastActivity = Date.now();
    keepAlive();
  });
  ["keydown", "pointerdown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true });
  });
  window.setInterval(tick, 1000);
}());
