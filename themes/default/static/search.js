// Type-ahead for the search box: as a person types, the titles of the top hits appear as
// links under it. The page works without this script; it only saves a step on a phone.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !window.fetch) {
    return;
  }
  var timer = 0;
  var asked = "";
  function clear() {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    list.hidden = true;
  }
  function show(items) {
    clear();
    items.forEach(function (s) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = s.url;
      a.textContent = s.title; // text, never markup
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) {
      clear();
      return;
    }
    timer = window.setTimeout(function () {
      asked = q;
      fetch("/search/suggest?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) {
          if (asked === q && input.value.trim() === q) {
            show(body.suggestions || []);
          }
        })
        .catch(clear);
    }, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      clear();
    }
  });
})();
