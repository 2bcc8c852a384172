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
        if (html !== null && ticket === latest) { result.innerHTML = html; showFieldErrors(); }
      })
      .catch(function () { /* the saved result stays; saving still works */ });
  }

  // the preview's problems beside their fields, as a save shows them (keys from errors_by_field)
  function showFieldErrors() {
    var list = result.querySelector("#field-errors");
    if (!("fieldErrors" in form.dataset)) { return; }  // the coordinator's form only
    Array.from(form.querySelectorAll("[data-field-error]")).forEach(function (node) { node.remove(); });
    Array.from(form.querySelectorAll(".has-error")).forEach(function (node) { node.classList.remove("has-error"); });
    Array.from(form.querySelectorAll("[aria-invalid]")).forEach(function (control) {
      control.removeAttribute("aria-invalid");
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (described.length) { control.setAttribute("aria-describedby", described.join(" ")); }
      else { control.removeAttribute("aria-describedby"); }
    });
    if (!list) { return; }
    Array.from(list.children).forEach(function (item) {
      var control = document.getElementById(item.dataset.control);
      var message = document.createElement(control ? "span" : "p");
      message.className = "error";
      message.setAttribute("data-field-error", "");
      message.textContent = item.textContent;
      if (control && form.contains(control)) {
        var errorId = item.dataset.control + "-error";
        var earlier = document.getElementById(errorId);
        if (earlier) {  // one element per field, as the page is served: ids stay unique
          earlier.appendChild(document.createElement("br"));
          earlier.appendChild(document.createTextNode(item.textContent));
          return;
        }
        message.id = errorId;
        var field = control.closest(".field") || control.parentNode;
        field.classList.add("has-error");
        field.appendChild(message);
        control.setAttribute("aria-invalid", "true");
        var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (ids.indexOf(errorId) < 0) { ids.push(errorId); }
        control.setAttribute("aria-describedby", ids.join(" "));
        return;
      }
      var box = form.querySelector('[data-field="' + CSS.escape(item.dataset.field) + '"]');
      if (box) {
        box.classList.add("has-error");
        var legend = box.querySelector("legend");
        box.insertBefore(message, legend ? legend.nextSibling : box.firstChild);
      }
    });
  }

  function changed() {
    if (!dirty && state) { state.textContent = "Unsaved changes"; }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // a file over the upload limit would be refused before the server reads the form, and the
  // typing with it: say so here and send nothing, so everything typed stays on the page
  function tooLarge() {
    var limit = Number(form.dataset.maxUpload || 0);
    return Array.from(form.querySelectorAll("input[type=file]")).filter(function (input) {
      return limit > 0 && Array.from(input.files || []).some(function (file) { return file.size > limit; });
    });
  }

  form.addEventListener("submit", function (event) {
    var refused = tooLarge();
    if (refused.length) {
      event.preventDefault();
      var bytes = Number(form.dataset.maxUpload);
      var limit = bytes >= 1024 * 1024 ? Math.round(bytes / 104857.6) / 10 + " MiB" : bytes + " bytes";
      refused.forEach(function (input) {
        var errorId = input.id + "-error";
        var message = document.getElementById(errorId) || document.createElement("span");
        message.id = errorId;
        message.className = "error";
        message.textContent = "This file is larger than the " + limit + " a file may be; choose a smaller one." +
          " Nothing was sent, so what you typed is still here.";
        input.parentNode.appendChild(message);
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", errorId);
        var details = input.closest("details");
        if (details) { details.open = true; }
      });
      refused[0].focus();
      return;
    }
    dirty = false;
  });
  var saves = form.method.toLowerCase() === "post";  // the quote form saves nothing: no warning
  window.addEventListener("beforeunload", function (event) {
    if (dirty && saves) { event.preventDefault(); event.returnValue = ""; }
  });
}());

// any other form that sends files (the journey page's answers): a file over the upload limit
// would be refused before the server reads the form, and the note typed with it; say so here
// and send nothing, so everything typed stays on the page
(function () {
  "use strict";
  Array.from(document.querySelectorAll("form[data-max-upload]:not([data-preview])")).forEach(function (form) {
    form.addEventListener("change", function (event) {  // another file chosen: the message goes
      var input = event.target;
      var message = input.type === "file" && document.getElementById(input.id + "-error");
      if (!message) { return; }
      message.remove();
      input.removeAttribute("aria-invalid");
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== message.id;
      });
      if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
    });
    form.addEventListener("submit", function (event) {
      var bytes = Number(form.dataset.maxUpload || 0);
      var refused = Array.from(form.querySelectorAll("input[type=file]")).filter(function (input) {
        return bytes > 0 && Array.from(input.files || []).some(function (file) { return file.size > bytes; });
      });
      if (!refused.length) { return; }
      event.preventDefault();
      var limit = bytes >= 1024 * 1024 ? Math.round(bytes / 104857.6) / 10 + " MiB" : bytes + " bytes";
      refused.forEach(function (input) {
        var errorId = input.id + "-error";
        var message = document.getElementById(errorId) || document.createElement("span");
        message.id = errorId;
        message.className = "error";
        message.setAttribute("role", "alert");
        message.textContent = "A file chosen is larger than the " + limit + " a file may be; choose a smaller one." +
          " Nothing was sent, so what you typed is still here.";
        input.insertAdjacentElement("afterend", message);
        input.setAttribute("aria-invalid", "true");
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== errorId;
        });
        input.setAttribute("aria-describedby", described.concat([errorId]).join(" "));
      });
      refused[0].focus();
    });
  });
}());
