// "Not applicable", "don't know" and the answer itself exclude each other within a question
// (data-answer-part="na" | "unknown" | "value"). Choosing one part clears the others, before
// the autosave (htmx, listening for "change" on the question) reads the form. Without this
// script the server refuses contradicting parts with a message at the question.
(function () {
  "use strict";

  function isSet(control) {
    if (control.type === "checkbox" || control.type === "radio") {
      return control.checked;
    }
    return control.value.trim() !== "";
  }

  function clear(control) {
    if (control.type === "checkbox" || control.type === "radio") {
      control.checked = false;
    } else {
      control.value = "";
    }
  }

  function onChange(event) {
    var control = event.target;
    if (!(control instanceof HTMLElement) || !control.dataset.answerPart || !isSet(control)) {
      return;
    }
    var question = control.closest(".question");
    if (!question) {
      return;
    }
    question.querySelectorAll("[data-answer-part]").forEach(function (other) {
      if (other.dataset.answerPart !== control.dataset.answerPart) {
        clear(other);
      }
    });
  }

  // Capture phase: runs before htmx's listener on the question sends the answer.
  document.addEventListener("change", onChange, true);
  document.addEventListener("input", onChange, true);
})();
