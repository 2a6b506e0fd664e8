/* Siaga — a browser outbox for forms sent from places without signal, and drafts.
 *
 * An entry is { key, kind, url, fields, files, label, meta, owner }: `fields` are sent as a
 * multipart form with `idempotency_key` = `key` (also as the Idempotency-Key header), `files` is
 * a list of { field, blob, name }. The entry goes into IndexedDB first (photos as Blobs), so it
 * survives a lost signal, a closed tab or a reboot; then it is sent. The key is made once
 * (crypto.randomUUID, or a v4 UUID from getRandomValues) and reused on every retry, so the
 * server records it once whatever happens to the responses.
 *
 * Outcomes of one send:
 *   2xx with a JSON body          -> sent: removed from the outbox, kept in a short history
 *   no answer, 408/425/429, 5xx   -> pending: retried with backoff, on `online` and on load
 *   401, or 403 about CSRF        -> pending, marked "login" (sent again after logging in)
 *   other 4xx                     -> refused, with the server's message (`detail`, `field`)
 * Entries belong to the account that made them (`owner`): another account's entries are kept
 * and shown, never sent with the wrong session.
 *
 * Usage: var box = SiagaOutbox.open({ name: "siaga-field", owner: 7 });
 *        box.add({ kind, url, fields, files, label, meta }).then(box.flush);
 *        box.subscribe(render); box.all(); box.history(); box.drafts.get("incident");
 */
(function (global) {
  "use strict";

  var RETRYABLE = { 408: true, 425: true, 429: true };
  var HISTORY_KEPT = 30;

  function uuid() {
    var c = global.crypto;
    if (c && typeof c.randomUUID === "function") {
      try { return c.randomUUID(); } catch (e) { /* insecure context: fall through */ }
    }
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); });
    return hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" + hex.slice(6, 8).join("") +
      "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10).join("");
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function backoff(attempts, base, max) {
    var delay = base * Math.pow(2, Math.max(0, attempts - 1));
    return Math.min(max, delay) * (0.8 + Math.random() * 0.4); // jitter: phones do not sync up
  }

  function readStorage(key, fallback) {
    try {
      var raw = global.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) { return fallback; }
  }

  function writeStorage(key, value) {
    try { global.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full */ }
  }

  function open(options) {
    var name = options.name;
    var owner = options.owner == null ? null : String(options.owner);
    var base = options.retryBaseMs || 5000;
    var max = options.retryMaxMs || 5 * 60 * 1000;
    var listeners = [];
    var flushing = false;
    var sending = {}; // key -> true while its request is in flight (shown as "sending")
    var dbPromise = null;
    var historyKey = name + ":history";

    function db() {
      if (!dbPromise) {
        dbPromise = new Promise(function (resolve, reject) {
          var request = global.indexedDB.open(name, 1);
          request.onupgradeneeded = function () {
            var database = request.result;
            if (!database.objectStoreNames.contains("outbox")) {
              database.createObjectStore("outbox", { keyPath: "key" });
            }
            if (!database.objectStoreNames.contains("drafts")) {
              database.createObjectStore("drafts", { keyPath: "name" });
            }
          };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
      }
      return dbPromise;
    }

    function tx(storeName, mode, action) {
      return db().then(function (database) {
        return new Promise(function (resolve, reject) {
          var t = database.transaction(storeName, mode);
          var request = action(t.objectStore(storeName));
          t.oncomplete = function () { resolve(request ? request.result : undefined); };
          t.onerror = function () { reject(t.error); };
          t.onabort = function () { reject(t.error); };
        });
      });
    }

    function notify() {
      listeners.forEach(function (fn) {
        try { fn(); } catch (e) { if (global.console) console.error(e); }
      });
    }

    function all() {
      return tx("outbox", "readonly", function (s) { return s.getAll(); }).then(function (rows) {
        return (rows || []).map(function (row) {
          row.sending = !!sending[row.key];
          row.mine = owner == null || row.owner == null || String(row.owner) === owner;
          return row;
        }).sort(function (a, b) { return a.createdAt - b.createdAt; });
      });
    }

    function put(entry) {
      return tx("outbox", "readwrite", function (s) { return s.put(entry); });
    }

    function remove(key) {
      return tx("outbox", "readwrite", function (s) { return s.delete(key); }).then(function () {
        notify();
      });
    }

    function get(key) {
      return tx("outbox", "readonly", function (s) { return s.get(key); });
    }

    function add(entry) {
      var now = Date.now();
      var row = {
        key: entry.key || uuid(),
        kind: entry.kind || "form",
        url: entry.url,
        fields: entry.fields || {},
        files: entry.files || [],
        label: entry.label || "",
        meta: entry.meta || {},
        owner: owner,
        state: "pending",
        error: "",
        errorField: "",
        attempts: 0,
        nextAt: now,
        createdAt: now,
      };
      return put(row).then(function () {
        notify();
        return row;
      });
    }

    function history() {
      return readStorage(historyKey, []).filter(function (h) {
        return owner == null || h.owner == null || String(h.owner) === owner;
      });
    }

    function remember(entry, body, status) {
      var rows = readStorage(historyKey, []).filter(function (h) { return h.key !== entry.key; });
      rows.unshift({
        key: entry.key,
        kind: entry.kind,
        label: entry.label,
        owner: entry.owner,
        status: status,
        created: status === 201 || (body && body.created !== false && status !== 200),
        ticket: (body && body.ticket) || "",
        id: body && body.id != null ? body.id : null,
        sentAt: Date.now(),
      });
      writeStorage(historyKey, rows.slice(0, HISTORY_KEPT));
    }

    function formData(entry) {
      var data = new FormData();
      Object.keys(entry.fields).forEach(function (k) {
        var value = entry.fields[k];
        if (value === null || value === undefined || value === "") return;
        data.append(k, typeof value === "string" ? value : String(value));
      });
      data.set("idempotency_key", entry.key);
      (entry.files || []).forEach(function (f) {
        if (f && f.blob) data.append(f.field, f.blob, f.name || "lampiran");
      });
      return data;
    }

    function detailOf(response) {
      return response.text().then(function (textBody) {
        var body = null;
        try { body = JSON.parse(textBody); } catch (e) { body = null; }
        if (body && body.detail) {
          var detail = body.detail;
          if (Array.isArray(detail)) {
            detail = detail.map(function (d) {
              var where = d.loc ? d.loc.filter(function (x) { return x !== "form" && x !== "body"; }).join(".") : "";
              return (where ? where + ": " : "") + (d.msg || JSON.stringify(d));
            }).join("; ");
          }
          return { detail: String(detail), field: body.field || "" };
        }
        return { detail: "HTTP " + response.status + (textBody && /csrf/i.test(textBody) ? " CSRF" : ""), field: "" };
      }, function () { return { detail: "HTTP " + response.status, field: "" }; });
    }

    function later(entry, error) {
      entry.state = "pending";
      entry.error = error || "";
      entry.attempts = (entry.attempts || 0) + 1;
      entry.nextAt = Date.now() + backoff(entry.attempts, base, max);
      return put(entry);
    }

    /* Send one entry; resolves to "sent", "refused", "later" or "offline". */
    function send(entry) {
      var request;
      var bytes = (entry.files || []).reduce(function (n, f) { return n + ((f && f.blob && f.blob.size) || 0); }, 0);
      var controller = global.AbortController ? new AbortController() : null;
      // A stalled upload is abandoned (and retried with the same key): about 10 KB/s at worst.
      var timer = controller ? global.setTimeout(function () { controller.abort(); }, 60000 + bytes / 10) : null;
      try {
        request = global.fetch(entry.url, {
          method: "POST",
          body: formData(entry),
          signal: controller ? controller.signal : undefined,
          credentials: "same-origin",
          headers: {
            "X-CSRFToken": csrfToken(),
            "Idempotency-Key": entry.key,
            Accept: "application/json",
          },
        });
      } catch (err) {
        return later(entry, "").then(function () { return "offline"; });
      }
      return request.then(function (response) {
        if (timer) global.clearTimeout(timer);
        if (options.onResponse) options.onResponse(response);
        if (response.ok) {
          return response.text().then(function (textBody) {
            var body = null;
            try { body = JSON.parse(textBody); } catch (e) { body = null; }
            if (!body) return later(entry, "login").then(function () { return "later"; });
            remember(entry, body, response.status);
            return tx("outbox", "readwrite", function (s) { return s.delete(entry.key); })
              .then(function () { return "sent"; });
          });
        }
        if (response.status >= 500 || RETRYABLE[response.status]) {
          return later(entry, "").then(function () { return "later"; });
        }
        return detailOf(response).then(function (info) {
          if (response.status === 401 || (response.status === 403 && /csrf/i.test(info.detail))) {
            return later(entry, "login").then(function () { return "later"; });
          }
          entry.state = "refused";
          entry.error = info.detail;
          entry.errorField = info.field;
          entry.status = response.status;
          return put(entry).then(function () { return "refused"; });
        });
      }, function () {
        if (timer) global.clearTimeout(timer);
        // No signal, or the answer was lost on the way: the key makes a resend safe.
        return later(entry, "").then(function () { return "offline"; });
      });
    }

    function runFlush(force) {
      return all().then(function (rows) {
        var now = Date.now();
        var due = rows.filter(function (r) {
          return r.mine && r.state !== "refused" && (force || !r.nextAt || r.nextAt <= now);
        });
        var chain = Promise.resolve("start");
        due.forEach(function (entry) {
          chain = chain.then(function (last) {
            if (last === "offline") return last; // no signal: the rest waits too
            sending[entry.key] = true;
            notify();
            return send(entry).then(function (outcome) {
              delete sending[entry.key];
              notify();
              return outcome;
            });
          });
        });
        return chain;
      });
    }

    /* Send what is due (all that waits, with force). One flush at a time, across tabs too. */
    function flush(force) {
      force = force === true;
      if (flushing) return Promise.resolve();
      flushing = true;
      var run = function () { return runFlush(force); };
      var locked = global.navigator.locks && global.navigator.locks.request
        ? global.navigator.locks.request(name + ":flush", { ifAvailable: true }, function (lock) {
            return lock ? run() : null;
          })
        : run();
      return Promise.resolve(locked)
        .catch(function (err) { if (global.console) console.error("Siaga outbox:", err); })
        .then(function () {
          flushing = false;
          sending = {};
          notify();
        });
    }

    function nextDue() {
      return all().then(function (rows) {
        var times = rows.filter(function (r) { return r.mine && r.state === "pending"; })
          .map(function (r) { return r.nextAt || 0; });
        return times.length ? Math.min.apply(null, times) : null;
      });
    }

    var drafts = {
      get: function (draftName) {
        return tx("drafts", "readonly", function (s) { return s.get(draftName); })
          .then(function (row) { return row ? row.value : null; });
      },
      put: function (draftName, value) {
        return tx("drafts", "readwrite", function (s) {
          return s.put({ name: draftName, value: value, savedAt: Date.now() });
        });
      },
      remove: function (draftName) {
        return tx("drafts", "readwrite", function (s) { return s.delete(draftName); });
      },
    };

    return {
      add: add,
      all: all,
      get: get,
      remove: remove,
      put: function (entry) { return put(entry).then(notify); },
      flush: flush,
      send: send,
      nextDue: nextDue,
      history: history,
      drafts: drafts,
      subscribe: function (fn) { listeners.push(fn); },
      isFlushing: function () { return flushing; },
    };
  }

  global.SiagaOutbox = { open: open, uuid: uuid, csrfToken: csrfToken };
})(window);
