// A guideline's contents: a <details> rendered closed, one line above the text on a phone
// and a column beside the text on a wide screen (style.css). This opens it on a wide screen
// and closes it on a narrow one, as the window changes, so its state is what it shows; on
// a phone a link in the list closes it, so the section it leads to is not pushed down by
// the open list. Without this script the page reads the same (style.css shows the list in
// the wide column; the phone opens it with a tap).
(function () {
  "use strict";
  var toc = document.querySelector("details.toc");
  if (!toc || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 62.5rem)");
  var fit = function () {
    toc.open = wide.matches;
  };
  fit();
  wide.addEventListener("change", fit);
  toc.addEventListener("click", function (e) {
    if (!wide.matches && e.target.closest && e.target.closest("a")) {
      toc.open = false;
    }
  });
})();
