// Answer sheets: skip logic and the running score. Progressive enhancement: without this file every
// question shows with its condition written out, and the server clears answers to skipped questions.
(function () {
  "use strict";

  function answerOf(form, key) {
    var inputs = form.querySelectorAll('[name="' + key + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if (input.disabled) return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.type !== "radio" && input.type !== "checkbox" && input.value === "") return;
      values.push(input.type === "radio" || input.type === "checkbox" ? Number(input.value) : input.value);
    });
    if (!values.length) return null;
    var first = inputs[0];
    return first && first.type === "checkbox" ? values : values[0];
  }

  var comparisons = {
    eq: function (a, b) { return a === b; },
    ne: function (a, b) { return a !== b; },
    gt: function (a, b) { return a > b; },
    gte: function (a, b) { return a >= b; },
    lt: function (a, b) { return a < b; },
    lte: function (a, b) { return a <= b; },
    "in": function (a, b) { return b.indexOf(a) !== -1; }
  };

  function compare(value, rule) {
    if (value === null) return false;
    return Object.keys(rule).every(function (op) {
      if (op === "any_of") {
        var chosen = Array.isArray(value) ? value : [value];
        return chosen.some(function (v) { return rule.any_of.indexOf(v) !== -1; });
      }
      if (!comparisons[op]) return true;
      return !Array.isArray(value) && comparisons[op](value, rule[op]);
    });
  }

  // The same rule language as casework/assessments/scoring.py `evaluate` (items only: totals are unknown while answering).
  function holds(condition, form) {
    if (condition.any) return condition.any.some(function (part) { return holds(part, form); });
    if (condition.all) return condition.all.every(function (part) { return holds(part, form); });
    if (condition.not) return !holds(condition.not, form);
    if ("always" in condition) return Boolean(condition.always);
    if (condition.item) {
      var rest = {};
      Object.keys(condition).forEach(function (k) { if (k !== "item") rest[k] = condition[k]; });
      return compare(answerOf(form, condition.item), rest);
    }
    return true; // unknown facts: keep the question visible; the server decides
  }

  function applySkips(form) {
    // In definition order, so a question hidden earlier no longer counts for later conditions.
    form.querySelectorAll("[data-item]").forEach(function (block) {
      var raw = block.getAttribute("data-ask-if");
      if (!raw) return;
      var asked = holds(JSON.parse(raw), form);
      block.hidden = !asked;
      block.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !asked; });
    });
  }

  function updateScore(form) {
    var box = form.querySelector("#running-score");
    if (!box) return;
    var total = 0;
    var answered = 0;
    form.querySelectorAll("[data-scores]").forEach(function (block) {
      var checked = block.querySelector("input[data-scored]:checked:not(:disabled)");
      if (!checked) return;
      var scores = JSON.parse(block.getAttribute("data-scores"));
      if (checked.value in scores) {
        total += Number(scores[checked.value]);
        answered += 1;
      }
    });
    box.querySelector("[data-running-total]").textContent = String(total);
    box.querySelector("[data-running-answered]").textContent = String(answered);
  }

  function refresh(form) {
    applySkips(form);
    updateScore(form);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.classList.contains("sheet")) refresh(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.sheet").forEach(refresh);
  });
})();
