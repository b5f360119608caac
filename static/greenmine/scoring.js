/* Live subtotals on the green-mine scoring page.
 * Mirrors greenmine/scoring.py `rule_score` and the category rescaling (earned ÷ applicable × total);
 * the server recomputes everything on save, so this is a convenience, never the record.
 * Numbers are handled in hundredths of a point to avoid floating-point drift (steps are 0.2, 0.5...). */
(function () {
  "use strict";
  var form = document.getElementById("score-form");
  if (!form) { return; }
  var rules = JSON.parse(document.getElementById("gm-rules").textContent);
  var categories = JSON.parse(document.getElementById("gm-categories").textContent);

  function cents(x) { return Math.round(Number(x) * 100); }
  function show(c) { return (c / 100).toFixed(2).replace(/\.?0+$/, ""); }
  function field(name) { return form.querySelector('[name="' + name + '"]'); }
  function checked(name) {
    var el = form.querySelector('[name="' + name + '"]:checked');
    return el ? el.value : null;
  }
  function count(name) {
    var el = field(name);
    if (!el || el.value.trim() === "") { return null; }
    var n = parseInt(el.value, 10);
    return isNaN(n) || n < 0 ? 0 : n;
  }

  // Returns {score: hundredths, entered: bool} for a rule already resolved for the mine's method.
  function ruleScore(rule, points, base) {
    var i, n, total = 0, entered = false;
    if (rule.kind === "all_or_nothing") {
      var v = checked(base + "passed");
      return { score: v === "yes" ? points : 0, entered: v !== null };
    }
    if (rule.kind === "deduction") {
      for (i = 0; i < rule.findings.length; i++) {
        n = count(base + "f-" + rule.findings[i].key);
        if (n !== null) { entered = true; total += cents(rule.findings[i].step) * n; }
      }
      return { score: Math.max(0, points - total), entered: entered };
    }
    if (rule.kind === "additive") {
      for (i = 0; i < rule.items.length; i++) {
        var item = rule.items[i], name = base + "i-" + item.key;
        if (item.max_count !== undefined) {
          n = count(name);
          if (n !== null) { entered = true; total += cents(item.points) * Math.min(n, item.max_count); }
        } else if (field(name) && field(name).checked) {
          entered = true; total += cents(item.points);
        }
      }
      return { score: Math.min(points, total), entered: entered };
    }
    if (rule.kind === "choice") {
      var chosen = checked(base + "option");
      for (i = 0; i < rule.options.length; i++) {
        if (rule.options[i].key === chosen) {
          var nested = ruleScore(rule.options[i].rule, points, base + "o-" + chosen + "-");
          return { score: Math.min(points, nested.score), entered: true };
        }
      }
      return { score: 0, entered: false };
    }
    return { score: 0, entered: false };
  }

  // The navigator and the sticky bar follow the page: an indicator counts as scored once marked not
  // applicable or given an input or a record (what the server saves as scored, see forms.read_items).
  function showProgress(scored) {
    var perCategory = {}, total = 0, first = null, key;
    Object.keys(rules).sort(function (a, b) {
      return rules[a].category - rules[b].category || a - b;
    }).forEach(function (number) {
      var key = rules[number].category;
      perCategory[key] = (perCategory[key] || 0) + (scored[number] ? 1 : 0);
      if (scored[number]) { total += 1; } else if (first === null) { first = number; }
    });
    for (key in perCategory) {
      var count = document.querySelector('[data-scored-category="' + key + '"]');
      var link = document.getElementById("nav-category-" + key);
      if (count) { count.textContent = String(perCategory[key]); }
      if (link) {
        var all = perCategory[key] === Object.keys(rules).filter(function (n) {
          return String(rules[n].category) === String(key);
        }).length;
        link.classList.toggle("done", all);
      }
    }
    var out = document.getElementById("scored-count");
    if (out) { out.textContent = String(total); }
    var next = document.getElementById("next-unscored");
    if (next) {
      next.setAttribute("href", first === null ? "#sheet-actions" : "#indicator-" + first);
      next.textContent = first === null ? next.dataset.labelDone : next.dataset.labelNext;
    }
  }

  function recompute() {
    var earned = {}, applicable = {}, number, key, grand = 0, scored = {};
    for (key in categories) { earned[key] = 0; applicable[key] = 0; }
    for (number in rules) {
      var spec = rules[number], base = "n" + number + "-", points = cents(spec.points);
      var out = document.getElementById("score-" + number);
      var article = document.getElementById("indicator-" + number);
      var na = field(base + "na");
      if (na && na.checked) {
        out.textContent = "不涉及";
        article.classList.add("is-na");
        scored[number] = true;
        article.classList.remove("unscored");
        continue;
      }
      article.classList.remove("is-na");
      var result = ruleScore(spec.rule, points, base);
      var record = field(base + "record");
      var entered = result.entered || (record && record.value.trim() !== "");
      scored[number] = Boolean(entered);
      article.classList.toggle("unscored", !entered);
      out.textContent = entered ? show(result.score) + " / " + show(points) : "—";
      earned[spec.category] += entered ? result.score : 0;
      applicable[spec.category] += points;
      // Show only the chosen option's own inputs as active.
      var chosen = checked(base + "option");
      article.querySelectorAll("[data-option]").forEach(function (el) {
        el.classList.toggle("inactive", el.getAttribute("data-option") !== chosen);
      });
    }
    for (key in categories) {
      var max = cents(categories[key]);
      var score = applicable[key] ? Math.round(earned[key] * max / applicable[key]) : max;
      var el = document.getElementById("subtotal-" + key);
      if (el) {
        el.textContent = show(score) + " / " + show(max);
        grand += score;
      } else {
        grand += max; // a category with nothing to score for this mine keeps its points
      }
    }
    document.getElementById("grand-total").textContent = show(grand);
    showProgress(scored);
  }

  // Anchors stop below the sticky bar: its measured height feeds scroll-margin-top (scoring.css).
  var bar = document.getElementById("sheet-bar");
  function measureBar() {
    if (bar) { document.documentElement.style.setProperty("--sheet-bar", bar.offsetHeight + "px"); }
  }
  window.addEventListener("resize", measureBar);
  measureBar();

  // Removing a file posts its own small form and reloads the page: ask first, and say so when the
  // sheet has changes that are not saved yet.
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  document.querySelectorAll("form.evidence-remove").forEach(function (remove) {
    remove.addEventListener("submit", function (event) {
      var question = remove.dataset.confirm + (dirty ? "\n" + remove.dataset.confirmDirty : "");
      if (!window.confirm(question)) { event.preventDefault(); }
    });
  });

  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
