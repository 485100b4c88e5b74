// The printable file's Print button (progressive enhancement: without JavaScript the button stays
// hidden and the page says to use the browser's own Print command).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
