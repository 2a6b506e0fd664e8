/* Siaga social-media layer of the situation-room map (issue 6: "hoaxes appear on the map").
 *
 * The "Media sosial" overlay (siaga/map.js draws the map and fires "siaga:map-ready"). On by
 * default, like the incident layer; it fetches GET /api/v1/media/layer?hours=…&region=… and
 * refreshes every 60 s while switched on and the tab is visible, updating markers in place (an
 * open popup stays open). One circle per place named by flagged posts: its size grows with the
 * number of posts, red when hoaks or provokasi are among them, amber otherwise. The popup gives
 * the place, the counts per label, the confirmed hoaxes and a link to the triage queue of the
 * place. Configuration and translated strings: the JSON script #siaga-media-config
 * (media/_layer_config.html). State for tests and other scripts: data-media ("loading",
 * "ready", "error", "off") and data-media-count on the map element, and window.siagaMap.media.
 */
(function () {
  "use strict";

  var SEVERE = "#dc2626";
  var OTHER = "#f59e0b";
  var LABELS = ["hoaks", "provokasi", "sara", "ujaran_kebencian", "kasar"];
  var PANE = "siagaMedia";

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

  function isSevere(point) {
    return point.hoaks > 0 || point.provokasi > 0;
  }

  /* The area grows with the number of posts (radius ~ square root), within 7 to 26 px. */
  function radiusFor(posts) {
    return Math.min(26, 7 + 3 * Math.sqrt(Math.max(0, posts - 1)));
  }

  function markerStyle(point) {
    var severe = isSevere(point);
    return {
      pane: PANE,
      radius: radiusFor(point.posts),
      color: "#ffffff",
      weight: 2,
      fillColor: severe ? SEVERE : OTHER,
      fillOpacity: 0.7,
      className: "media-marker " + (severe ? "media-severe" : "media-other"),
    };
  }

  function popupHtml(cfg, p) {
    var S = cfg.strings;
    var rows = "";
    LABELS.forEach(function (label) {
      if (p[label] > 0) {
        rows += "<dt>" + escapeHtml(cfg.labels[label] || label) + "</dt><dd>" + p[label] + "</dd>";
      }
    });
    if (p.confirmed > 0) {
      rows += "<dt>" + escapeHtml(S.confirmed) + "</dt><dd>" + p.confirmed + "</dd>";
    }
    return (
      '<div class="map-popup media-popup" data-media-place="' + escapeHtml(p.code) + '"><strong>' +
      escapeHtml(p.name) + '</strong> <span class="code">' + escapeHtml(p.code) + "</span><br>" +
      escapeHtml(S.posts) + ": <b>" + p.posts + "</b><dl>" + rows + "</dl>" +
      escapeHtml(S.last) + ": " + escapeHtml(formatWhen(p.last_posted_at)) + '<br><a href="' +
      escapeHtml(p.url) + '">' + escapeHtml(S.open) + " →</a></div>"
    );
  }

  function addMediaLayer(map, el, region) {
    var cfg = readJson("siaga-media-config");
    if (!cfg || el.dataset.media) return;
    var S = cfg.strings;
    if (!map.getPane(PANE)) {
      map.createPane(PANE);
      map.getPane(PANE).style.zIndex = 630; // above the TPS markers, below the incidents
    }
    var renderer = L.svg({ pane: PANE });
    var group = L.layerGroup().addTo(map);
    var markers = {}; // place code -> circle marker
    var timer = null;
    var busy = false;
    var url = cfg.api.replace(/openapi\.json$/, "") + "media/layer?hours=" +
      encodeURIComponent(cfg.hours || 24) + (region ? "&region=" + encodeURIComponent(region) : "");

    var control = L.control({ position: "topleft" });
    var box;
    control.onAdd = function () {
      box = L.DomUtil.create("div", "map-toggle leaflet-bar media-toggle");
      box.style.marginTop = ".4rem";
      box.innerHTML = '<label><input type="checkbox" checked data-media-toggle> ' +
        escapeHtml(S.toggle) + '</label><div class="map-toggle-legend" data-media-legend></div>';
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    var input = box.querySelector("input");
    var legend = box.querySelector("[data-media-legend]");

    function showLegend(points) {
      var severe = points.filter(isSevere).length;
      var swatch = function (color) {
        return '<span class="swatch" style="background:' + color + ';border-radius:50%"></span>';
      };
      legend.innerHTML = "<div>" + escapeHtml(S.shown) + ": " + points.length + "</div>" +
        "<div>" + swatch(SEVERE) + escapeHtml(S.severe) + " " + severe + "</div>" +
        "<div>" + swatch(OTHER) + escapeHtml(S.other) + " " + (points.length - severe) + "</div>";
      legend.hidden = false;
    }

    function draw(points) {
      var seen = {};
      points.forEach(function (p) {
        seen[p.code] = true;
        var style = markerStyle(p);
        var marker = markers[p.code];
        if (marker) {
          marker.setLatLng([p.lat, p.lon]);
          marker.setStyle(style);
          marker.setRadius(style.radius);
          marker.setPopupContent(popupHtml(cfg, p));
          marker.setTooltipContent(escapeHtml(p.name + " · " + p.posts));
          return;
        }
        style.renderer = renderer;
        marker = L.circleMarker([p.lat, p.lon], style)
          .bindTooltip(escapeHtml(p.name + " · " + p.posts), { direction: "top" })
          .bindPopup(popupHtml(cfg, p));
        markers[p.code] = marker;
        group.addLayer(marker);
      });
      Object.keys(markers).forEach(function (code) {
        if (!seen[code]) {
          group.removeLayer(markers[code]);
          delete markers[code];
        }
      });
      el.dataset.mediaCount = String(points.length);
      if (window.siagaMap) {
        window.siagaMap.media = {
          count: points.length, markers: markers, updatedAt: new Date().toISOString(),
        };
      }
    }

    function load() {
      if (busy || !input.checked) return;
      busy = true;
      if (!el.dataset.media || el.dataset.media === "off") el.dataset.media = "loading";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (points) {
          if (!input.checked) return;
          draw(points);
          showLegend(points);
          el.dataset.media = "ready";
        })
        .catch(function (err) {
          if (!input.checked) return;
          el.dataset.media = "error";
          legend.textContent = S.error;
          legend.hidden = false;
          if (window.console) console.error("Siaga media layer:", err);
        })
        .then(function () { busy = false; });
    }

    function turnOn() {
      group.addTo(map);
      load();
      if (!timer) {
        timer = window.setInterval(function () {
          if (!document.hidden) load();
        }, (cfg.refreshSeconds || 60) * 1000);
      }
    }

    function turnOff() {
      map.removeLayer(group);
      if (timer) window.clearInterval(timer);
      timer = null;
      legend.hidden = true;
      el.dataset.media = "off";
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
    addMediaLayer(info.map, el, (event.detail && event.detail.region) || info.region || "");
  }

  function start() {
    if (typeof L === "undefined") return;
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
