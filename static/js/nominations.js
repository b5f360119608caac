// The nominations pages (/nominations/): live character counters, the searchable industry list, the
// readiness levels' descriptions by project type, the evaluation's total and the shortlist count.
// Kept out of the HTML: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // Characters as a person counts them, the rule of services/checks.char_count: one line-ending
  // kind, composed characters, no surrounding space; a Chinese character, a letter, a digit, a mark
  // or a line break is one each (Array.from counts code points, not UTF-16 halves).
  function charCount(text) {
    var normal = String(text || "").replace(/\r\n?/g, "\n");
    if (normal.normalize) {
      normal = normal.normalize("NFC");
    }
    return Array.from(normal.trim()).length;
  }

  document.querySelectorAll("textarea[data-limit]").forEach(function (box) {
    var counter = document.getElementById(box.dataset.counter);
    if (!counter) {
      return;
    }
    var limit = parseInt(box.dataset.limit, 10);
    var format = counter.dataset.format || "{count} / {limit}";
    function update() {
      var count = charCount(box.value);
      var over = count > limit;
      counter.textContent = format.replace("{count}", count).replace("{limit}", limit);
      counter.classList.toggle("is-over", over);
      box.classList.toggle("is-over", over);
      box.setAttribute("aria-invalid", over ? "true" : "false");
    }
    box.addEventListener("input", update);
    update();
  });

  // GB/T 4754-2017: filter the ticked list by code or name; list what is chosen.
  var search = document.getElementById("industry-search");
  var list = document.getElementById("industry-list");
  if (search && list) {
    var items = Array.prototype.slice.call(list.querySelectorAll("label.nm-ind"));
    var index = items.map(function (item) {
      return item.textContent.replace(/\s+/g, " ").trim().toLowerCase();
    });
    var nomatch = document.getElementById("industry-nomatch");
    var chosenList = document.getElementById("industry-chosen-list");
    var none = document.getElementById("industry-none");

    var filter = function () {
      var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item, i) {
        var match = words.every(function (word) {
          return index[i].indexOf(word) !== -1;
        });
        item.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      if (nomatch) {
        nomatch.hidden = shown > 0;
      }
    };
    var showChosen = function () {
      chosenList.textContent = "";
      var count = 0;
      items.forEach(function (item) {
        var box = item.querySelector("input");
        if (box.checked) {
          var chip = document.createElement("span");
          chip.className = "badge nm-chip";
          chip.dataset.code = box.value;
          chip.textContent = item.textContent.replace(/\s+/g, " ").trim();
          chosenList.appendChild(chip);
          count += 1;
        }
      });
      none.hidden = count > 0;
    };
    search.addEventListener("input", filter);
    // Enter in the search box filters; it does not send the form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    list.addEventListener("change", showChosen);
  }

  // 技术就绪水平: the descriptions of the chosen project type's scale.
  var trl = document.getElementById("field-trl");
  if (trl) {
    document.querySelectorAll("input[name=project_type]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.checked) {
          trl.dataset.projectType = radio.value;
        }
      });
    });
  }

  // 附件 1: the evaluation's total, out of 60.
  var total = document.getElementById("score-total");
  if (total) {
    var scores = document.querySelectorAll("input[data-score]");
    var sum = function () {
      var value = 0;
      scores.forEach(function (input) {
        var n = parseInt(input.value, 10);
        if (!isNaN(n)) {
          value += n;
        }
      });
      total.textContent = value;
    };
    scores.forEach(function (input) {
      input.addEventListener("input", sum);
    });
    sum();
  }

  // The shortlist: how many are ticked.
  var chosenCount = document.getElementById("chosen-count");
  var shortlist = document.getElementById("shortlist-form");
  if (chosenCount && shortlist) {
    shortlist.addEventListener("change", function () {
      chosenCount.textContent = shortlist.querySelectorAll("input[name=ids]:checked").length;
    });
  }
})();
