(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("kc-data").textContent);
  var panel = document.getElementById("details");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function pretty(value) {
    if (typeof value === "string") {
      var trimmed = value.trim();
      if (trimmed.charAt(0) === "{" || trimmed.charAt(0) === "[") {
        try { return JSON.stringify(JSON.parse(trimmed), null, 2); } catch (e) { return value; }
      }
      return value;
    }
    return JSON.stringify(value, null, 2);
  }

  function field(dl, name, value) {
    if (value === undefined || value === null || value === "") { return; }
    dl.appendChild(el("dt", null, name));
    dl.appendChild(el("dd", null, value));
  }

  function exchangeBlock(ref) {
    var box = el("div", "exchange");
    var summary = DATA.exchanges[ref];
    box.appendChild(el("h4", null, "Exchange " + ref));
    if (!summary) { box.appendChild(el("p", "none", "(exchange not included in this report)")); return box; }
    var pair = el("div", "pair");
    var req = el("div"); req.appendChild(el("strong", null, "Request (redacted)"));
    var request = summary.request || {};
    var line = (request.method || "") + " " + (request.url || "");
    var reqText = line.trim() + (request.headers ? "\n" + pretty(request.headers) : "") + (request.body ? "\n\n" + pretty(request.body) : "");
    req.appendChild(el("pre", "req", reqText || pretty(request)));
    var res = el("div"); res.appendChild(el("strong", null, "Response"));
    var response = summary.response;
    var resText = summary.error ? "transport error: " + summary.error : "";
    if (response) {
      var status = response.status_code !== undefined ? response.status_code : response.status;
      resText = "HTTP " + (status === undefined ? "?" : status) +
        (response.headers ? "\n" + pretty(response.headers) : "") + (response.body ? "\n\n" + pretty(response.body) : "") +
        (response.truncated ? "\n(body truncated)" : "");
    }
    res.appendChild(el("pre", "res", resText || "(no response)"));
    pair.appendChild(req); pair.appendChild(res); box.appendChild(pair);
    return box;
  }

  function show(key, button) {
    var cell = DATA.cells[key];
    if (!cell) { return; }
    var previous = document.querySelector("button.cell.selected");
    if (previous) { previous.classList.remove("selected"); }
    if (button) { button.classList.add("selected"); }
    panel.textContent = "";
    panel.appendChild(el("h2", null, cell.check + " · " + cell.gateway));
    if (cell.description) { panel.appendChild(el("p", "meta", cell.description)); }
    cell.results.forEach(function (r) {
      var box = el("div", "result o-" + r.outcome);
      box.appendChild(el("h3", null, DATA.symbols[r.outcome] + " " + r.outcome.toUpperCase() + (r.label ? " · " + r.label : (r.operation ? " · " + r.operation : ""))));
      var dl = el("dl");
      field(dl, "message", r.message); field(dl, "subject", r.subject); field(dl, "reason", r.reason); field(dl, "severity", r.severity);
      field(dl, "evidence", r.evidence_label); field(dl, "JSON path", r.json_path); field(dl, "exchange", r.exchange_ref);
      box.appendChild(dl);
      if (r.expected !== null || r.actual !== null) {
        var pair = el("div", "pair");
        var exp = el("div"); exp.appendChild(el("strong", null, "Expected")); exp.appendChild(el("pre", "expected", pretty(r.expected)));
        var act = el("div"); act.appendChild(el("strong", null, "Actual")); act.appendChild(el("pre", "actual", pretty(r.actual)));
        pair.appendChild(exp); pair.appendChild(act); box.appendChild(pair);
      }
      if (r.exchange_ref) { box.appendChild(exchangeBlock(r.exchange_ref)); }
      panel.appendChild(box);
    });
  }

  document.querySelectorAll("button.cell").forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-key"), button); });
  });
  var filter = document.getElementById("only-findings");
  if (filter) {
    filter.addEventListener("change", function () {
      document.getElementById("matrix").classList.toggle("only-findings", filter.checked);
    });
  }
  document.documentElement.setAttribute("data-ready", "1");
}());
