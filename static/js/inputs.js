/* Registri Inovasi Daerah: inputs that read the same on every phone (issue 15), on top of agencies/widgets.py.
   - File pickers ([data-file-pick]): our "Choose file" button and the chosen file's name and size instead of the
     browser's English; a photo larger than data-photo-max pixels is made smaller (JPEG) before it is sent, unless
     "send the original" is ticked.
   - Dates ([data-day-input]): slashes added while digits are typed; a calendar button where the browser has one.
   - Checklists ([data-choice-checklist]): a search box that filters the checkboxes, and the count of ticked ones.
   Every text shown comes from the page (data attributes), in its language. Without this file every input still
   works as the plain one it is. Loaded with `defer` after registri.js. */
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, key) { return key in values ? values[key] : whole; });
  }

  // --- File pickers ------------------------------------------------------------------------------------------
  var language = document.documentElement.lang || "id";
  function size(bytes) {
    if (bytes < 1024 * 1024) { return Math.max(1, Math.round(bytes / 1024)) + " KB"; }
    var number = bytes / (1024 * 1024);
    try {
      return new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(number) + " MB";
    } catch (error) {
      return number.toFixed(1) + " MB";
    }
  }
  function isPhoto(file) {
    return /^image\/(jpeg|png)$/.test(file.type) || /\.(jpe?g|png)$/i.test(file.name);
  }
  // The photo decoded through a data: URL (the Content-Security-Policy allows data: images, not blob: ones); an
  // <img> follows the photo's EXIF orientation, so a portrait photo stays upright on the canvas.
  function decode(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = reject;
      reader.onload = function () {
        var image = new Image();
        image.onload = function () { resolve(image); };
        image.onerror = reject;
        image.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }
  // A smaller JPEG of the photo, or null when it is small enough already (or the browser cannot do it).
  function shrink(file, longest, quality) {
    if (!window.FileReader || !window.File || !HTMLCanvasElement.prototype.toBlob) { return Promise.resolve(null); }
    return decode(file).then(function (image) {
      var width = image.naturalWidth, height = image.naturalHeight;
      var ratio = longest / Math.max(width, height);
      if (!(ratio < 1)) { return null; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a PNG's transparent parts become white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
    }).then(function (blob) {
      if (!blob || blob.size >= file.size) { return null; }
      // The server reads the content and wants the name to match it: a PNG made JPEG is renamed .jpg.
      var name = file.name.replace(/\.[^.\/\\]*$/, "") + ".jpg";
      return new File([blob], name, { type: "image/jpeg", lastModified: Date.now() });
    }).catch(function () { return null; });
  }

  var pickers = [];

  function FilePick(box) {
    var main = box.querySelector("[data-file-native=main]");
    var camera = box.querySelector("[data-file-native=camera]");
    var chosen = box.querySelector("[data-file-chosen]");
    var note = box.querySelector("[data-file-note]");
    var fullBox = box.querySelector("[data-file-full]");
    var full = fullBox && fullBox.querySelector("input");
    var longest = parseInt(box.dataset.photoMax || "0", 10);
    var quality = parseFloat(box.dataset.photoQuality || "0.85");
    var original = null; // the file as chosen, before any shrinking
    var busy = null; // a promise while a photo is being made smaller
    var replacing = false;

    box.classList.add("is-enhanced");
    // The plain label of the camera input is for pages without this script; its button now says the same.
    box.querySelectorAll("[data-file-plain]").forEach(function (label) { label.remove(); });

    function say(text) { if (note) { note.textContent = text || ""; } }
    function show(file) { chosen.textContent = file ? file.name + " (" + size(file.size) + ")" : box.dataset.empty; }

    // Puts `file` in the main input, the one sent, and tells registri.js (its size check listens to change).
    function put(file) {
      if (main.files && main.files[0] === file) { return true; }
      try {
        var transfer = new DataTransfer();
        transfer.items.add(file);
        main.files = transfer.files;
      } catch (error) {
        return false; // an old browser: the file stays where it was chosen
      }
      replacing = true;
      main.dispatchEvent(new Event("change", { bubbles: true }));
      replacing = false;
      return true;
    }

    function process() {
      var file = original;
      say("");
      if (!file) { show(null); if (fullBox) { fullBox.hidden = true; } return Promise.resolve(); }
      var photo = longest > 0 && isPhoto(file);
      if (fullBox) { fullBox.hidden = !photo; }
      if (!photo || (full && full.checked)) {
        if (!put(file)) { show(file); return Promise.resolve(); }
        show(file);
        return Promise.resolve();
      }
      say(box.dataset.scaling);
      chosen.textContent = file.name;
      var work = shrink(file, longest, quality).then(function (smaller) {
        if (original !== file) { return; } // another file was chosen meanwhile
        if (smaller && put(smaller)) {
          show(smaller);
          say(fill(box.dataset.scaled, { size: size(smaller.size), original: size(file.size) }));
        } else {
          put(file);
          show(file);
          say("");
        }
      });
      var tracked = work.then(function () { if (busy === tracked) { busy = null; } });
      busy = tracked;
      return tracked;
    }

    main.addEventListener("change", function () {
      if (replacing) { return; }
      original = main.files && main.files[0] ? main.files[0] : null;
      process();
    });
    if (camera) {
      camera.addEventListener("change", function () {
        if (!camera.files || !camera.files[0]) { return; }
        original = camera.files[0];
        // Sent through the main input from now on; left in both, the photo would go twice.
        process().then(function () { if (main.files && main.files.length) { camera.value = ""; } });
      });
    }
    if (full) { full.addEventListener("change", function () { if (original) { process(); } }); }
    if (main.form) {
      main.form.addEventListener("reset", function () {
        // After the reset has emptied the inputs (registri.js resets the form after an upload).
        window.setTimeout(function () { original = null; process(); }, 0);
      });
    }

    return { form: main.form, pending: function () { return busy; } };
  }

  document.querySelectorAll("[data-file-pick]").forEach(function (box) { pickers.push(FilePick(box)); });

  // A form is sent only once its photos are made smaller (capture phase: before registri.js's upload handler).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var waiting = pickers.filter(function (picker) { return picker.form === form && picker.pending(); })
      .map(function (picker) { return picker.pending(); });
    if (!waiting.length) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    Promise.all(waiting).then(function () {
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    });
  }, true);

  // --- Dates typed as dd/mm/yyyy -----------------------------------------------------------------------------
  function pad(number) { return (number < 10 ? "0" : "") + number; }
  function isoOf(text) {
    var match = /^(\d{1,2})[\/.\- ](\d{1,2})[\/.\- ](\d{4})$/.exec(text.trim());
    if (match) { return match[3] + "-" + pad(+match[2]) + "-" + pad(+match[1]); }
    match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text.trim());
    return match ? match[1] + "-" + pad(+match[2]) + "-" + pad(+match[3]) : "";
  }

  function DayInput(input) {
    // A phone's number pad has no slash: it is added after the day and the month.
    input.addEventListener("input", function (event) {
      if (!event.inputType || event.inputType.indexOf("insert") !== 0) { return; }
      var value = input.value;
      if (input.selectionStart !== value.length) { return; }
      if (/^\d{2}$/.test(value) || /^\d{1,2}\/\d{2}$/.test(value)) {
        input.value = value + "/";
      } else if (/\/\/$/.test(value)) {
        input.value = value.slice(0, -1); // the slash typed after the one added
      }
    });

    var group = input.closest("[data-day-group]");
    if (!group || !("showPicker" in HTMLInputElement.prototype)) { return; }
    var picker = document.createElement("input");
    picker.type = "date";
    picker.tabIndex = -1;
    picker.className = "day-input-picker";
    picker.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary day-input-button";
    button.title = group.dataset.calendarLabel;
    button.setAttribute("aria-label", group.dataset.calendarLabel);
    button.innerHTML = '<svg aria-hidden="true" width="18" height="18" viewBox="0 0 16 16" fill="currentColor">' +
      '<path d="M3.5 0a.5.5 0 0 1 .5.5V1h8V.5a.5.5 0 0 1 1 0V1h1a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H2a2 2 0 0 1-2-2V3a2 2 ' +
      '0 0 1 2-2h1V.5a.5.5 0 0 1 .5-.5M1 4v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V4z"/></svg>';
    group.appendChild(picker);
    group.appendChild(button);
    button.addEventListener("click", function () {
      picker.value = isoOf(input.value);
      try { picker.showPicker(); } catch (error) { picker.focus(); }
    });
    picker.addEventListener("change", function (event) {
      event.stopPropagation(); // the picker has no name: autosave hears the text box instead
      var parts = picker.value.split("-");
      if (parts.length !== 3) { return; }
      input.value = parts[2] + "/" + parts[1] + "/" + parts[0];
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      input.focus();
    });
    picker.addEventListener("input", function (event) { event.stopPropagation(); });
  }

  document.querySelectorAll("input[data-day-input]").forEach(DayInput);

  // --- Checklists: search and count --------------------------------------------------------------------------
  function plain(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
  }

  function Checklist(box) {
    var tools = box.querySelector("[data-choice-tools]");
    var search = box.querySelector("[data-choice-search]");
    var count = box.querySelector("[data-choice-count]");
    var names = box.querySelector("[data-choice-names]");
    var nothing = box.querySelector("[data-choice-nothing]");
    var groups = Array.prototype.slice.call(box.querySelectorAll("[data-choice-group]"));

    function label(option) { return option.querySelector("label").textContent; }
    function legend(group) { var found = group.querySelector("legend"); return found ? found.textContent : ""; }

    function filter() {
      var words = plain(search.value).split(" ").filter(Boolean);
      var shown = 0;
      groups.forEach(function (group) {
        var whole = words.length && words.every(function (word) { return plain(legend(group)).indexOf(word) !== -1; });
        var inGroup = 0;
        group.querySelectorAll("[data-choice-option]").forEach(function (option) {
          var text = plain(label(option));
          var match = whole || words.every(function (word) { return text.indexOf(word) !== -1; });
          option.hidden = !match;
          if (match) { inGroup += 1; }
        });
        group.hidden = inGroup === 0;
        shown += inGroup;
      });
      nothing.hidden = shown > 0;
    }

    function counted() {
      var ticked = Array.prototype.filter.call(box.querySelectorAll("input[type=checkbox]"), function (input) {
        return input.checked;
      }).map(function (input) { return label(input.closest("[data-choice-option]")); });
      count.textContent = fill(box.dataset.countText, { number: ticked.length });
      names.textContent = ticked.length ? ": " + ticked.join(", ") : "";
    }

    tools.hidden = false;
    search.addEventListener("input", function (event) {
      filter();
      // Searching changes nothing to save: the form's autosave (registri.js) must not hear it, or it would count
      // the typing as unsaved and ask before the page is left.
      event.stopPropagation();
    });
    // Enter in the search box would send the whole form.
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
    box.addEventListener("change", function (event) { if (event.target.type === "checkbox") { counted(); } });
    filter();
  }

  document.querySelectorAll("[data-choice-checklist]").forEach(Checklist);
})();
