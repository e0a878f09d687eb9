// "Exit this page", the GOV.UK pattern: a person at risk, reading the directory on a shared
// phone, leaves it at once for a neutral site. The button is a plain link that works
// without this script; the script makes it replace the page in the history (the back button
// then does not come back to it), hides the page while the neutral one loads, and adds the
// keyboard shortcut: the Shift key pressed three times within five seconds. A Shift held to
// type a capital letter does not count.
(function () {
  "use strict";
  var box = document.querySelector("[data-exit]");
  if (!box || !window.location.replace) {
    return;
  }
  var link = box.querySelector("a.exit-button");
  var status = box.querySelector(".exit-status");
  var dots = box.querySelectorAll(".exit-dots span");
  var presses = 0;
  var timer = 0;
  var lastWasModified = false;

  function say(text) {
    status.textContent = text || "";
  }

  function showPresses() {
    for (var i = 0; i < dots.length; i++) {
      dots[i].className = i < presses ? "on" : "";
    }
    box.classList.toggle("counting", presses > 0);
  }

  function reset(expired) {
    window.clearTimeout(timer);
    timer = 0;
    presses = 0;
    showPresses();
    say(expired ? box.getAttribute("data-expired") : "");
  }

  function exit(e) {
    if (e) {
      e.preventDefault();
    }
    reset(false);
    // Cover the page at once: the neutral site may take a while on a weak connection.
    var veil = document.createElement("div");
    veil.className = "exit-veil";
    veil.setAttribute("role", "status");
    veil.textContent = box.getAttribute("data-loading");
    document.body.appendChild(veil);
    document.body.classList.add("exiting");
    window.location.replace(link.href);
  }

  link.addEventListener("click", exit);

  document.addEventListener("keyup", function (e) {
    var shift = e.key === "Shift" || e.keyCode === 16;
    if (shift && !lastWasModified) {
      presses += 1;
      showPresses();
      window.clearTimeout(timer);
      if (presses >= 3) {
        exit();
        return;
      }
      say(box.getAttribute(presses === 1 ? "data-shift-2" : "data-shift-1"));
      timer = window.setTimeout(function () { reset(true); }, 5000);
    } else if (!shift && presses > 0) {
      reset(false); // another key: the person is typing, not leaving
    }
    // Whether a key other than Shift was let go of with Shift held (a capital letter): the
    // Shift let go of next is then no press of the shortcut.
    lastWasModified = !shift && e.shiftKey;
  });

  // A page restored from the back-forward cache is shown as it was, not covered.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) {
      document.body.classList.remove("exiting");
      var veil = document.querySelector(".exit-veil");
      if (veil) {
        veil.parentNode.removeChild(veil);
      }
    }
  });
})();
