/* Registri Inovasi Daerah: autosave over htmx, uploads with progress and retry, confirmations. Loaded on every
   page; works without it too. */
(function () {
  "use strict";
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrf) { event.detail.headers["X-CSRFToken"] = csrf.value; }
  });
  // A failed autosave (offline, server down) says so; the typed text stays in the form.
  document.body.addEventListener("htmx:sendError", function () {
    var status = document.getElementById("save-status");
    if (status) {
      status.className = "small text-danger";
      status.textContent = status.dataset.offline || "Tidak tersambung: perubahan belum tersimpan. Akan dicoba lagi saat Anda mengetik, atau tekan Simpan.";
    }
  });
  // 409 answers a save that was refused (closed cycle, page out of date) with a status to show in place.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Forms that ask before acting (data-confirm), without inline handlers, which the Content-Security-Policy refuses.
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = document.getElementById("save-status");
    if (status && event.detail.xhr.status >= 500) {
      status.className = "small text-danger";
      status.textContent = "Server sedang bermasalah: perubahan belum tersimpan. Tekan Simpan sebentar lagi.";
    }
  });

  // Uploads: show progress; on failure keep the chosen file and offer to send it again.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var bar = form.querySelector("progress");
    var message = form.querySelector("[data-upload-message]");
    var retry = form.querySelector("[data-upload-retry]");
    var target = document.getElementById(form.dataset.upload);
    function send() {
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
