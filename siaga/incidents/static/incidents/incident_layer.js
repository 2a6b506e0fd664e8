/* Siaga incident reports on maps.
 *
 * 1. The "Insiden" overlay of the situation-room map (siaga/map.js draws the map and fires
 *    "siaga:map-ready"). On by default; it fetches GET /api/v1/incidents/layer?region=… and
 *    refreshes every 30 s while switched on and the tab is visible, updating markers in place
 *    (an open popup stays open). Markers are coloured by severity; the popup gives the ticket,
 *    the category, the state and a link to the report. Configuration: the JSON script
 *    #siaga-incident-config (incidents/_layer_config.html). State for tests and other scripts:
 *    data-incidents ("loading", "ready", "error", "off") and data-incident-count on the map
 *    element, and window.siagaMap.incidents.
 * 2. The small map of one report's page: [data-incident-map] names a JSON script with the
 *    point (lat, lon, label, severity, tileUrl, tileAttribution).
 */
(function () {
  "use strict";

  var COLORS = { rendah: "#64748b", sedang: "#eab308", tinggi: "#f97316", kritis: "#dc2626" };
  var RANK = { rendah: 0, sedang: 1, tinggi: 2, kritis: 3 };
  var PANE = "siagaIncidents";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatWhen(value) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || "id", {
        day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      }).format(new Date(value));
    } catch (e) {
      return String(value);
    }
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

  function popupHtml(cfg, p) {
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

  function addIncidentLayer(map, el, region) {
    var cfg = readJson("siaga-incident-config");
    if (!cfg || el.dataset.incidents) return;
    var S = cfg.strings;
    if (!map.getPane(PANE)) {
      map.createPane(PANE);
      map.getPane(PANE).style.zIndex = 640; // above the TPS markers, below tooltips and popups
    }
    var renderer = L.svg({ pane: PANE });
    var group = L.layerGroup().addTo(map);
    var markers = {}; // ticket -> circle marker
    var timer = null;
    var busy = false;
    var url = cfg.api.replace(/openapi\.json$/, "") + "incidents/layer?hours=" +
      encodeURIComponent(cfg.hours || 24) + (region ? "&region=" + encodeURIComponent(region) : "");

    var control = L.control({ position: "topleft" });
    var box;
    control.onAdd = function () {
      box = L.DomUtil.create("div", "map-toggle leaflet-bar incident-toggle");
      box.innerHTML = '<label><input type="checkbox" checked data-incidents-toggle> ' +
        escapeHtml(S.toggle) + '</label><div class="map-toggle-legend" data-incidents-legend></div>';
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    var input = box.querySelector("input");
    var legend = box.querySelector("[data-incidents-legend]");

    function showLegend(points) {
      var counts = { rendah: 0, sedang: 0, tinggi: 0, kritis: 0 };
      points.forEach(function (p) { counts[p.severity] = (counts[p.severity] || 0) + 1; });
      var html = "<div>" + escapeHtml(S.shown) + ": " + points.length + "</div>";
      ["kritis", "tinggi", "sedang", "rendah"].forEach(function (s) {
        html += '<div><span class="swatch" style="background:' + COLORS[s] + ';border-radius:50%"></span>' +
          escapeHtml(cfg.severity[s] || s) + " " + counts[s] + "</div>";
      });
      legend.innerHTML = html;
      legend.hidden = false;
    }

    function draw(points) {
      var seen = {};
      points.forEach(function (p) {
        seen[p.ticket] = true;
        var marker = markers[p.ticket];
        if (marker) {
          marker.setLatLng([p.lat, p.lon]);
          marker.setStyle(markerStyle(p));
          marker.setRadius(markerStyle(p).radius);
          marker.setPopupContent(popupHtml(cfg, p));
          return;
        }
        var options = markerStyle(p);
        options.renderer = renderer;
        marker = L.circleMarker([p.lat, p.lon], options)
          .bindTooltip(escapeHtml(p.ticket + " · " + p.category_name), { direction: "top" })
          .bindPopup(popupHtml(cfg, p));
        markers[p.ticket] = marker;
        group.addLayer(marker);
      });
      Object.keys(markers).forEach(function (ticket) {
        if (!seen[ticket]) {
          group.removeLayer(markers[ticket]);
          delete markers[ticket];
        }
      });
      el.dataset.incidentCount = String(points.length);
      if (window.siagaMap) {
        window.siagaMap.incidents = {
          count: points.length, markers: markers, updatedAt: new Date().toISOString(),
        };
      }
    }

    function load() {
      if (busy || !input.checked) return;
      busy = true;
      if (!el.dataset.incidents || el.dataset.incidents === "off") el.dataset.incidents = "loading";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (points) {
          if (!input.checked) return;
          draw(points);
          showLegend(points);
          el.dataset.incidents = "ready";
        })
        .catch(function (err) {
          el.dataset.incidents = "error";
          legend.textContent = S.error;
          legend.hidden = false;
          if (window.console) console.error("Siaga incident layer:", err);
        })
        .then(function () { busy = false; });
    }

    function turnOn() {
      group.addTo(map);
      load();
      if (!timer) {
        timer = window.setInterval(function () {
          if (!document.hidden) load();
        }, (cfg.refreshSeconds || 30) * 1000);
      }
    }

    function turnOff() {
      map.removeLayer(group);
      if (timer) window.clearInterval(timer);
      timer = null;
      legend.hidden = true;
      el.dataset.incidents = "off";
    }

    input.addEventListener("change", function () {
      if (input.checked) turnOn();
      else turnOff();
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && input.checked) load(); // catch up at once after a hidden tab
    });
    turnOn();
  }

  function onMapReady(event) {
    var el = event.target;
    var info = window.siagaMap || {};
    if (!info.map || !el || !el.dataset) return;
    addIncidentLayer(info.map, el, (event.detail && event.detail.region) || info.region || "");
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

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-incident-map]").forEach(initDetailMap);
    var mapEl = document.querySelector("[data-siaga-map]");
    if (mapEl && mapEl.dataset.state === "ready" && window.siagaMap && window.siagaMap.map) {
      onMapReady({ target: mapEl, detail: { region: window.siagaMap.region } });
    }
  }

  document.addEventListener("siaga:map-ready", onMapReady);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
