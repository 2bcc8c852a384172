// nums serve: the live result. Without this file every page still works (plain
// form posts); with it, the result beside the form follows what is typed.
(function () {
  "use strict";
  // the page's live form: the coordinator's, the assessor's review or the quote
  var form = document.querySelector("form[data-preview]");
  if (!form) { return; }
  var result = document.getElementById(form.dataset.result || "result");
  var state = document.getElementById("save-state");
  if (!result) { return; }
  var timer = null;
  var latest = 0;
  var dirty = false;

  function preview() {
    var body = new FormData(form);
    Array.from(body.keys()).forEach(function (key) {
      if (body.get(key) instanceof File) { body.delete(key); }
    });
    var ticket = ++latest;
    fetch(form.dataset.preview, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && ticket === latest) { result.innerHTML = html; }
      })
      .catch(function () { /* the saved result stays; saving still works */ });
  }

  function changed() {
    if (!dirty && state) { state.textContent = "Unsaved changes"; }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { dirty = false; });
  var saves = form.method.toLowerCase() === "post";  // the quote form saves nothing: no warning
  window.addEventListener("beforeunload", function (event) {
    if (dirty && saves) { event.preventDefault(); event.returnValue = ""; }
  });
}());
