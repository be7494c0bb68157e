// Small enhancements where JavaScript runs; every page works without it.
(function () {
  "use strict";
  // "My position": fills the typed coordinates from the browser's location, when the person allows it; says so
  // when the location is not available (refused, or unknown), so that the person types the coordinates.
  document.querySelectorAll("[data-fill-position]").forEach(function (button) {
    if (!("geolocation" in navigator)) { return; }
    var message = button.parentElement.querySelector("[data-position-message]");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (message) { message.textContent = ""; }
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("feld-latitude").value = position.coords.latitude.toFixed(5);
        document.getElementById("feld-longitude").value = position.coords.longitude.toFixed(5);
      }, function () {
        if (message) { message.textContent = button.getAttribute("data-unavailable"); }
      });
    });
  });
  // The error summary takes the focus, so that screen readers announce it first.
  var summary = document.getElementById("fehler");
  if (summary) { summary.focus(); }
})();
// Support updated in place (htmx): the focus stays on the new button.
document.addEventListener("htmx:afterSwap", function (event) {
  var button = event.detail.target && document.querySelector("#" + event.detail.target.id + " [data-focus-after-swap]");
  if (button) { button.focus(); }
});
