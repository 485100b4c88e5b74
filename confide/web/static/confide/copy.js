// "Copy link" beside a read-only field (a secure link, shown once). Progressive enhancement: the
// button is hidden until this runs, and without it the field can still be selected and copied by
// hand. Served by Confide itself, so the page's script-src 'self' is enough; nothing inline.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy-from]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById(button.getAttribute("data-copied"));
    if (!field) { return; }

    function say(text) { if (status) { status.textContent = text; } }

    function copiedByHand() {
      field.focus();
      field.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      say(done ? "Link copied. Paste it into your message to the recipient."
               : "It could not be copied for you: the link is selected, so copy it with Ctrl+C (Cmd+C on a Mac).");
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      say("");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          field.select();
          say("Link copied. Paste it into your message to the recipient.");
        }, copiedByHand);
      } else {
        copiedByHand();
      }
    });
    field.addEventListener("focus", function () { field.select(); });
  });
}());
