/* Siaga — the field app (/lapor/lapangan/): incident reports and TPS checklists from a cheap
 * phone, with or without signal.
 *
 * Everything the page needs comes from #field-config (json_script): categories, the TPS of the
 * user's scope (a monitor's assigned TPS preselected), the active checklists, the API URLs and the
 * strings. Forms are saved as drafts in IndexedDB while they are filled in; a submission goes
 * into the outbox (incidents/outbox.js) with its photos and a key made once, then is sent, and is
 * sent again on `online`, on load and with backoff until the server answers.
 *
 * State for tests and scripts: #field[data-state] is idle | queued | sending | sent | refused,
 * #field[data-outbox] the number of this account's submissions waiting, #field[data-sw] is
 * "controlled" once the service worker serves the page, #field[data-mine] is "ready" once the
 * list of recent reports is shown. window.siagaField exposes the outbox.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("field-config").textContent);
  var S = cfg.strings;
  var root = document.getElementById("field");
  var $ = function (selector) { return root.querySelector(selector); };
  var SKEW_KEY = "siaga-field:skew";
  var MINE_KEY = "siaga-field:mine:" + cfg.user.id;
  var DRAFT_DELAY = 400;
  var SHRINK_ABOVE = 1.5 * 1024 * 1024; // photos larger than this are scaled down on the phone
  var SHRINK_EDGE = 2048;

  var el = {
    net: $("[data-net]"),
    outbox: $("[data-outbox-list]"),
    incident: $("#incident-form"),
    category: $("#category"),
    tps: $("#tps"),
    locate: $("#locate"),
    clearGps: $("#clear-gps"),
    gps: $("[data-gps]"),
    occurredAt: $("#occurred-at"),
    severity: $("#severity"),
    description: $("#description"),
    people: $("#people"),
    camera: $("#media-camera"),
    gallery: $("#media-gallery"),
    attachments: $("[data-attachments]"),
    incidentError: $("[data-incident-error]"),
    checklist: $("#checklist-form"),
    template: $("#checklist-template"),
    checklistTps: $("#checklist-tps"),
    items: $("[data-checklist-items]"),
    checklistError: $("[data-checklist-error]"),
    mine: $("[data-my-reports]"),
    mineNote: $("[data-my-reports-note]"),
    draftNote: $("[data-draft-note]"),
  };

  var box = SiagaOutbox.open({
    name: "siaga-field",
    owner: cfg.user.id,
    onResponse: learnSkew,
  });
  var position = null; // {lat, lon, accuracy}
  var attachments = []; // [{blob, name, type}]
  var checklistPhotos = {}; // item key -> {blob, name, type}
  var editingKey = null; // key of a refused incident being corrected (sent again with it)
  var editingChecklistKey = null;
  var sentThisVisit = 0;
  var draftTimer = null;

  // --- Small helpers ------------------------------------------------------------------------

  function node(tag, className, value) {
    var n = document.createElement(tag);
    if (className) n.className = className;
    if (value != null) n.textContent = value;
    return n;
  }

  function show(target, message) {
    if (!target) return;
    target.textContent = message || "";
    target.hidden = !message;
  }

  function option(value, label, selected) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    if (selected) o.selected = true;
    return o;
  }

  /* The deployment's "now" (a demo may play another day), corrected for a wrong phone clock. */
  function skew() {
    var stored = parseFloat(localStorage.getItem(SKEW_KEY));
    if (!isNaN(stored)) return stored;
    return Date.parse(cfg.serverNow) - cfg.clockOffset * 1000 - Date.now();
  }

  function learnSkew(response) {
    var header = response && response.headers && response.headers.get("Date");
    var server = header ? Date.parse(header) : NaN;
    if (!isNaN(server)) {
      try { localStorage.setItem(SKEW_KEY, String(server - Date.now())); } catch (e) { /* full */ }
    }
  }

  function deploymentNow() {
    return new Date(Date.now() + skew() + cfg.clockOffset * 1000);
  }

  function localInputValue(date) {
    var pad = function (n) { return ("0" + n).slice(-2); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  /* A time the phone measured (Date.now()), shown on the deployment's clock like the rest. */
  function onDeploymentClock(ms) {
    return ms + skew() + cfg.clockOffset * 1000;
  }

  function formatWhen(value) {
    var date = typeof value === "number" ? new Date(value) : new Date(Date.parse(value));
    if (isNaN(date.getTime())) return "";
    try {
      return date.toLocaleString("id-ID", { dateStyle: "medium", timeStyle: "short" });
    } catch (e) { return date.toLocaleString(); }
  }

  function tpsById(id) {
    for (var i = 0; i < cfg.tps.length; i++) if (String(cfg.tps[i].id) === String(id)) return cfg.tps[i];
    return null;
  }

  function tpsLabel(id) {
    var t = tpsById(id);
    return t ? t.label + " · " + t.desaName : "";
  }

  function categoryName(code) {
    for (var i = 0; i < cfg.categories.length; i++) if (cfg.categories[i].code === code) return cfg.categories[i].name;
    return code;
  }

  // --- Selects from the embedded JSON ---------------------------------------------------------

  function fillTps(select) {
    var preselect = cfg.assignedTps.length ? cfg.assignedTps[0] : (cfg.tps.length === 1 ? cfg.tps[0].id : null);
    select.textContent = "";
    if (preselect == null) select.appendChild(option("", "— " + select.dataset.placeholder + " —"));
    var groups = {};
    var order = [];
    cfg.tps.forEach(function (t) {
      var label = t.desaName + (t.kecamatanName ? " (" + t.kecamatanName + ")" : "");
      if (!groups[label]) { groups[label] = document.createElement("optgroup"); groups[label].label = label; order.push(label); }
      groups[label].appendChild(option(String(t.id), t.label + " · " + t.desaName, t.id === preselect));
    });
    order.forEach(function (label) { select.appendChild(groups[label]); });
  }

  function fillSelects() {
    el.category.appendChild(option("", "— " + el.category.dataset.placeholder + " —"));
    cfg.categories.forEach(function (c) { el.category.appendChild(option(c.code, c.name)); });
    fillTps(el.tps);
    if (el.checklistTps) fillTps(el.checklistTps);
    if (el.template && cfg.checklists) {
      cfg.checklists.forEach(function (t, i) {
        el.template.appendChild(option(String(t.id), t.phaseLabel + " — " + t.title, i === 0));
      });
    }
    updateSeverityHint();
  }

  function updateSeverityHint() {
    var first = el.severity.querySelector("option[value='']");
    if (!first) return;
    var code = el.category.value;
    var found = null;
    cfg.categories.forEach(function (c) { if (c.code === code) found = c; });
    var label = first.dataset.label;
    if (found) {
      cfg.severities.forEach(function (s) { if (s[0] === found.severity) label += " (" + s[1] + ")"; });
    }
    first.textContent = label;
  }

  // --- Network state and tabs ---------------------------------------------------------------

  function renderNetwork() {
    var online = navigator.onLine !== false;
    el.net.textContent = online ? S.online : S.offline;
    el.net.className = "net " + (online ? "net-online" : "net-offline");
  }

  function showTab(name) {
    root.querySelectorAll("[data-tab]").forEach(function (section) {
      section.hidden = section.dataset.tab !== name;
    });
    root.querySelectorAll("[data-tab-button]").forEach(function (button) {
      button.setAttribute("aria-selected", button.dataset.tabButton === name ? "true" : "false");
    });
  }

  root.querySelectorAll("[data-tab-button]").forEach(function (button) {
    button.addEventListener("click", function () { showTab(button.dataset.tabButton); });
  });

  // --- Location -------------------------------------------------------------------------------

  function renderPosition() {
    if (position) {
      el.gps.textContent = S.gpsOk + ": " + position.lat.toFixed(5) + ", " + position.lon.toFixed(5) +
        (position.accuracy ? " (±" + Math.round(position.accuracy) + " m)" : "");
      el.gps.dataset.gps = "ok";
      el.clearGps.hidden = false;
    } else {
      el.clearGps.hidden = true;
    }
  }

  el.locate.addEventListener("click", function () {
    if (!navigator.geolocation) {
      el.gps.textContent = S.gpsUnavailable;
      el.gps.dataset.gps = "unavailable";
      return;
    }
    el.gps.textContent = S.gpsWaiting;
    el.gps.dataset.gps = "waiting";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        position = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy };
        renderPosition();
        saveDraftSoon();
      },
      function () {
        el.gps.textContent = S.gpsDenied;
        el.gps.dataset.gps = "denied";
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
    );
  });

  el.clearGps.addEventListener("click", function () {
    position = null;
    el.gps.textContent = "";
    delete el.gps.dataset.gps;
    renderPosition();
    saveDraftSoon();
  });

  // --- Attachments ----------------------------------------------------------------------------

  /* A large photo is scaled down on the phone: a weak signal carries 300 KB, not 6 MB. */
  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size <= SHRINK_ABOVE || !window.createImageBitmap) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, SHRINK_EDGE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(blob && blob.size < file.size ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file);
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  function renderAttachments() {
    el.attachments.textContent = "";
    attachments.forEach(function (a, i) {
      var li = node("li", "attachment");
      li.appendChild(node("span", "", a.name +
        " (" + Math.max(1, Math.round(a.blob.size / 1024)) + " KB)"));
      var remove = node("button", "btn-secondary btn-small", S.removeFile);
      remove.type = "button";
      remove.addEventListener("click", function () {
        attachments.splice(i, 1);
        renderAttachments();
        saveDraftSoon();
      });
      li.appendChild(remove);
      el.attachments.appendChild(li);
    });
  }

  function addFiles(input) {
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";
    show(el.incidentError, "");
    var work = Promise.resolve();
    files.forEach(function (file) {
      work = work.then(function () {
        if (attachments.length >= cfg.maxMedia) { show(el.incidentError, S.tooManyFiles); return; }
        return shrink(file).then(function (ready) {
          if (ready.size > cfg.maxFileBytes) { show(el.incidentError, S.fileTooLarge); return; }
          attachments.push({ blob: ready, name: ready.name || file.name, type: ready.type || file.type || "" });
        });
      });
    });
    work.then(function () { renderAttachments(); saveDraftSoon(); });
  }

  el.camera.addEventListener("change", function () { addFiles(el.camera); });
  el.gallery.addEventListener("change", function () { addFiles(el.gallery); });

  // --- Drafts ---------------------------------------------------------------------------------

  function incidentSnapshot() {
    return {
      category: el.category.value,
      tps: el.tps.value,
      occurredAt: el.occurredAt.value,
      severity: el.severity.value,
      description: el.description.value,
      people: el.people.value,
      position: position,
      attachments: attachments,
      key: editingKey,
    };
  }

  function incidentIsEmpty(s) {
    return !s.description.trim() && !s.people.trim() && !s.category && !s.attachments.length;
  }

  function restoreIncident(s) {
    if (s.category) el.category.value = s.category;
    if (s.tps && tpsById(s.tps)) el.tps.value = s.tps;
    if (s.occurredAt) el.occurredAt.value = s.occurredAt;
    el.severity.value = s.severity || "";
    el.description.value = s.description || "";
    el.people.value = s.people || "";
    position = s.position || null;
    attachments = (s.attachments || []).filter(function (a) { return a && a.blob; });
    editingKey = s.key || null;
    renderPosition();
    renderAttachments();
    updateSeverityHint();
  }

  function checklistSnapshot() {
    if (!el.checklist) return null;
    return {
      template: el.template.value,
      tps: el.checklistTps.value,
      answers: checklistAnswers(false).answers,
      photos: checklistPhotos,
      key: editingChecklistKey,
    };
  }

  function saveDrafts() {
    var s = incidentSnapshot();
    var work = incidentIsEmpty(s) ? box.drafts.remove("incident") : box.drafts.put("incident", s);
    var c = checklistSnapshot();
    if (c) {
      var empty = !Object.keys(c.answers).length && !Object.keys(c.photos).length;
      work = work.then(function () {
        return empty ? box.drafts.remove("checklist") : box.drafts.put("checklist", c);
      });
    }
    return work.then(function () {
      show(el.draftNote, S.draftSaved + " · " + formatWhen(onDeploymentClock(Date.now())));
    }).catch(function () { /* a draft is a convenience; the outbox reports real failures */ });
  }

  function saveDraftSoon() {
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(saveDrafts, DRAFT_DELAY);
  }

  el.incident.addEventListener("input", saveDraftSoon);
  el.incident.addEventListener("change", function (event) {
    if (event.target === el.category) updateSeverityHint();
    saveDraftSoon();
  });

  // --- Submitting an incident -----------------------------------------------------------------

  function collectIncident() {
    var category = el.category.value;
    var tps = el.tps.value;
    var description = el.description.value.trim();
    if (!category) throw new Error(S.categoryRequired);
    if (!tps && !position) throw new Error(S.placeRequired);
    if (description.length < 5) throw new Error(S.descriptionRequired);
    var when = el.occurredAt.value ? new Date(el.occurredAt.value) : deploymentNow();
    if (isNaN(when.getTime())) when = deploymentNow();
    if (when.getTime() > deploymentNow().getTime() + 10 * 60 * 1000) throw new Error(S.futureTime);
    return {
      key: editingKey || SiagaOutbox.uuid(),
      kind: "incident",
      url: cfg.urls.submit,
      fields: {
        category: category,
        tps: tps,
        lat: position ? position.lat.toFixed(6) : "",
        lon: position ? position.lon.toFixed(6) : "",
        occurred_at: when.toISOString(),
        severity: el.severity.value,
        description: description,
        people_involved: el.people.value.trim(),
      },
      files: attachments.map(function (a) { return { field: "media", blob: a.blob, name: a.name }; }),
      label: categoryName(category) + (tps ? " · " + tpsLabel(tps) : ""),
      meta: { form: incidentSnapshot() },
    };
  }

  function resetIncident() {
    el.incident.reset();
    position = null;
    attachments = [];
    editingKey = null;
    el.gps.textContent = "";
    delete el.gps.dataset.gps;
    fillTpsDefault(el.tps);
    el.occurredAt.value = localInputValue(deploymentNow());
    renderPosition();
    renderAttachments();
    updateSeverityHint();
  }

  function fillTpsDefault(select) {
    var preselect = cfg.assignedTps.length ? cfg.assignedTps[0] : (cfg.tps.length === 1 ? cfg.tps[0].id : "");
    select.value = String(preselect);
  }

  el.incident.addEventListener("submit", function (event) {
    event.preventDefault();
    var entry;
    try {
      entry = collectIncident();
    } catch (err) {
      show(el.incidentError, err.message);
      return;
    }
    show(el.incidentError, "");
    // Into the outbox first: from here on the report survives a lost signal or a closed tab.
    box.add(entry)
      .then(function () {
        resetIncident();
        return box.drafts.remove("incident");
      })
      .then(function () {
        show(el.draftNote, "");
        window.scrollTo(0, 0);
        return box.flush(true);
      }, function (err) {
        if (window.console) console.error(err);
        show(el.incidentError, S.storageError);
      });
  });

  // --- The checklist tab ----------------------------------------------------------------------

  function currentTemplate() {
    if (!cfg.checklists || !el.template) return null;
    for (var i = 0; i < cfg.checklists.length; i++) {
      if (String(cfg.checklists[i].id) === el.template.value) return cfg.checklists[i];
    }
    return null;
  }

  function itemField(item, saved) {
    var wrap = node("div", "field checklist-item");
    wrap.dataset.key = item.key;
    wrap.dataset.kind = item.kind;
    var id = "item-" + item.key;
    var label = node(item.kind === "yes_no" ? "p" : "label", "item-label", item.label);
    if (item.kind !== "yes_no") label.setAttribute("for", id);
    if (item.required) label.appendChild(node("span", "req", " *"));
    wrap.appendChild(label);
    if (item.help) wrap.appendChild(node("p", "muted help", item.help));
    var input;
    if (item.kind === "yes_no") {
      var row = node("div", "yes-no");
      [["ya", S.yes], ["tidak", S.no]].forEach(function (pair) {
        var choice = node("label", "choice");
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = id;
        radio.value = pair[0];
        if (saved === pair[0]) radio.checked = true;
        choice.appendChild(radio);
        choice.appendChild(node("span", "", pair[1]));
        row.appendChild(choice);
      });
      wrap.appendChild(row);
      return wrap;
    }
    if (item.kind === "photo") {
      input = document.createElement("input");
      input.type = "file";
      input.accept = "image/*";
      input.setAttribute("capture", "environment");
      input.id = id;
      var status = node("p", "muted photo-status", checklistPhotos[item.key] ? checklistPhotos[item.key].name : "");
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        input.value = "";
        if (!file) return;
        shrink(file).then(function (ready) {
          if (ready.size > cfg.maxFileBytes) { show(el.checklistError, S.fileTooLarge); return; }
          checklistPhotos[item.key] = { blob: ready, name: ready.name || file.name, type: ready.type };
          status.textContent = checklistPhotos[item.key].name;
          saveDraftSoon();
        });
      });
      wrap.appendChild(input);
      wrap.appendChild(status);
      return wrap;
    }
    if (item.kind === "text") {
      input = document.createElement("textarea");
      input.rows = 2;
      input.maxLength = 1000;
    } else {
      input = document.createElement("input");
      input.type = item.kind === "number" ? "number" : item.kind === "time" ? "time" : "text";
      if (item.kind === "number") { input.inputMode = "numeric"; input.min = "0"; input.step = "1"; }
    }
    input.id = id;
    input.name = id;
    if (saved != null) input.value = saved;
    wrap.appendChild(input);
    return wrap;
  }

  function renderChecklist(saved) {
    if (!el.items) return;
    var template = currentTemplate();
    el.items.textContent = "";
    if (!template) return;
    template.items.forEach(function (item) {
      el.items.appendChild(itemField(item, saved ? saved[item.key] : null));
    });
  }

  /* The answers as {key: value}; with `strict`, throws naming the first required item left. */
  function checklistAnswers(strict) {
    var template = currentTemplate();
    var answers = {};
    if (!template) return { answers: answers };
    template.items.forEach(function (item) {
      var wrap = el.items.querySelector('[data-key="' + item.key + '"]');
      if (!wrap) return;
      var value = "";
      if (item.kind === "yes_no") {
        var checked = wrap.querySelector("input:checked");
        value = checked ? checked.value : "";
      } else if (item.kind === "photo") {
        value = checklistPhotos[item.key] ? "photo" : "";
      } else {
        var input = wrap.querySelector("input, textarea");
        value = input ? input.value.trim() : "";
      }
      if (strict && item.required && !value) throw new Error(S.answerRequired + ": " + item.label);
      if (value && item.kind !== "photo") answers[item.key] = value;
    });
    return { answers: answers, template: template };
  }

  function collectChecklist() {
    var tps = el.checklistTps.value;
    if (!tps) throw new Error(S.tpsRequired);
    var result = checklistAnswers(true);
    var template = result.template;
    var files = [];
    template.items.forEach(function (item) {
      var photo = checklistPhotos[item.key];
      if (item.kind === "photo" && photo) files.push({ field: "photo__" + item.key, blob: photo.blob, name: photo.name });
    });
    return {
      key: editingChecklistKey || SiagaOutbox.uuid(),
      kind: "checklist",
      url: cfg.urls.checklistSubmit,
      fields: {
        tps: tps,
        template: String(template.id),
        answers: JSON.stringify(result.answers),
        answered_at: deploymentNow().toISOString(),
      },
      files: files,
      label: template.title + " · " + tpsLabel(tps),
      meta: { form: checklistSnapshot() },
    };
  }

  function restoreChecklist(s) {
    if (!el.checklist || !s) return;
    if (s.template && el.template.querySelector('option[value="' + s.template + '"]')) el.template.value = s.template;
    if (s.tps && tpsById(s.tps)) el.checklistTps.value = s.tps;
    checklistPhotos = s.photos || {};
    editingChecklistKey = s.key || null;
    renderChecklist(s.answers || {});
  }

  if (el.checklist) {
    el.template.addEventListener("change", function () { checklistPhotos = {}; renderChecklist(null); saveDraftSoon(); });
    el.checklist.addEventListener("input", saveDraftSoon);
    el.checklist.addEventListener("change", saveDraftSoon);
    el.checklist.addEventListener("submit", function (event) {
      event.preventDefault();
      var entry;
      try {
        entry = collectChecklist();
      } catch (err) {
        show(el.checklistError, err.message);
        return;
      }
      show(el.checklistError, "");
      box.add(entry)
        .then(function () {
          checklistPhotos = {};
          editingChecklistKey = null;
          renderChecklist(null);
          return box.drafts.remove("checklist");
        })
        .then(function () {
          window.scrollTo(0, 0);
          return box.flush(true);
        }, function () { show(el.checklistError, S.storageError); });
    });
  }

  // --- The outbox list ------------------------------------------------------------------------

  function fix(key) {
    box.get(key).then(function (entry) {
      if (!entry || !entry.meta || !entry.meta.form) return;
      var form = entry.meta.form;
      if (entry.kind === "checklist") {
        form.key = entry.key;
        restoreChecklist(form);
        showTab("checklist");
        show(el.checklistError, entry.error);
      } else {
        form.key = entry.key;
        restoreIncident(form);
        showTab("incident");
        show(el.incidentError, entry.error);
      }
      return box.remove(key).then(saveDrafts).then(function () {
        (entry.kind === "checklist" ? el.checklist : el.incident).scrollIntoView({ block: "start" });
      });
    });
  }

  function entryItem(entry) {
    var state = entry.state === "refused" ? "refused" : entry.sending ? "sending" : entry.mine ? "pending" : "other";
    var li = node("li", "outbox-item outbox-" + state);
    li.dataset.key = entry.key;
    li.dataset.state = state;
    li.dataset.kind = entry.kind;
    var head = node("p", "outbox-title");
    head.appendChild(node("strong", "", entry.kind === "checklist" ? S.checklist : S.incident));
    if (entry.label) head.appendChild(node("span", "", " · " + entry.label));
    li.appendChild(head);
    var message;
    if (state === "refused") message = S.refused + ": " + (entry.error || "");
    else if (state === "sending") message = S.sending;
    else if (state === "other") message = S.otherUser;
    else if (entry.error === "login") message = S.loginNeeded;
    else message = S.queued;
    li.appendChild(node("p", "outbox-message", message));
    li.appendChild(node("p", "muted outbox-when", formatWhen(onDeploymentClock(entry.createdAt))));
    if (state === "refused") {
      var again = node("button", "btn-secondary", S.fix);
      again.type = "button";
      again.addEventListener("click", function () { fix(entry.key); });
      li.appendChild(again);
      var dismiss = node("button", "btn-secondary", S.dismiss);
      dismiss.type = "button";
      dismiss.addEventListener("click", function () { box.remove(entry.key); });
      li.appendChild(dismiss);
    } else if (state === "pending") {
      var retry = node("button", "btn-secondary", S.retry);
      retry.type = "button";
      retry.addEventListener("click", function () { box.flush(true); });
      li.appendChild(retry);
    }
    return li;
  }

  function sentItem(h) {
    var li = node("li", "outbox-item outbox-sent");
    li.dataset.key = h.key;
    li.dataset.state = "sent";
    li.dataset.kind = h.kind;
    var head = node("p", "outbox-title");
    head.appendChild(node("strong", "", h.kind === "checklist" ? S.checklist : S.incident));
    if (h.label) head.appendChild(node("span", "", " · " + h.label));
    li.appendChild(head);
    var message = h.kind === "checklist" ? S.checklistSent : (h.created ? S.sent : S.alreadySent);
    li.appendChild(node("p", "outbox-message", message));
    if (h.ticket) {
      var ticket = node("p", "ticket");
      ticket.appendChild(node("span", "muted", S.ticket + " "));
      ticket.appendChild(node("strong", "code", h.ticket));
      li.appendChild(ticket);
    }
    li.appendChild(node("p", "muted outbox-when", formatWhen(onDeploymentClock(h.sentAt))));
    return li;
  }

  var rendering = null;
  var renderAgain = false;
  function render() {
    if (rendering) { renderAgain = true; return rendering; }
    rendering = box.all().then(function (rows) {
      el.outbox.textContent = "";
      var waiting = 0, refused = 0, sendingNow = 0;
      rows.forEach(function (entry) {
        if (entry.state === "refused") refused += 1;
        else if (entry.mine) waiting += 1;
        if (entry.sending) sendingNow += 1;
        el.outbox.appendChild(entryItem(entry));
      });
      var history = box.history();
      history.slice(0, 10).forEach(function (h) { el.outbox.appendChild(sentItem(h)); });
      if (!rows.length && !history.length) el.outbox.appendChild(node("li", "muted outbox-empty", S.outboxEmpty));
      root.dataset.outbox = String(waiting);
      root.dataset.sent = String(history.length);
      if (sendingNow) root.dataset.state = "sending";
      else if (waiting) root.dataset.state = "queued";
      else if (refused) root.dataset.state = "refused";
      else if (sentThisVisit) root.dataset.state = "sent";
      else root.dataset.state = "idle";
    }).catch(function (err) {
      if (window.console) console.error(err);
    }).then(function () {
      rendering = null;
      if (renderAgain) { renderAgain = false; return render(); }
    });
    return rendering;
  }

  var lastSent = box.history().length ? box.history()[0].key : null;
  box.subscribe(function () {
    var history = box.history();
    if (history.length && history[0].key !== lastSent) {
      lastSent = history[0].key;
      sentThisVisit += 1;
      loadMine();
    }
    render();
  });

  // --- My recent reports ----------------------------------------------------------------------

  function renderMine(data, offline) {
    el.mine.textContent = "";
    var items = (data && data.items) || [];
    if (!items.length) el.mine.appendChild(node("li", "muted", S.myReportsEmpty));
    items.forEach(function (i) {
      var li = node("li", "mine-item state-" + i.state);
      li.dataset.ticket = i.ticket;
      var head = node("p", "mine-head");
      head.appendChild(node("strong", "code", i.ticket));
      head.appendChild(node("span", "state-badge state-" + i.state, i.state_label));
      li.appendChild(head);
      li.appendChild(node("p", "", i.category_name + " · " + (i.tps_label ? i.tps_label + " · " : "") + (i.region ? i.region.name : "")));
      li.appendChild(node("p", "muted", formatWhen(i.received_at)));
      el.mine.appendChild(li);
    });
    var note = "";
    if (offline && data) note = S.myReportsOffline + " (" + formatWhen(onDeploymentClock(data.fetchedAt)) + ")";
    else if (data) note = S.myReportsUpdated + " " + formatWhen(onDeploymentClock(data.fetchedAt));
    show(el.mineNote, note);
    root.dataset.mine = "ready";
  }

  function loadMine() {
    var cached = null;
    try { cached = JSON.parse(localStorage.getItem(MINE_KEY) || "null"); } catch (e) { cached = null; }
    if (navigator.onLine === false) { renderMine(cached, true); return Promise.resolve(); }
    return fetch(cfg.urls.list, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        learnSkew(response);
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        var data = { items: body.items || [], fetchedAt: Date.now() };
        try { localStorage.setItem(MINE_KEY, JSON.stringify(data)); } catch (e) { /* full */ }
        renderMine(data, false);
      })
      .catch(function () { renderMine(cached, true); });
  }

  // --- Start ----------------------------------------------------------------------------------

  window.addEventListener("online", function () {
    renderNetwork();
    box.flush(true);
    loadMine();
  });
  window.addEventListener("offline", renderNetwork);
  // Backoff: every few seconds, send what is due (the outbox knows each entry's next attempt).
  window.setInterval(function () {
    if (navigator.onLine === false || box.isFlushing()) return;
    box.nextDue().then(function (due) {
      if (due != null && due <= Date.now()) box.flush(false);
    });
  }, 3000);

  if ("serviceWorker" in navigator && root.dataset.swUrl && window.isSecureContext) {
    var markControlled = function () {
      if (navigator.serviceWorker.controller) root.dataset.sw = "controlled";
    };
    navigator.serviceWorker.addEventListener("controllerchange", markControlled);
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope })
      .then(markControlled)
      .catch(function () { root.dataset.sw = "failed"; });
    markControlled();
  }
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().catch(function () {}); // ask the browser not to evict the outbox
  }

  window.siagaField = { outbox: box, render: render, loadMine: loadMine, deploymentNow: deploymentNow };

  fillSelects();
  el.occurredAt.value = localInputValue(deploymentNow());
  renderNetwork();
  var startTab = window.location.hash === "#daftar-periksa" && el.checklist ? "checklist" : "incident";
  showTab(startTab);
  box.drafts.get("incident")
    .then(function (draft) {
      if (draft && !incidentIsEmpty(draft)) {
        restoreIncident(draft);
        show(el.draftNote, S.draftRestored);
      }
      return el.checklist ? box.drafts.get("checklist") : null;
    })
    .then(function (draft) {
      if (el.checklist) {
        if (draft) restoreChecklist(draft);
        else renderChecklist(null);
      }
    })
    .catch(function () { if (el.checklist) renderChecklist(null); })
    .then(render)
    .then(function () { return box.flush(true); })
    .then(loadMine);
})();
