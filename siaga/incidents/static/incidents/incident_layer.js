/* Siaga incident reports on maps.
 *
 * 1. The "Insiden" overlay of the situation-room map (siaga/map.js draws the map and fires
 *    "siaga:map-ready"). On by default; it fetches GET /api/v1/incidents/layer?hours=…&region=…
 *    (plus the category and state chosen in its filter) and refreshes every 30 s while switched
 *    on and the tab is visible, updating markers in place (an open popup stays open). Markers are
 *    coloured by severity; the popup gives the ticket, the category, the state and a link to the
 *    report. Under its checkbox, two labelled selects (Kategori, Status) narrow the layer; a
 *    change reloads it at once. Configuration and translated strings: the JSON script
 *    #siaga-incident-config (incidents/_layer_config.html); the categories come from
 *    GET /api/v1/incidents/categories. State for tests and other scripts: data-incidents
 *    ("loading", "ready", "error", "off"), data-incident-count and data-incident-filter (the
 *    query string of the filter in force) on the map element, and window.siagaMap.incidents.
 *    The toggle, the refresh and that state are siaga/live_layer.js's, shared with the other
 *    layers.
 * 2. The small map of one report's page: [data-incident-map] names a JSON script with the
 *    point (lat, lon, label, severity, tileUrl, tileAttribution). That page loads Leaflet and
 *    this script only, not live_layer.js.
 */
(function () {
  "use strict";

  var COLORS = { rendah: "#64748b", sedang: "#eab308", tinggi: "#f97316", kritis: "#dc2626" };
  var RANK = { rendah: 0, sedang: 1, tinggi: 2, kritis: 3 };
  var PANE = "siagaIncidents";
  // The states a report on the map may be in (merged duplicates are not drawn).
  var FILTER_STATES = ["diterima", "diverifikasi", "ditindaklanjuti", "selesai", "ditolak"];

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function markerStyle(point) {
    var rank = RANK[point.severity] || 0;
    return {
      pane: PANE,
      radius: 6 + rank * 2,
      color: "#ffffff",
      weight: 2,
      fillColor: COLORS[point.severity] || COLORS.rendah,
      fillOpacity: point.state === "selesai" || point.state === "ditolak" ? 0.45 : 0.95,
      className: "incident-marker incident-" + point.severity,
    };
  }

  function popupHtml(cfg, p, formatWhen) {
    var url = cfg.detailUrl.replace("TICKET", encodeURIComponent(p.ticket));
    return (
      '<div class="map-popup incident-popup"><strong class="code">' + escapeHtml(p.ticket) +
      "</strong><br>" + escapeHtml(p.category_name) + " · " + escapeHtml(p.region) + "<br>" +
      '<span class="sev sev-' + escapeHtml(p.severity) + '">' +
      escapeHtml(cfg.severity[p.severity] || p.severity) + "</span> " +
      '<span class="state state-' + escapeHtml(p.state) + '">' +
      escapeHtml(cfg.states[p.state] || p.state) + "</span><br>" +
      escapeHtml(formatWhen(p.occurred_at)) + '<br><a href="' + url + '">' +
      escapeHtml(cfg.strings.open) + " →</a></div>"
    );
  }

  function legendHtml(cfg, points) {
    var counts = { rendah: 0, sedang: 0, tinggi: 0, kritis: 0 };
    points.forEach(function (p) { counts[p.severity] = (counts[p.severity] || 0) + 1; });
    var html = "<div>" + escapeHtml(cfg.strings.shown) + ": " + points.length + "</div>";
    ["kritis", "tinggi", "sedang", "rendah"].forEach(function (s) {
      html += '<div><span class="swatch" style="background:' + COLORS[s] +
        ';border-radius:50%"></span>' + escapeHtml(cfg.severity[s] || s) + " " + counts[s] +
        "</div>";
    });
    return html;
  }

  /* The filter's markup: a fieldset of two labelled selects, categories filled in later. */
  function filterHtml(cfg) {
    var S = cfg.strings;
    var states = '<option value="">' + escapeHtml(S.all) + "</option>";
    FILTER_STATES.forEach(function (state) {
      states += '<option value="' + state + '">' + escapeHtml(cfg.states[state] || state) +
        "</option>";
    });
    return (
      '<legend class="visually-hidden">' + escapeHtml(S.filter) + "</legend>" +
      '<label style="font-weight:400;justify-content:space-between">' +
      escapeHtml(S.category) + ' <select data-incidents-filter="category" style="max-width:9rem">' +
      '<option value="">' + escapeHtml(S.all) + "</option></select></label>" +
      '<label style="font-weight:400;justify-content:space-between;margin-top:.2rem">' +
      escapeHtml(S.state) + ' <select data-incidents-filter="state" style="max-width:9rem">' +
      states + "</select></label>"
    );
  }

  function addIncidentLayer(map, el, region) {
    var cfg = readJson("siaga-incident-config");
    var U = window.siagaLayerUtils;
    if (!cfg || !U || !window.siagaLiveLayer || el.dataset.incidents) return;
    var base = cfg.api.replace(/openapi\.json$/, "");
    var fixed = "hours=" + encodeURIComponent(cfg.hours || 24) +
      (region ? "&region=" + encodeURIComponent(region) : "");
    var chosen = { category: "", state: "" };

    /* The filter in force as a query string: "category=kekerasan&state=diterima", or "". */
    function filterQuery() {
      var params = new URLSearchParams();
      Object.keys(chosen).forEach(function (name) {
        if (chosen[name]) params.set(name, chosen[name]);
      });
      return params.toString();
    }

    // live_layer.js reads options.url at every load and never overlaps two loads: the URL
    // remembers the filter it was asked with, which is the filter of the next answer drawn.
    var requested = "";
    var layerUrl = {
      toString: function () {
        requested = filterQuery();
        return base + "incidents/layer?" + fixed + (requested ? "&" + requested : "");
      },
    };
    var reload = function () {}; // set once the layer exists

    var options = {
      map: map,
      el: el,
      name: "incidents",
      countKey: "incidentCount",
      url: layerUrl,
      refreshSeconds: cfg.refreshSeconds || 30,
      on: true,
      strings: cfg.strings,
      pane: PANE,
      zIndex: 640, // above the TPS markers and the media layer, below tooltips and popups
      key: function (p) { return p.ticket; },
      style: markerStyle,
      popup: function (p) { return popupHtml(cfg, p, U.formatWhen); },
      tooltip: function (p) { return escapeHtml(p.ticket + " · " + p.category_name); },
      summary: function () {
        el.dataset.incidentFilter = requested; // the filter of the markers now drawn
        return { filter: requested };
      },
      legend: function (points) {
        // An answer to a load under way when the filter changed: load again once it is drawn.
        if (requested !== filterQuery()) window.setTimeout(reload, 0);
        return legendHtml(cfg, points);
      },
    };
    if (!window.siagaLiveLayer(options)) return;

    var toggle = map.getContainer().querySelector("[data-incidents-toggle]");
    var box = toggle.closest(".map-toggle");
    var fieldset = L.DomUtil.create("fieldset", "incident-filters");
    fieldset.setAttribute("data-incidents-filters", "");
    fieldset.style.cssText = "border:0;margin:.3rem 0 0;padding:0;min-width:0";
    fieldset.innerHTML = filterHtml(cfg);
    box.insertBefore(fieldset, box.querySelector("[data-incidents-legend]"));
    var selects = fieldset.querySelectorAll("select");

    fetch(base + "incidents/categories", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (categories) {
        var select = fieldset.querySelector('[data-incidents-filter="category"]');
        categories.forEach(function (c) {
          var option = document.createElement("option");
          option.value = c.code;
          option.textContent = c.name;
          select.appendChild(option);
        });
      })
      .catch(function (err) {
        if (window.console) console.error("Siaga incident categories:", err);
      });

    // Switching the layer off and on again makes live_layer.js load at once (unless a load is
    // under way: its answer, with the previous filter, then calls reload again).
    reload = function () {
      if (!toggle.checked) return; // the next switch-on loads with the filter chosen
      toggle.checked = false;
      toggle.dispatchEvent(new Event("change"));
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    };

    Array.prototype.forEach.call(selects, function (select) {
      select.addEventListener("change", function () {
        chosen[select.getAttribute("data-incidents-filter")] = select.value;
        reload();
      });
    });
  }

  function initDetailMap(el) {
    var p = readJson(el.dataset.incidentMap);
    if (!p || typeof L === "undefined") return;
    var map = L.map(el, { zoomControl: true, attributionControl: true, maxZoom: 19 });
    map.attributionControl.setPrefix(false);
    if (p.tileUrl) {
      L.tileLayer(p.tileUrl, { maxZoom: 19, attribution: p.tileAttribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    var style = markerStyle({ severity: p.severity, state: "" });
    delete style.pane;
    L.circleMarker([p.lat, p.lon], style).addTo(map).bindTooltip(escapeHtml(p.label));
    map.setView([p.lat, p.lon], p.exact ? 16 : 14);
    el.dataset.state = "ready";
  }

  function startDetailMaps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-incident-map]").forEach(initDetailMap);
  }

  if (window.siagaLayerUtils) window.siagaLayerUtils.whenMapReady(addIncidentLayer);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startDetailMaps);
  } else {
    startDetailMaps();
  }
})();
