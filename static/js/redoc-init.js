// Starts Redoc on /api/redoc/ (kept out of the page: the Content-Security-Policy forbids inline script).
(function () {
  "use strict";
  var box = document.getElementById("redoc-container");
  if (!box || typeof Redoc === "undefined") {
    return;
  }
  Redoc.init(box.dataset.schemaUrl, JSON.parse(box.dataset.settings || "{}"), box);
})();
