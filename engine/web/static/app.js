// Live updates: the server says when the audit database changed (server-sent events); the page then
// re-fetches its own content (?fragment=1) and swaps it in. No reload, no framework.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var status = document.getElementById("live-status");
  if (!live || live.dataset.live !== "1" || !window.EventSource) { return; }
  var busy = false, again = false;

  function setStatus(key) { if (status) { status.textContent = status.dataset[key] || key; status.dataset.state = key; } }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    var url = new URL(window.location.href);
    url.searchParams.set("fragment", "1");
    url.searchParams.delete("lang");
    fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        live.innerHTML = html;
        document.body.dataset.updates = String(Number(document.body.dataset.updates || "0") + 1);
      })
      .catch(function () { setStatus("offline"); })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }

  var source = new EventSource("/events");
  source.addEventListener("hello", function () { setStatus("live"); });
  source.addEventListener("change", function (event) { document.body.dataset.version = event.data; refresh(); });
  source.onerror = function () { setStatus("offline"); };
  source.onopen = function () { setStatus("live"); };
})();
