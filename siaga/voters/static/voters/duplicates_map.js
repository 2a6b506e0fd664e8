/* Map of double registrations on the review summary page (/pemilih/ganda/rekap/).
 *
 * One circle per TPS from GET /api/v1/voters/duplicates/map (fetched with the session, counts
 * only, no voter data): red for TPS with confirmed double registrations (K1 + K3, the radius
 * grows with the count), amber for TPS with suspected pairs only. TPS with data errors (K2)
 * only are left off: a data error is not a double registration.
 *
 * Configuration comes from the page: the endpoint and the tile settings through json_script
 * (review_summary view), the translated strings through data-s-* attributes of the map element
 * (the template's {% translate %}), so this file holds no interface text. Like the situation
 * room's map it fits its bounds to the markers, never to the tiles, and works without a tile
 * server. When done it sets data-state ("ready", "empty" or "error") and data-marker-count on
 * the map element, and window.siagaDuplicatesMap, for tests and other scripts.
 */
(function () {
  "use strict";

  var CONFIRMED_COLOR = "#dc2626";
  var SUSPECTED_COLOR = "#f59e0b";
  var TILE_TIMEOUT_MS = 8000;

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatNumber(n) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || "id").format(n);
    } catch (e) {
      return String(n);
    }
  }

  /* Area, not radius, follows the count, so one TPS with 9 cases does not look 9× as big. */
  function radiusFor(row) {
    if (row.confirmed > 0) return Math.min(22, 6 + 4 * Math.sqrt(row.confirmed));
    return 6;
  }

  function popupHtml(S, row, queueUrl) {
    var html =
      '<div class="map-popup" data-tps="' + escapeHtml(row.tps_id) + '"><strong>' +
      escapeHtml(row.name) + "</strong><dl>" +
      "<dt>" + escapeHtml(S.desa) + "</dt><dd>" + escapeHtml(row.desa) + "</dd>" +
      "<dt>" + escapeHtml(S.confirmed) + "</dt><dd data-confirmed>" +
      formatNumber(row.confirmed) + "</dd>" +
      "<dt>" + escapeHtml(S.suspected) + "</dt><dd data-suspected>" +
      formatNumber(row.suspected) + "</dd>";
    if (row.data_errors) {
      html += "<dt>" + escapeHtml(S.dataErrors) + "</dt><dd>" + formatNumber(row.data_errors) + "</dd>";
    }
    html += "</dl>";
    if (queueUrl) {
      // Reviewers only: the queue filtered to the TPS's desa (the queue filters by region).
      var url = queueUrl + "?status=&region=" + encodeURIComponent(row.desa);
      html += '<a href="' + escapeHtml(url) + '">' + escapeHtml(S.openQueue) + " →</a>";
    }
    return html + "</div>";
  }

  function addLegend(map, S, confirmedTps, suspectedTps) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      div.setAttribute("data-duplicates-legend", "");
      div.innerHTML =
        "<strong>" + escapeHtml(S.legend) + "</strong>" +
        '<div data-legend="confirmed"><span class="swatch" style="background:' + CONFIRMED_COLOR +
        '"></span>' + escapeHtml(S.legendConfirmed) + '<span class="count">' +
        formatNumber(confirmedTps) + "</span></div>" +
        '<div data-legend="suspected"><span class="swatch" style="background:' + SUSPECTED_COLOR +
        '"></span>' + escapeHtml(S.legendSuspected) + '<span class="count">' +
        formatNumber(suspectedTps) + "</span></div>" +
        '<div class="muted">' + escapeHtml(S.legendRadius) + "</div>";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
  }

  function addTiles(map, el, cfg, S, notice) {
    if (!cfg.tileUrl) {
      el.classList.add("no-tiles");
      el.dataset.tiles = "off";
      notice.show(S.tilesOff);
      return;
    }
    var loaded = 0;
    var layer = L.tileLayer(cfg.tileUrl, {
      maxZoom: 19,
      attribution: cfg.tileAttribution,
      crossOrigin: true,
    });
    var offline = function () {
      if (loaded) return;
      el.classList.add("no-tiles");
      el.dataset.tiles = "offline";
      notice.show(S.offline);
    };
    layer.on("tileload", function () {
      loaded += 1;
      el.classList.remove("no-tiles");
      el.dataset.tiles = "online";
      notice.hide();
    });
    layer.on("tileerror", offline);
    window.setTimeout(offline, TILE_TIMEOUT_MS); // a black-holed tile server never errors
    if (navigator.onLine === false) offline();
    layer.addTo(map);
  }

  function makeNotice(node) {
    return {
      show: function (text) {
        if (!node) return;
        node.textContent = text;
        node.hidden = false;
      },
      hide: function () {
        if (node) node.hidden = true;
      },
    };
  }

  function finish(el, info) {
    el.dataset.markerCount = String(info.markers);
    el.dataset.state = info.state;
    window.siagaDuplicatesMap = info;
    el.dispatchEvent(new CustomEvent("siaga:duplicates-map-ready", { bubbles: true, detail: info }));
  }

  function showEmpty(el, section, info) {
    var frame = el.closest(".map-frame");
    if (frame) frame.hidden = true;
    var empty = section.querySelector("[data-map-empty]");
    if (empty) empty.hidden = false;
    finish(el, Object.assign(info, { state: "empty" }));
  }

  function draw(el, section, cfg, S, notice, rows) {
    var shown = rows.filter(function (r) {
      return r.lat != null && r.lon != null && (r.confirmed > 0 || r.suspected > 0);
    });
    var info = { markers: 0, confirmedTps: 0, suspectedTps: 0, rows: rows.length, layers: {} };
    if (!shown.length) {
      showEmpty(el, section, info);
      return;
    }
    var map = L.map(el, { maxZoom: 19, minZoom: 4, zoomSnap: 0.25, zoomDelta: 0.5 });
    map.attributionControl.setPrefix(false);
    var bounds = L.latLngBounds([]);
    // Suspected first, confirmed on top: a red circle must not hide under an amber one.
    shown.sort(function (a, b) { return a.confirmed - b.confirmed; });
    shown.forEach(function (row) {
      var confirmed = row.confirmed > 0;
      var color = confirmed ? CONFIRMED_COLOR : SUSPECTED_COLOR;
      var marker = L.circleMarker([row.lat, row.lon], {
        radius: radiusFor(row),
        color: "#fff",
        weight: 1.5,
        fillColor: color,
        fillOpacity: 0.8,
        className: "duplicate-marker duplicate-" + (confirmed ? "confirmed" : "suspected"),
      });
      marker.bindPopup(function () { return popupHtml(S, row, cfg.queueUrl); });
      marker.bindTooltip(escapeHtml(row.name), { direction: "top" });
      marker.addTo(map);
      info.layers[row.tps_id] = marker;
      bounds.extend([row.lat, row.lon]);
      if (confirmed) info.confirmedTps += 1;
      else info.suspectedTps += 1;
    });
    info.markers = shown.length;
    info.map = map;
    map.fitBounds(bounds, { padding: [28, 28], maxZoom: 14 });
    addLegend(map, S, info.confirmedTps, info.suspectedTps);
    addTiles(map, el, cfg, S, notice);
    finish(el, Object.assign(info, { state: "ready" }));
  }

  /* The translated strings: data-s-desa="Desa" … → S.desa (prefixed, apart from the state). */
  function strings(el) {
    var S = {};
    Object.keys(el.dataset).forEach(function (key) {
      if (/^s[A-Z]/.test(key)) S[key.charAt(1).toLowerCase() + key.slice(2)] = el.dataset[key];
    });
    return S;
  }

  function init(el) {
    var section = el.closest("[data-duplicates-section]") || document;
    var cfg = JSON.parse(document.getElementById(el.dataset.duplicatesMap).textContent);
    var S = strings(el);
    var notice = makeNotice(section.querySelector("[data-map-notice]"));
    fetch(cfg.endpoint, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (rows) { draw(el, section, cfg, S, notice, rows || []); })
      .catch(function (err) {
        el.dataset.state = "error";
        notice.show(S.loadError);
        if (window.console) console.error("Siaga duplicates map:", err);
      });
  }

  function start() {
    var maps = document.querySelectorAll("[data-duplicates-map]");
    if (typeof L === "undefined") {
      // Leaflet missing (assets not installed): say so instead of a map stuck "loading".
      maps.forEach(function (el) {
        el.dataset.state = "error";
        var section = el.closest("[data-duplicates-section]") || document;
        makeNotice(section.querySelector("[data-map-notice]")).show(el.dataset.sLoadError);
      });
      return;
    }
    maps.forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
