// Behaviour shared by every page, kept out of the HTML: the Content-Security-Policy allows no
// inline script (onchange=...) and no style attributes (style="width: ...").
(function () {
  "use strict";
  // <select data-autosubmit> submits its form when changed (the language switch, list filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });
  // data-width="42" draws a bar 42 % wide; setting element.style from a script is allowed.
  document.querySelectorAll("[data-width]").forEach(function (el) {
    var value = parseFloat(el.dataset.width);
    if (!isNaN(value)) {
      el.style.width = Math.max(0, Math.min(100, value)) + "%";
    }
  });
})();
