(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("kc-data").textContent);
  var panel = document.getElementById("details");
  var panelBody = document.getElementById("details-body");
  var SEP = "\u241f";
  var FINDING = { fail: 1, error: 1, waived: 1 };

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

  function link(gateway, check, subject) {
    return "#" + [gateway, check, subject].filter(function (p) { return p; }).map(encodeURIComponent).join("/");
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

  function anchorOf(r) { return r.subject || r.operation || ""; }  // html.py result_subject

  function resultBox(cell, r) {
    var box = el("div", "result o-" + r.outcome);
    box.setAttribute("data-anchor", anchorOf(r));
    var h = el("h3", null, DATA.symbols[r.outcome] + " " + r.outcome.toUpperCase() + (r.label ? " · " + r.label : (r.operation ? " · " + r.operation : "")));
    box.appendChild(h);
    var dl = el("dl");
    field(dl, "message", r.message); field(dl, "subject", r.subject); field(dl, "reason", r.reason); field(dl, "severity", r.severity);
    field(dl, "evidence", r.evidence_label); field(dl, "JSON path", r.json_path); field(dl, "exchange", r.exchange_ref);
    box.appendChild(dl);
    var permalink = el("a", "permalink", "link to this result");
    permalink.setAttribute("href", link(cell.gateway, cell.check, anchorOf(r)));
    box.appendChild(permalink);
    if (r.expected !== null || r.actual !== null) {
      var pair = el("div", "pair");
      var exp = el("div"); exp.appendChild(el("strong", null, "Expected")); exp.appendChild(el("pre", "expected", pretty(r.expected)));
      var act = el("div"); act.appendChild(el("strong", null, "Actual")); act.appendChild(el("pre", "actual", pretty(r.actual)));
      pair.appendChild(exp); pair.appendChild(act); box.appendChild(pair);
    }
    if (r.exchange_ref) { box.appendChild(exchangeBlock(r.exchange_ref)); }
    return box;
  }

  function cellButton(key) {
    var found = null;
    document.querySelectorAll("button.cell").forEach(function (b) { if (b.getAttribute("data-key") === key) { found = b; } });
    return found;
  }

  function show(key, anchor) {
    var cell = DATA.cells[key];
    if (!cell) { return false; }
    var previous = document.querySelector("button.cell.selected");
    if (previous) { previous.classList.remove("selected"); }
    var button = cellButton(key);
    if (button) { button.classList.add("selected"); }
    panelBody.textContent = "";
    panelBody.appendChild(el("h2", null, cell.check + " · " + cell.gateway));
    if (cell.description) { panelBody.appendChild(el("p", "meta", cell.description)); }
    var rest = [];
    cell.results.forEach(function (r) {
      if (FINDING[r.outcome]) { panelBody.appendChild(resultBox(cell, r)); } else { rest.push(r); }
    });
    var target = null;
    if (rest.length) {
      var fold = el("details", "passes");
      var counts = {};
      rest.forEach(function (r) { counts[r.outcome] = (counts[r.outcome] || 0) + 1; });
      fold.appendChild(el("summary", null, Object.keys(counts).map(function (o) { return counts[o] + " " + o; }).join(", ")));
      var filled = false;
      var fill = function () {
        if (filled) { return; }
        filled = true;
        rest.forEach(function (r) { fold.appendChild(resultBox(cell, r)); });
      };
      fold.addEventListener("toggle", function () { if (fold.open) { fill(); } });
      if (rest.length === cell.results.length || rest.some(function (r) { return anchor && anchorOf(r) === anchor; })) {
        fill(); fold.open = true;
      }
      panelBody.appendChild(fold);
    }
    if (anchor) {
      panelBody.querySelectorAll(".result").forEach(function (box) {
        if (!target && box.getAttribute("data-anchor") === anchor) { target = box; }
      });
    }
    panel.hidden = false;
    panel.scrollTop = 0;
    if (target) {
      target.classList.add("target");
      if (target !== panelBody.querySelector(".result")) { panel.scrollTop = Math.max(0, target.offsetTop - 48); }
    }
    return true;
  }

  function route() {
    var hash = location.hash.slice(1);
    if (hash.indexOf("/") < 0) { return; }
    var parts;
    try { parts = hash.split("/").map(decodeURIComponent); } catch (e) { return; }
    show(parts[0] + SEP + parts[1], parts.slice(2).join("/"));
  }

  function go(hash) {
    if (location.hash === hash) { route(); return; }
    try { history.pushState(null, "", hash); route(); } catch (e) { location.hash = hash; }
  }

  document.querySelectorAll("button.cell").forEach(function (button) {
    button.addEventListener("click", function () {
      var cell = DATA.cells[button.getAttribute("data-key")];
      if (cell) { go(link(cell.gateway, cell.check, "")); }
    });
  });
  document.addEventListener("click", function (event) {
    var a = event.target && event.target.closest ? event.target.closest("a.deep, a.permalink") : null;
    if (!a) { return; }
    event.preventDefault();
    go(a.getAttribute("href"));
  });
  window.addEventListener("hashchange", route);
  document.getElementById("details-close").addEventListener("click", function () {
    panel.hidden = true;
    var selected = document.querySelector("button.cell.selected");
    if (selected) { selected.classList.remove("selected"); selected.focus(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { document.getElementById("details-close").click(); }
  });

  var onlyFindings = document.getElementById("only-findings");
  var matrix = document.getElementById("matrix");
  if (onlyFindings && matrix) {
    onlyFindings.addEventListener("change", function () { matrix.classList.toggle("only-findings", onlyFindings.checked); });
  }
  var onlyDiffers = document.getElementById("only-differs");
  if (onlyDiffers) {
    onlyDiffers.addEventListener("change", function () {
      document.getElementById("shapes").classList.toggle("only-differs", onlyDiffers.checked);
    });
  }

  // Search and filters: they narrow the failure list and the matrix (rows, gateway columns, cells).
  var controls = { q: "search", gateway: "f-gateway", check: "f-check", outcome: "f-outcome", evidence: "f-evidence" };
  var rowText = {};
  Object.keys(DATA.cells).forEach(function (key) {
    var cell = DATA.cells[key];
    var text = [cell.gateway, cell.check, cell.description].concat(cell.results.map(function (r) {
      return [r.label, r.message, r.reason].join(" ");
    })).join(" ").toLowerCase();
    rowText[key] = text;
  });

  function value(name) { var node = document.getElementById(controls[name]); return node ? node.value.trim() : ""; }
  function has(list, word) { return !word || (" " + (list || "") + " ").indexOf(" " + word + " ") >= 0; }

  function apply() {
    var q = value("q").toLowerCase(), gw = value("gateway"), check = value("check");
    var outcome = value("outcome"), evidence = value("evidence");
    var shown = 0, all = 0;
    document.querySelectorAll("#failure-list li.finding").forEach(function (li) {
      var ok = (!gw || li.getAttribute("data-gateway") === gw) && (!check || li.getAttribute("data-check") === check) &&
        (!outcome || li.getAttribute("data-outcome") === outcome) && (!evidence || li.getAttribute("data-evidence") === evidence) &&
        (!q || li.getAttribute("data-text").indexOf(q) >= 0);
      li.hidden = !ok;
      all += 1; if (ok) { shown += 1; }
    });
    var count = document.getElementById("failure-count");
    if (count) { count.textContent = (q || gw || check || outcome || evidence) ? shown + " of " + all + " shown" : ""; }
    if (!matrix) { return; }
    matrix.querySelectorAll("[data-gateway]").forEach(function (node) {
      node.classList.toggle("gw-hidden", !!gw && node.getAttribute("data-gateway") !== gw);
    });
    matrix.querySelectorAll("tbody tr[data-check]").forEach(function (tr) {
      var name = tr.getAttribute("data-check");
      var any = false;
      tr.querySelectorAll("td.cell").forEach(function (td) {
        var g = td.getAttribute("data-gateway");
        var ok = (!gw || g === gw) && has(td.getAttribute("data-outcomes"), outcome) && has(td.getAttribute("data-evidence"), evidence) &&
          (!q || (rowText[g + SEP + name] || "").indexOf(q) >= 0);
        td.classList.toggle("dim", !ok);
        if (ok) { any = true; }
      });
      tr.classList.toggle("filtered", (!!check && name !== check) || !any);
    });
  }

  Object.keys(controls).forEach(function (name) {
    var node = document.getElementById(controls[name]);
    if (node) { node.addEventListener(name === "q" ? "input" : "change", apply); }
  });
  var toolbar = document.getElementById("toolbar");
  if (toolbar) {
    toolbar.addEventListener("submit", function (event) { event.preventDefault(); });
    toolbar.addEventListener("reset", function () { setTimeout(apply, 0); });
  }
  document.querySelectorAll("button.gw-filter").forEach(function (button) {
    button.addEventListener("click", function () {
      document.getElementById("f-gateway").value = button.getAttribute("data-gateway");
      apply();
      document.getElementById("failures").scrollIntoView();
    });
  });

  route();
  document.documentElement.setAttribute("data-ready", "1");
}());
