// Stockbell admin: small progressive enhancements. Every page works
// without this script; it adds live recomputation where a form explains
// itself, and keeps the Shopify session token fresh inside the Shopify admin.
"use strict";

(function () {
  // The settings page's worked example, recomputed as the values change.
  function workedExample(form) {
    var out = form.querySelector("[data-example]");
    if (!out) return;
    var field = function (name) { return form.querySelector("[name=" + name + "]"); };
    function fmt(n) { return n.toLocaleString("en-US"); }
    function units(n, one, many) { return fmt(n) + " " + (n == 1 ? one : many); }
    // words writes a Go duration (1h30m, 90m, 2h0m0s) as the server does: "1 hour 30 minutes".
    function words(d) {
      var s = String(d).trim(), total = 0, m, re = /(\d+(?:\.\d+)?)(h|m|s)/g, size = { h: 3600, m: 60, s: 1 };
      if (!/^(\d+(\.\d+)?(h|m|s))+$/.test(s)) return null;
      while ((m = re.exec(s))) total += parseFloat(m[1]) * size[m[2]];
      var parts = [], days = Math.floor(total / 86400), hours = Math.floor(total % 86400 / 3600), mins = Math.floor(total % 3600 / 60);
      if (days) parts.push(units(days, "day", "days"));
      if (hours) parts.push(units(hours, "hour", "hours"));
      if (mins) parts.push(units(mins, "minute", "minutes"));
      return parts.length ? parts.join(" ") : null;
    }
    function update() {
      var min = parseInt(field("min_inventory").value, 10);
      var per = parseInt(field("per_unit").value, 10);
      var wait = words(field("wait").value);
      var stock = Math.max(20, isNaN(min) ? 0 : min);
      var text;
      if (isNaN(min) || isNaN(per) || min < 1 || per < 0) {
        text = "Enter a minimum inventory of at least 1 and customers per unit of 0 or more to see an example.";
      } else if (per == 0) {
        text = "When " + fmt(stock) + " units come back, everyone waiting is notified at once. " +
          "Nothing is sent until stock reaches " + units(min, "unit", "units") + ".";
      } else {
        text = fmt(stock) + " units × " + fmt(per) + " per unit = the oldest " + fmt(stock * per) + " notified, then wait " +
          (wait || "(enter a wait such as 1h or 30m)") + " before counting stock again and notifying the next ones. " +
          "The wait follows every batch, even one that notifies everyone waiting. " +
          "Nothing is sent until stock reaches " + units(min, "unit", "units") + ".";
      }
      out.textContent = text;
    }
    form.addEventListener("input", update);
    update();
  }

  // Inside the Shopify admin every request carries a fresh session token:
  // links and forms ask App Bridge for one just before they go.
  function embedded() {
    if (!document.body.hasAttribute("data-embedded") || !window.shopify || !window.shopify.idToken) return;
    document.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a[href^='/admin']");
      if (!a || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      window.shopify.idToken().then(function (token) {
        var url = new URL(a.href, location.href);
        url.searchParams.set("id_token", token);
        location.assign(url.toString());
      });
    });
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (form.dataset.tokenReady) return;
      e.preventDefault();
      window.shopify.idToken().then(function (token) {
        var input = form.querySelector("input[name=id_token]");
        if (!input) {
          input = document.createElement("input");
          input.type = "hidden";
          input.name = "id_token";
          form.appendChild(input);
        }
        input.value = token;
        form.dataset.tokenReady = "1";
        var extra = null;
        if (e.submitter && e.submitter.name) {
          extra = document.createElement("input");
          extra.type = "hidden";
          extra.name = e.submitter.name;
          extra.value = e.submitter.value;
          form.appendChild(extra);
        }
        // form.submit() posts to the form's action: a button that posts
        // elsewhere (formaction) lends its own for this one submission.
        var action = form.getAttribute("action");
        if (e.submitter && e.submitter.hasAttribute("formaction")) {
          form.setAttribute("action", e.submitter.getAttribute("formaction"));
        }
        form.submit();
        // submit() reads the form at once. A form whose answer is a
        // download stays on the page: its next submission asks for a new
        // token and posts only its own button.
        if (action === null) form.removeAttribute("action"); else form.setAttribute("action", action);
        if (extra) form.removeChild(extra);
        delete form.dataset.tokenReady;
      });
    });
  }

  function start() {
    document.querySelectorAll("form[data-worked-example]").forEach(workedExample);
    document.querySelectorAll("[data-live]").forEach(function (el) { liveRegion(el); });
    embedded();
  }

  // Live preview areas: a form with data-preview refreshes its preview
  // frame (data-live names the form) when its fields change.
  function liveRegion(frame) {
    var form = document.getElementById(frame.getAttribute("data-live"));
    if (!form) return;
    // data-refresh: the page shows a form that is not saved, so the
    // preview comes from the form from the start.
    if (frame.hasAttribute("data-refresh")) refreshPreview(form, frame);
    var timer;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { refreshPreview(form, frame); }, 400);
    });
  }

  function refreshPreview(form, frame) {
    var data = new URLSearchParams(new FormData(form));
    var base = frame.getAttribute("data-src");
    if (!base) return;
    data.delete("csrf_token");
    data.delete("id_token");
    data.set("step", frame.getAttribute("data-step") || "1");
    var url = new URL(base + (base.indexOf("?") >= 0 ? "&" : "?") + data.toString(), location.href);
    if (frame.tagName != "IFRAME") {
      fetch(url, { headers: { Accept: "text/plain" } }).then(function (r) { return r.text(); }).then(function (t) { frame.textContent = t; });
      return;
    }
    // A frame cannot ask App Bridge for a session token, and the one the
    // page was opened with lasts a minute: inside the Shopify admin, ask
    // for a fresh one each time.
    freshSessionToken(function (token) {
      if (token) url.searchParams.set("id_token", token);
      frame.src = url.toString();
    });
  }

  // freshSessionToken calls back with a new App Bridge session token
  // inside the Shopify admin, or with "" elsewhere.
  function freshSessionToken(then) {
    if (!document.body.hasAttribute("data-embedded") || !window.shopify || !window.shopify.idToken) return then("");
    window.shopify.idToken().then(then, function () { then(""); });
  }

  if (document.readyState == "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
