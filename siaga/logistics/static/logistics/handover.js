/* Siaga — the field handover (serah terima) page, built for a cheap phone and a weak signal.
 *
 * Flow: type the shipment code → fetch the shipment (GET the API) → a form with per-item counts
 * prefilled with the dispatched quantities → submit. A submission first goes into an outbox in
 * IndexedDB (the photo as a Blob) with an idempotency key made once (crypto.randomUUID), and is
 * then sent. Without signal it stays there, shown as "menunggu sinyal", and is sent again when the
 * browser fires `online`, when the page loads, and every 20 s while something waits. A retry
 * reuses the same key, so the server records it once whatever happens to the responses. A refusal
 * by the server (4xx with a message) is shown and never retried.
 *
 * The page passes its configuration through json_script (logistics/views.py handover_config).
 * State for tests and scripts: #handover[data-state] is idle | queued | sending | sent | refused
 * and #handover[data-outbox] is the number of submissions waiting.
 */
(function () {
  "use strict";

  var DB_NAME = "siaga-handover";
  var STORE = "outbox";
  var RETRY_MS = 20000;
  var MAX_PHOTO_BYTES = 8 * 1024 * 1024;
  var RETRYABLE = { 401: true, 408: true, 429: true };

  var cfg = JSON.parse(document.getElementById("handover-config").textContent);
  var S = cfg.strings;
  var root = document.getElementById("handover");
  var el = {
    net: root.querySelector("[data-net]"),
    outbox: root.querySelector("[data-outbox]"),
    lookup: root.querySelector("[data-lookup]"),
    code: root.querySelector("#shipment-code"),
    lookupError: root.querySelector("[data-lookup-error]"),
    form: root.querySelector("[data-handover-form]"),
    summary: root.querySelector("[data-summary]"),
    lines: root.querySelector("[data-lines]"),
    receivedAt: root.querySelector("#received-at"),
    handedBy: root.querySelector("#handed-by"),
    receivedBy: root.querySelector("#received-by"),
    photo: root.querySelector("#photo"),
    gps: root.querySelector("[data-gps]"),
    formError: root.querySelector("[data-form-error]"),
  };
  // The server's clock (the demo plays at H-3) minus the phone's, to prefill "now" correctly.
  var clockOffset = cfg.serverNow ? Date.parse(cfg.serverNow) - Date.now() : 0;
  var current = null; // the shipment being handed over
  var position = null; // {lat, lon} once the browser gave it
  var sent = []; // what this page sent, shown until reload
  var flushing = false;

  // --- Small helpers ----------------------------------------------------------------------

  function text(tag, className, value) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (value != null) node.textContent = value;
    return node;
  }

  function show(node, message) {
    node.textContent = message || "";
    node.hidden = !message;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16); // older browsers: a v4 UUID from getRandomValues
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); });
    return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" + hex.slice(6, 8).join("") +
      "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10).join("");
  }

  function localInputValue(date) {
    var pad = function (n) { return ("0" + n).slice(-2); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function setState(state) {
    root.dataset.state = state;
  }

  // --- The outbox (IndexedDB) -------------------------------------------------------------

  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "key" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function store(mode, action) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var tx = database.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function outboxAll() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function outboxPut(entry) {
    return store("readwrite", function (s) { s.put(entry); });
  }

  function outboxDelete(key) {
    return store("readwrite", function (s) { s.delete(key); });
  }

  // --- Rendering the outbox -----------------------------------------------------------------

  function entryItem(entry) {
    var li = text("li", "outbox-item outbox-" + entry.state);
    li.dataset.key = entry.key;
    li.dataset.state = entry.state;
    var head = text("p", "outbox-title");
    head.appendChild(text("strong", "code", entry.code));
    if (entry.label) head.appendChild(text("span", "", " · " + entry.label));
    li.appendChild(head);
    var message;
    if (entry.state === "sent") {
      message = entry.created === false ? S.alreadySent : S.sent;
    } else if (entry.state === "refused") {
      message = S.refused + ": " + (entry.error || "");
    } else if (entry.state === "sending") {
      message = S.sending;
    } else if (entry.error === "login") {
      message = S.loginNeeded;
    } else {
      message = S.queued;
    }
    li.appendChild(text("p", "outbox-message", message));
    if (entry.state === "sent" && entry.replacements) {
      li.appendChild(text("p", "muted", S.replacements + ": " + entry.replacements));
    }
    if (entry.state === "sent" && cfg.shipmentPageUrl && cfg.mayViewShipment) {
      var link = text("a", "", S.openShipment + " →");
      link.href = cfg.shipmentPageUrl.replace("{code}", encodeURIComponent(entry.code));
      li.appendChild(link);
    }
    if (entry.state === "refused") {
      var dismiss = text("button", "btn-secondary", S.dismiss);
      dismiss.type = "button";
      dismiss.addEventListener("click", function () {
        outboxDelete(entry.key).then(render);
      });
      li.appendChild(dismiss);
    } else if (entry.state === "pending") {
      var retry = text("button", "btn-secondary", S.retry);
      retry.type = "button";
      retry.addEventListener("click", flush);
      li.appendChild(retry);
    }
    return li;
  }

  function render() {
    return outboxAll().then(function (rows) {
      el.outbox.textContent = "";
      var waiting = 0;
      var refused = 0;
      rows.forEach(function (entry) {
        if (entry.state === "refused") refused += 1;
        else waiting += 1;
        el.outbox.appendChild(entryItem(entry));
      });
      sent.forEach(function (entry) { el.outbox.appendChild(entryItem(entry)); });
      root.dataset.outbox = String(waiting);
      if (waiting) setState(flushing ? "sending" : "queued");
      else if (refused) setState("refused");
      else if (sent.length) setState("sent");
      else setState("idle");
    });
  }

  function renderNetwork() {
    var online = navigator.onLine !== false;
    el.net.textContent = online ? S.online : S.offline;
    el.net.className = "net " + (online ? "net-online" : "net-offline");
  }

  // --- Sending ------------------------------------------------------------------------------

  function formData(entry) {
    var data = new FormData();
    data.append("shipment_code", entry.code);
    data.append("idempotency_key", entry.key);
    data.append("received_at", entry.receivedAt);
    data.append("handed_by", entry.handedBy);
    data.append("received_by", entry.receivedBy);
    if (entry.lat != null && entry.lon != null) {
      data.append("lat", String(entry.lat));
      data.append("lon", String(entry.lon));
    }
    data.append("lines", JSON.stringify(entry.lines));
    if (entry.photo) data.append("photo", entry.photo, entry.photoName || "berita-acara.jpg");
    return data;
  }

  function errorDetail(response) {
    return response.json().then(
      function (body) {
        var detail = body && body.detail;
        if (Array.isArray(detail)) {
          return detail.map(function (d) { return d.msg || JSON.stringify(d); }).join("; ");
        }
        return detail ? String(detail) : "HTTP " + response.status;
      },
      function () { return "HTTP " + response.status; }
    );
  }

  /* Send one entry. Resolves to "sent", "refused", "later" (try again) or "offline" (stop). */
  function send(entry) {
    var request;
    try {
      request = fetch(cfg.submitUrl, {
        method: "POST",
        body: formData(entry),
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
    } catch (err) {
      return Promise.resolve("offline");
    }
    return request.then(
      function (response) {
        if (response.ok) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            entry.state = "sent";
            entry.created = response.status === 201;
            entry.replacements = (body && body.replacements && body.replacements.length) || 0;
            entry.photo = null;
            sent.unshift(entry);
            return outboxDelete(entry.key).then(function () { return "sent"; });
          });
        }
        if (response.status >= 500 || RETRYABLE[response.status]) {
          entry.state = "pending";
          entry.error = response.status === 401 ? "login" : "";
          return outboxPut(entry).then(function () { return "later"; });
        }
        return errorDetail(response).then(function (detail) {
          if (response.status === 403 && /csrf/i.test(detail)) {
            entry.state = "pending"; // a stale token after logging in again: not a refusal
            entry.error = "login";
            return outboxPut(entry).then(function () { return "later"; });
          }
          entry.state = "refused";
          entry.error = detail;
          return outboxPut(entry).then(function () { return "refused"; });
        });
      },
      function () {
        entry.state = "pending"; // no signal (or the response was lost): the key makes it safe
        entry.error = "";
        return outboxPut(entry).then(function () { return "offline"; });
      }
    );
  }

  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    return outboxAll()
      .then(function (rows) {
        var pending = rows.filter(function (r) { return r.state !== "refused"; });
        var chain = Promise.resolve("start");
        pending.forEach(function (entry) {
          chain = chain.then(function (last) {
            if (last === "offline") return last; // no signal: keep the rest for later
            entry.state = "sending";
            return render().then(function () { return send(entry); });
          });
        });
        return chain;
      })
      .catch(function (err) {
        if (window.console) console.error("Siaga outbox:", err);
      })
      .then(function () {
        flushing = false;
        return render();
      });
  }

  // --- Looking up a shipment and building the form -------------------------------------------

  function cacheKey(code) {
    return "siaga.shipment." + code;
  }

  function lookup(code) {
    var url = cfg.shipmentUrl.replace("{code}", encodeURIComponent(code));
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (response.status === 404 || response.status === 403) throw new Error("notFound");
        if (!response.ok) throw new Error("lookupError");
        return response.json().then(function (body) {
          try {
            localStorage.setItem(cacheKey(code), JSON.stringify(body));
          } catch (e) { /* a full storage only loses the offline lookup */ }
          return body;
        });
      },
      function () {
        // No signal: a shipment looked up before on this phone can still be handed over.
        var cached = null;
        try {
          cached = JSON.parse(localStorage.getItem(cacheKey(code)) || "null");
        } catch (e) { cached = null; }
        if (cached) return cached;
        throw new Error("lookupOffline");
      }
    );
  }

  function numberInput(name, value, label) {
    var wrap = text("label", "count");
    wrap.appendChild(text("span", "", label));
    var input = document.createElement("input");
    input.type = "number";
    input.min = "0";
    input.step = "1";
    input.inputMode = "numeric";
    input.name = name;
    input.value = String(value);
    input.required = true;
    wrap.appendChild(input);
    return wrap;
  }

  function lineFields(line, index) {
    var box = text("div", "line");
    box.dataset.index = String(index);
    var title = text("p", "line-title");
    title.appendChild(text("strong", "", line.item_name || line.item));
    if (line.tps_label) title.appendChild(text("span", "muted", " · " + line.tps_label));
    title.appendChild(text("span", "line-qty", S.dispatched + " " + line.quantity));
    box.appendChild(title);
    var counts = text("div", "counts-row");
    counts.appendChild(numberInput("received", line.quantity, S.received));
    counts.appendChild(numberInput("damaged", 0, S.damaged));
    counts.appendChild(numberInput("missing", 0, S.missing));
    box.appendChild(counts);
    // What is neither received nor damaged is missing, until the officer says otherwise.
    var received = counts.querySelector("[name=received]");
    var damaged = counts.querySelector("[name=damaged]");
    var missing = counts.querySelector("[name=missing]");
    var missingTouched = false;
    missing.addEventListener("input", function () { missingTouched = true; });
    var update = function () {
      if (missingTouched) return;
      var rest = line.quantity - (parseInt(received.value, 10) || 0) - (parseInt(damaged.value, 10) || 0);
      missing.value = String(Math.max(0, rest));
    };
    received.addEventListener("input", update);
    damaged.addEventListener("input", update);
    return box;
  }

  /* The API's lines, whatever their exact nesting, as {item, item_name, tps_id, tps_label, quantity}. */
  function normaliseLines(shipment) {
    return (shipment.lines || []).map(function (l) {
      var item = l.item && typeof l.item === "object" ? l.item : { code: l.item, name: l.item_name };
      var tps = l.tps && typeof l.tps === "object" ? l.tps : { id: l.tps_id, label: l.tps_label };
      return {
        item: item.code,
        item_name: item.name || l.item_name || item.code,
        tps_id: tps.id != null ? tps.id : null,
        tps_label: tps.label || l.tps_label || "",
        quantity: l.quantity || 0,
      };
    });
  }

  function destinationLabel(shipment) {
    var d = shipment.destination;
    var name = d && typeof d === "object" ? d.name : d || "";
    var tps = shipment.destination_tps;
    if (tps && typeof tps === "object" && tps.label) return tps.label + " · " + name;
    return name;
  }

  function openForm(shipment) {
    current = { code: shipment.code, label: destinationLabel(shipment), lines: normaliseLines(shipment) };
    el.summary.textContent = "";
    el.summary.appendChild(text("p", "code shipment-code", shipment.code));
    if (current.label) el.summary.appendChild(text("p", "", current.label));
    var meta = [shipment.stage_label || shipment.stage, shipment.mode_label || shipment.mode, shipment.status_label || shipment.status]
      .filter(Boolean).join(" · ");
    if (meta) el.summary.appendChild(text("p", "muted", meta));
    el.lines.textContent = "";
    current.lines.forEach(function (line, i) { el.lines.appendChild(lineFields(line, i)); });
    el.receivedAt.value = localInputValue(new Date(Date.now() + clockOffset));
    show(el.formError, "");
    el.form.hidden = false;
    locate();
    el.form.scrollIntoView({ block: "start" });
  }

  function locate() {
    position = null;
    if (!navigator.geolocation) {
      el.gps.textContent = S.gpsUnavailable;
      return;
    }
    el.gps.textContent = S.gpsWaiting;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        position = { lat: pos.coords.latitude, lon: pos.coords.longitude };
        el.gps.textContent = S.gpsOk + ": " + position.lat.toFixed(5) + ", " + position.lon.toFixed(5);
        el.gps.dataset.gps = "ok";
      },
      function () {
        el.gps.textContent = S.gpsDenied;
        el.gps.dataset.gps = "denied";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  function collect() {
    var lines = [];
    var bad = false;
    el.lines.querySelectorAll(".line").forEach(function (box) {
      var line = current.lines[parseInt(box.dataset.index, 10)];
      var value = function (name) {
        var v = box.querySelector("[name=" + name + "]").value;
        var n = parseInt(v, 10);
        if (!/^\d+$/.test(String(v).trim()) || isNaN(n) || n < 0) bad = true;
        return n;
      };
      lines.push({
        item: line.item,
        tps_id: line.tps_id,
        received: value("received"),
        damaged: value("damaged"),
        missing: value("missing"),
      });
    });
    if (bad) throw new Error(S.countsInvalid);
    var handedBy = el.handedBy.value.trim();
    var receivedBy = el.receivedBy.value.trim();
    if (!handedBy || !receivedBy) throw new Error(S.namesRequired);
    var photo = el.photo.files && el.photo.files[0];
    if (photo && photo.size > MAX_PHOTO_BYTES) throw new Error(S.photoTooLarge);
    var when = el.receivedAt.value ? new Date(el.receivedAt.value) : new Date(Date.now() + clockOffset);
    return {
      key: uuid(),
      code: current.code,
      label: current.label,
      receivedAt: when.toISOString(),
      handedBy: handedBy,
      receivedBy: receivedBy,
      lat: position ? position.lat : null,
      lon: position ? position.lon : null,
      lines: lines,
      photo: photo || null,
      photoName: photo ? photo.name : null,
      state: "pending",
      error: "",
      createdAt: Date.now(),
    };
  }

  function resetForm() {
    el.form.reset();
    el.form.hidden = true;
    el.lines.textContent = "";
    el.code.value = "";
    current = null;
  }

  el.lookup.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = el.code.value.trim().toUpperCase();
    if (!code) return;
    el.code.value = code;
    show(el.lookupError, "");
    el.form.hidden = true;
    lookup(code).then(openForm, function (err) {
      show(el.lookupError, S[err.message] || S.lookupError);
    });
  });

  el.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var entry;
    try {
      entry = collect();
    } catch (err) {
      show(el.formError, err.message);
      return;
    }
    show(el.formError, "");
    // Into the outbox first: from here on the submission survives a lost signal or a closed tab.
    outboxPut(entry)
      .then(function () {
        resetForm();
        return render();
      })
      .then(flush)
      .then(function () { window.scrollTo(0, 0); });
  });

  window.addEventListener("online", function () {
    renderNetwork();
    flush();
  });
  window.addEventListener("offline", renderNetwork);
  window.setInterval(function () {
    if (root.dataset.outbox && root.dataset.outbox !== "0" && navigator.onLine !== false) flush();
  }, RETRY_MS);

  if ("serviceWorker" in navigator && root.dataset.swUrl && window.isSecureContext) {
    navigator.serviceWorker.register(root.dataset.swUrl).catch(function () {});
  }

  renderNetwork();
  render().then(flush);
  if (el.code.value) el.lookup.requestSubmit ? el.lookup.requestSubmit() : null;
})();
