// Survey answer form: questions shown only if an earlier answer fits appear and disappear as one answers.
// Without JavaScript every question is shown with its "only if" hint and the server applies the conditions.
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-form]");
  if (!form) { return; }

  function wrapper(position) { return form.querySelector('[data-question="' + position + '"]'); }

  // What question `position` holds now: the chosen values (choices, scale), the typed text, or the places chosen.
  function answer(position) {
    var box = wrapper(position);
    if (!box || box.hidden) { return null; }
    var values = [];
    box.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (field.name.indexOf("-andere") !== -1) { return; }
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      if (field.value.trim() !== "") { values.push(field.value.trim()); }
    });
    return values;
  }

  function holds(box) {
    var values = answer(box.getAttribute("data-show-if"));
    if (!values || values.length === 0) { return false; }
    var anyOf = box.getAttribute("data-any-of");
    var atLeast = box.getAttribute("data-at-least");
    var atMost = box.getAttribute("data-at-most");
    if (anyOf) {
      var wanted = anyOf.split(",");
      return values.some(function (value) { return wanted.indexOf(value) !== -1; });
    }
    if (atLeast || atMost) {
      var number = parseFloat(values[0].replace(",", "."));
      if (isNaN(number)) { return false; }
      return (!atLeast || number >= parseFloat(atLeast)) && (!atMost || number <= parseFloat(atMost));
    }
    return true;
  }

  // In question order, so that a question depending on a hidden one is hidden too.
  function update() {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var shown = holds(box);
      box.hidden = !shown;
      box.querySelectorAll("input, select, textarea").forEach(function (field) { field.disabled = !shown; });
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
