// The error summary of a refused form (the GOV.UK pattern): the summary takes the focus
// when the page loads, so a screen reader reads it out and the keyboard starts from it; a
// link in it focuses its field and scrolls the field's label (or its group's legend) into
// view, opening a folded part of the form if the field is in one. Without this script the
// summary is still the first thing in the page and its links still lead to the fields.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("a") : null;
    var href = link ? link.getAttribute("href") : "";
    if (!href || href.charAt(0) !== "#") {
      return;
    }
    var field = document.getElementById(decodeURIComponent(href.slice(1)));
    if (!field) {
      return;
    }
    e.preventDefault();
    for (var d = field.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) {
      d.open = true;
    }
    var group = field.closest("fieldset");
    var label = null;
    if (field.type === "checkbox" || field.type === "radio") {
      label = group ? group.querySelector("legend") : null;
    } else if (field.id) {
      label = document.querySelector('label[for="' + field.id + '"]');
    }
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
