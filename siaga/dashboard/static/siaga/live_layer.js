/* Siaga live layers: what the refreshing overlays of the situation-room map have in common.
 *
 * The media and risk overlays (and any like them) differ only in their endpoint, the look of
 * their circles, their popups and their legend. Everything else is the same and lives here, so
 * that a fix to it is made once: a checkbox control with a legend, a fetch that never overlaps
 * the previous one, a refresh every N seconds while the layer is on and the tab is visible (and
 * at once when the tab comes back), circle markers updated in place so that an open popup stays
 * open, and the state tests and other scripts read: data-<name> ("loading", "ready", "error",
 * "off") and data-<name>-count on the map element, and window.siagaMap.<name>.
 *
 * Loaded after siaga/map.js and before the layer scripts (dashboard/_map_assets.html). Plain
 * ES5, no build step. Exposes window.siagaLiveLayer(options) and window.siagaLayerUtils.
 */
(function () {
  "use strict";

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

  /* The parsed JSON script of that id (a page's json_script configuration), or null. */
  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  /* Calls addLayer(map, el, region) once the situation-room map is drawn, whether siaga/map.js
   * fires "siaga:map-ready" after this call or had already drawn the map before it. */
  function whenMapReady(addLayer) {
    function onMapReady(event) {
      var el = event.target;
      var info = window.siagaMap || {};
      if (!info.map || !el || !el.dataset) return;
      addLayer(info.map, el, (event.detail && event.detail.region) || info.region || "");
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
  }

  /* Adds one live overlay to the map and starts it when its checkbox is on.
   *
   * options:
   *   map, el        the Leaflet map and its element (where the data-* state is written)
   *   name           "media": data-media, data-media-toggle, data-media-legend,
   *                  window.siagaMap.media, the control's class "media-toggle"
   *   countKey       dataset key of the count (default name + "Count": data-media-count)
   *   url            the endpoint, answering a JSON list of points with lat and lon
   *   refreshSeconds how often to reload while on and visible
   *   on             whether the checkbox starts checked
   *   strings        translated strings: toggle (the checkbox label) and error (the legend then)
   *   pane, zIndex   the Leaflet pane the circles are drawn in, created when missing
   *   key(p)         the identity of a point across refreshes (its marker is updated in place)
   *   style(p)       the circle's options (radius, colours, className, pane)
   *   popup(p), tooltip(p)   their HTML
   *   legend(points) the legend's HTML
   *   sort(a, b)     optional: the drawing order; the last drawn is on top
   *   summary(points) optional: more fields for window.siagaMap.<name>
   * Returns false when the element already has this layer (the map-ready event came twice).
   */
  function siagaLiveLayer(options) {
    var map = options.map;
    var el = options.el;
    var name = options.name;
    var S = options.strings;
    if (el.dataset[name]) return false;
    if (!map.getPane(options.pane)) {
      map.createPane(options.pane);
      map.getPane(options.pane).style.zIndex = options.zIndex;
    }
    var renderer = L.svg({ pane: options.pane });
    var group = L.layerGroup();
    var markers = {}; // key -> circle marker
    var timer = null;
    var busy = false;

    var control = L.control({ position: "topleft" });
    var box;
    control.onAdd = function () {
      box = L.DomUtil.create("div", "map-toggle leaflet-bar " + name + "-toggle");
      box.style.marginTop = ".4rem";
      box.innerHTML = '<label><input type="checkbox" data-' + name + "-toggle" +
        (options.on ? " checked" : "") + "> " + escapeHtml(S.toggle) +
        '</label><div class="map-toggle-legend" data-' + name + "-legend hidden></div>";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    control.addTo(map);
    var input = box.querySelector("input");
    var legend = box.querySelector("[data-" + name + "-legend]");

    function draw(points) {
      var seen = {};
      var ordered = options.sort ? points.slice().sort(options.sort) : points;
      ordered.forEach(function (p) {
        var id = options.key(p);
        seen[id] = true;
        var style = options.style(p);
        var marker = markers[id];
        if (marker) {
          marker.setLatLng([p.lat, p.lon]);
          marker.setStyle(style);
          marker.setRadius(style.radius);
          // Leaflet's setStyle leaves the class attribute alone: keep it true to the point.
          if (marker._path) {
            marker._path.setAttribute("class", style.className + " leaflet-interactive");
          }
          marker.setPopupContent(options.popup(p));
          marker.setTooltipContent(options.tooltip(p));
          if (options.sort) marker.bringToFront();
          return;
        }
        style.renderer = renderer;
        marker = L.circleMarker([p.lat, p.lon], style)
          .bindTooltip(options.tooltip(p), { direction: "top" })
          .bindPopup(options.popup(p));
        markers[id] = marker;
        group.addLayer(marker);
      });
      Object.keys(markers).forEach(function (id) {
        if (!seen[id]) {
          group.removeLayer(markers[id]);
          delete markers[id];
        }
      });
      el.dataset[options.countKey || name + "Count"] = String(points.length);
      if (window.siagaMap) {
        var state = { count: points.length };
        var extra = options.summary ? options.summary(points) : {};
        Object.keys(extra).forEach(function (field) { state[field] = extra[field]; });
        state.markers = markers;
        state.updatedAt = new Date().toISOString();
        window.siagaMap[name] = state;
      }
    }

    function load() {
      if (busy || !input.checked) return;
      busy = true;
      if (!el.dataset[name] || el.dataset[name] === "off") el.dataset[name] = "loading";
      fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (points) {
          if (!input.checked) return;
          draw(points);
          legend.innerHTML = options.legend(points);
          legend.hidden = false;
          el.dataset[name] = "ready";
        })
        .catch(function (err) {
          if (!input.checked) return;
          el.dataset[name] = "error";
          legend.textContent = S.error;
          legend.hidden = false;
          if (window.console) console.error("Siaga " + name + " layer:", err);
        })
        .then(function () { busy = false; });
    }

    function turnOn() {
      group.addTo(map);
      load();
      if (!timer) {
        timer = window.setInterval(function () {
          if (!document.hidden) load();
        }, options.refreshSeconds * 1000);
      }
    }

    function turnOff() {
      map.removeLayer(group);
      if (timer) window.clearInterval(timer);
      timer = null;
      legend.hidden = true;
      el.dataset[name] = "off";
    }

    input.addEventListener("change", function () {
      if (input.checked) turnOn();
      else turnOff();
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && input.checked) load(); // catch up at once after a hidden tab
    });
    if (input.checked) turnOn();
    else el.dataset[name] = "off";
    return true;
  }

  window.siagaLiveLayer = siagaLiveLayer;
  window.siagaLayerUtils = {
    escapeHtml: escapeHtml,
    formatWhen: formatWhen,
    readJson: readJson,
    whenMapReady: whenMapReady,
  };
})();
