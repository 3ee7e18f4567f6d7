/* Registri Inovasi Daerah: autosave, uploads with progress, size check and retry, confirmations. Loaded on every
   page; works without it too. */
(function () {
  "use strict";
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  // htmx (the hand-off package's progress) sends the CSRF token too.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrf) { event.detail.headers["X-CSRFToken"] = csrf.value; }
  });
  // Forms that ask before acting (data-confirm), without inline handlers, which the Content-Security-Policy refuses.
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // --- Autosave (form[data-autosave]) -------------------------------------------------------------------------
  // A save cannot contradict itself (issue 15): one save in flight per form, a change meanwhile is saved after it;
  // every answer brings the version the next save is checked against; the Save button first waits for a save in
  // flight, so the two never race with the same version. Only another tab or a colleague causes a conflict.
  // Leaving the page while typing is not saved yet asks first (beforeunload).
  var autosavers = [];
  var leaving = false; // the page is being left on purpose: the form was submitted, or the session ended

  function contentOf(form) {
    var parts = [];
    new FormData(form).forEach(function (value, key) {
      if (key !== "version" && key !== "csrfmiddlewaretoken" && typeof value === "string") { parts.push([key, value]); }
    });
    return JSON.stringify(parts);
  }

  function submitWith(form, submitter) {
    // form.submit() leaves out the button pressed: its name and value go along as a hidden field.
    var field = null;
    if (submitter && submitter.name) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = submitter.name;
      field.value = submitter.value;
      form.appendChild(field);
    }
    HTMLFormElement.prototype.submit.call(form);
    // The submission took the form's values already; a page restored from the back/forward cache must not keep
    // the field (an autosave carrying overwrite=1 would pass over a colleague's save).
    if (field) { field.remove(); }
  }

  function Autosave(form) {
    var delay = parseInt(form.dataset.autosaveDelay || "1500", 10);
    var timer = null;
    var running = null; // the save in flight: a promise that settles once it and any save queued after it are done
    var again = false;
    var submitting = false;
    // What the server has: the page's content as loaded, unless it shows a refused save (a conflict to resolve).
    var saved = form.querySelector("[name=overwrite]") ? null : contentOf(form);

    function status() { return form.querySelector("#save-status"); }
    function say(text) {
      var current = status();
      if (current && text) { current.className = "small text-danger"; current.textContent = text; }
    }
    // The answer is the new #save-status and, when saved, the version input (registry/includes/save_status.html).
    function show(html) {
      var answer = document.createElement("template");
      answer.innerHTML = html;
      var version = answer.content.querySelector("input[name=version]");
      var mine = form.querySelector("input[name=version]");
      if (version && mine) { mine.value = version.value; }
      var fresh = answer.content.querySelector("#save-status");
      var current = status();
      if (fresh && current) { current.replaceWith(fresh); }
      return Boolean(version);
    }

    function save() {
      window.clearTimeout(timer);
      timer = null;
      if (running) { again = true; return running; }
      var sent = contentOf(form);
      if (sent === saved) { return Promise.resolve(); }
      var headers = { "HX-Request": "true" };
      if (csrf) { headers["X-CSRFToken"] = csrf.value; }
      running = window.fetch(form.action, {
        method: "POST", body: new FormData(form), headers: headers, credentials: "same-origin"
      }).then(function (response) {
        var login = response.headers.get("HX-Redirect");
        if (login) { // the session ended: the server kept what was sent and offers it again after signing in
          leaving = true;
          window.location.assign(login);
          return null;
        }
        if (response.status >= 500) { say(form.dataset.autosaveFailed); return null; }
        return response.text().then(function (html) {
          if (show(html) && response.ok) { saved = sent; }
        });
      }, function () {
        say(form.dataset.autosaveOffline);
      }).then(next, next);
      return running;
    }

    // The save in flight is done (or failed): what changed meanwhile goes next.
    function next() {
      running = null;
      if (again) { again = false; return save(); }
      return null;
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", function () { save(); });
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      event.preventDefault();
      if (submitting) { return; }
      submitting = true;
      window.clearTimeout(timer);
      timer = null;
      // What is typed goes with the submission; it only has to carry the version of the save in flight, if any.
      (running || Promise.resolve()).then(function () {
        if (leaving) { return; } // the session ended meanwhile: the sign-in page is on its way
        leaving = true;
        submitWith(form, event.submitter);
      });
    });

    return {
      form: form,
      save: save,
      // Typing that is not on the server yet: waiting for the pause, being sent, or refused.
      unsaved: function () { return Boolean(timer || running) || contentOf(form) !== saved; },
      waiting: function () { return Boolean(timer || running); },
      restored: function () { submitting = false; }
    };
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) { autosavers.push(Autosave(form)); });

  window.addEventListener("beforeunload", function (event) {
    if (leaving) { return; }
    if (autosavers.some(function (autosave) { return autosave.unsaved(); })) {
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    }
  });
  // Back to a submitted page from the back/forward cache: it is a page in use again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      leaving = false;
      autosavers.forEach(function (autosave) { autosave.restored(); });
    }
  });
  // Switching to another tab or app saves at once: a phone may discard the page in the background.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      autosavers.forEach(function (autosave) { if (autosave.waiting()) { autosave.save(); } });
    }
  });

  // --- File size, checked before sending (input[type=file][data-size-limits]) --------------------------------
  // The limits and messages come from the server (registry/uploads.py client_size_limits), which would stop the
  // same upload; refusing it here saves the wait, and nothing else in the form is touched.
  var KINDS = { pdf: "pdf", jpg: "image", jpeg: "image", png: "image", mp4: "video" };
  function kindOf(file) {
    var extension = (file.name.split(".").pop() || "").toLowerCase();
    if (KINDS[extension]) { return KINDS[extension]; }
    if (file.type === "application/pdf") { return "pdf"; }
    if (/^image\//.test(file.type)) { return "image"; }
    if (/^video\//.test(file.type)) { return "video"; }
    return "any";
  }
  function tooLarge(form) {
    var found = "";
    form.querySelectorAll("input[type=file][data-size-limits]").forEach(function (input) {
      var limits = JSON.parse(input.dataset.sizeLimits);
      Array.prototype.forEach.call(input.files || [], function (file) {
        var limit = limits[kindOf(file)] || limits.any;
        if (!found && limit && file.size > limit.bytes) { found = limit.message.replace("%(name)s", file.name); }
      });
    });
    return found;
  }
  function refuseLarge(form) {
    var problem = tooLarge(form);
    var message = form.querySelector("[data-upload-message]");
    if (problem && message) {
      message.className = "small text-danger w-100";
      message.textContent = problem;
    } else if (message && message.dataset.sizeRefused) {
      message.textContent = "";
    }
    if (message) { message.dataset.sizeRefused = problem ? "1" : ""; }
    return Boolean(problem);
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-size-limits]") && input.form) { refuseLarge(input.form); }
  });

  // Any other form submitted while an autosave is pending (a profile document's upload) waits for it first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("data-autosave")) { return; }
    if (refuseLarge(form)) { event.preventDefault(); return; }
    if (form.hasAttribute("data-upload")) { return; }
    var waiting = autosavers.filter(function (autosave) { return autosave.waiting() || autosave.unsaved(); });
    if (!waiting.length) { return; }
    event.preventDefault();
    Promise.all(waiting.map(function (autosave) { return autosave.save(); })).then(function () {
      submitWith(form, event.submitter);
    });
  });

  // --- Uploads (form[data-upload]): show progress; on failure keep the chosen file and offer to send it again. --
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var bar = form.querySelector("progress");
    var message = form.querySelector("[data-upload-message]");
    var retry = form.querySelector("[data-upload-retry]");
    var target = document.getElementById(form.dataset.upload);
    function send() {
      if (refuseLarge(form)) { retry.hidden = true; return; }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) { bar.hidden = false; bar.max = event.total; bar.value = event.loaded; }
      };
      request.onload = function () {
        bar.hidden = true;
        if (request.status === 200) {
          target.outerHTML = request.responseText;
          form.reset();
          message.className = "small text-success";
          message.textContent = form.dataset.done;
          retry.hidden = true;
        } else if (request.status === 422 || request.status === 409) {
          message.className = "small text-danger";
          message.innerHTML = request.responseText;
          retry.hidden = true;
        } else {
          failed();
        }
      };
      request.onerror = failed;
      message.className = "small text-muted";
      message.textContent = form.dataset.sending;
      request.send(new FormData(form));
    }
    function failed() {
      bar.hidden = true;
      message.className = "small text-danger";
      message.textContent = form.dataset.failed;
      retry.hidden = false;
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
    retry.addEventListener("click", send);
  });
})();
