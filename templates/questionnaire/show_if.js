// Show-if in the browser: the same rules as surveys/show_if.py (is_shown). An unanswered variable makes
// every test on it false. Items whose condition fails are hidden and their inputs disabled, so a hidden
// answer is never submitted. On a served page (one section of several) the form's data-answers attribute holds
// the answers given on the other pages, which conditions on this page may test.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  if (!form) return;
  var earlier = JSON.parse(form.getAttribute("data-answers") || "{}");
  function answers() {
    var values = {};
    Object.keys(earlier).forEach(function (name) { values[name] = earlier[name]; });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled) return;
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) return;
      if (element.value === "") return;
      var value = isNaN(Number(element.value)) ? element.value : Number(element.value);
      if (element.type === "checkbox") (values[element.name] = values[element.name] || []).push(value);
      else values[element.name] = value;
    });
    return values;
  }
  function compare(answer, test, value) {
    switch (test) {
      case "==": return answer === value;
      case "!=": return answer !== value;
      case "<": return answer < value;
      case "<=": return answer <= value;
      case ">": return answer > value;
      case ">=": return answer >= value;
    }
    return false;
  }
  function shown(condition, values) {
    if (condition.all) return condition.all.every(function (part) { return shown(part, values); });
    if (condition.any) return condition.any.some(function (part) { return shown(part, values); });
    if (condition.not) return !shown(condition.not, values);
    var answer = values[condition.variable];
    if (answer === undefined) return false;
    if (condition.test === "has") return Array.isArray(answer) && answer.indexOf(condition.value) >= 0;
    if (condition.test === "in") return condition.values.indexOf(answer) >= 0;
    if (condition.test === "not in") return condition.values.indexOf(answer) < 0;
    return compare(answer, condition.test, condition.value);
  }
  function update() {
    // Repeat until stable: hiding one item can hide the items that depend on it.
    for (var round = 0; round < 10; round++) {
      var changed = false, values = answers();
      document.querySelectorAll("fieldset[data-show-if]").forEach(function (fieldset) {
        var visible = shown(JSON.parse(fieldset.getAttribute("data-show-if")), values);
        if (fieldset.hidden === visible) {
          fieldset.hidden = !visible;
          changed = true;
        }
        // Always, not only on a change: the server may send a conditional item already shown.
        fieldset.querySelectorAll("input, select, textarea").forEach(function (input) {
          if (input.disabled === visible) { input.disabled = !visible; changed = true; }
        });
      });
      if (!changed) break;
    }
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "checkbox" && target.checked) {
      // An exclusive option ("none of these") clears the others, and the others clear it.
      form.querySelectorAll('input[type=checkbox][name="' + target.name + '"]').forEach(function (box) {
        if (box !== target && (target.hasAttribute("data-exclusive") || box.hasAttribute("data-exclusive"))) box.checked = false;
      });
    }
    update();
  });
  document.querySelectorAll("fieldset[data-show-if] input, fieldset[data-show-if] select, fieldset[data-show-if] textarea")
    .forEach(function (input) { input.disabled = true; });
  update();
})();
