/* Siaga situation-room map: Leaflet + markercluster, all data in one request.
 *
 * The page passes its configuration through json_script (see dashboard/views.py map_config):
 * the endpoint, the region code, the tile URL, the TPS status registry and the translated
 * strings. The map fits its bounds to the data (boundaries and TPS), never to the tiles, so it
 * works with no tile server at all. When done it sets data-state="ready" and data-tps-count on
 * the map element (and window.siagaMap) so tests and other scripts can read what is shown.
 */
(function () {
  "use strict";

  var FALLBACK_STATUS = { code: "?", label: "?", color: "#64748b", rank: -1, escalate: false };
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

  function Notice(el) {
    this.el = el;
  }
  Notice.prototype.show = function (text) {
    if (!this.el) return;
    this.el.textContent = text;
    this.el.hidden = false;
  };
  Notice.prototype.hide = function () {
    if (this.el) this.el.hidden = true;
  };

  function statusIndex(statuses) {
    var byCode = {};
    (statuses || []).forEach(function (s) { byCode[s.code] = s; });
    return byCode;
  }

  function markerIcon(status) {
    return L.divIcon({
      className: "tps-marker tps-status-" + status.code,
      html: '<span style="background:' + status.color + '"></span>',
      iconSize: [14, 14],
      iconAnchor: [7, 7],
      popupAnchor: [0, -6],
    });
  }

  /* A cluster is painted with the most severe escalating status inside it (a rawan TPS must
   * not vanish inside a cluster of ordinary ones); otherwise with the base status colour. */
  function clusterIconFactory(baseStatus) {
    return function (cluster) {
      var best = null;
      cluster.getAllChildMarkers().forEach(function (m) {
        var s = m.options.siagaStatus;
        if (s && s.escalate && (!best || s.rank > best.rank)) best = s;
      });
      var color = (best || baseStatus).color;
      var n = cluster.getChildCount();
      var size = n < 10 ? 30 : n < 100 ? 36 : 44;
      return L.divIcon({
        className: "tps-cluster",
        html: '<div style="background:' + color + '"><span>' + n + "</span></div>",
        iconSize: L.point(size, size),
      });
    };
  }

  function popupHtml(cfg, row, status) {
    var url = cfg.tpsUrl.replace("{id}", encodeURIComponent(row.id));
    return (
      '<div class="map-popup"><strong>' + escapeHtml(row.label) + " · " + escapeHtml(row.desa) +
      "</strong><dl><dt>DPT</dt><dd>" + formatNumber(row.dpt) + " " + escapeHtml(cfg.strings.voters) +
      "</dd></dl>" +
      '<p style="margin:.2rem 0"><span class="swatch" style="display:inline-block;width:9px;height:9px;border-radius:50%;background:' +
      status.color + '"></span> ' + escapeHtml(status.label) + "</p>" +
      '<a href="' + url + '">' + escapeHtml(cfg.strings.open) + " →</a></div>"
    );
  }

  function addLegend(map, cfg, statuses, counts, shown, missing) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      var html = "<strong>" + escapeHtml(cfg.strings.legend) + "</strong>";
      statuses.forEach(function (s) {
        html += '<div data-status="' + escapeHtml(s.code) + '"><span class="swatch" style="background:' +
          s.color + '"></span>' + escapeHtml(s.label) + '<span class="count">' +
          formatNumber(counts[s.code] || 0) + "</span></div>";
      });
      html += '<div class="muted">' + escapeHtml(cfg.strings.tpsShown) + ": " + formatNumber(shown);
      if (missing) html += " · " + escapeHtml(cfg.strings.noCoordinates) + ": " + formatNumber(missing);
      html += "</div>";
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
  }

  function addTiles(map, el, cfg, notice) {
    if (!cfg.tileUrl) {
      el.classList.add("no-tiles");
      notice.show(cfg.strings.tilesOff);
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
      notice.show(cfg.strings.offline);
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

  function drawBoundaries(map, cfg, collection) {
    if (!collection || !collection.features || !collection.features.length) return null;
    return L.geoJSON(collection, {
      style: function (f) {
        return f.properties.self
          ? { color: "#0b3b5c", weight: 2.5, fill: false }
          : { color: "#475569", weight: 1, fillColor: "#94a3b8", fillOpacity: 0.1 };
      },
      onEachFeature: function (f, layer) {
        if (f.properties.self) return;
        layer.bindTooltip(escapeHtml(f.properties.name), { sticky: true, direction: "top" });
        var url = cfg.regionUrl.replace("{code}", encodeURIComponent(f.properties.code));
        layer.bindPopup(
          "<strong>" + escapeHtml(f.properties.name) + '</strong><br><a href="' + url + '">' +
            escapeHtml(cfg.strings.openRegion) + " →</a>"
        );
      },
    }).addTo(map);
  }

  function finish(el, map, info) {
    el.dataset.tpsCount = String(info.tpsCount);
    el.dataset.state = "ready";
    window.siagaMap = Object.assign({ map: map }, info);
    el.dispatchEvent(new CustomEvent("siaga:map-ready", { bubbles: true, detail: info }));
  }

  function drawRegion(map, el, cfg, data, notice) {
    var byCode = statusIndex(data.statuses);
    var base = data.statuses[0] || FALLBACK_STATUS;
    var idx = {};
    data.tps_fields.forEach(function (name, i) { idx[name] = i; });

    var bounds = L.latLngBounds([]);
    var outline = drawBoundaries(map, cfg, data.boundaries);
    if (outline) bounds.extend(outline.getBounds());

    var cluster = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      spiderfyOnMaxZoom: true,
      disableClusteringAtZoom: 16,
      iconCreateFunction: clusterIconFactory(base),
    });
    var markers = [];
    var counts = {};
    var missing = 0;
    data.tps.forEach(function (r) {
      var row = {
        id: r[idx.id], lat: r[idx.lat], lon: r[idx.lon], label: r[idx.label],
        desa: r[idx.desa], dpt: r[idx.dpt], status: r[idx.status],
      };
      if (row.lat == null || row.lon == null) {
        missing += 1;
        return;
      }
      var status = byCode[row.status] || FALLBACK_STATUS;
      counts[status.code] = (counts[status.code] || 0) + 1;
      var marker = L.marker([row.lat, row.lon], {
        icon: markerIcon(status),
        title: row.label + " " + row.desa,
        siagaStatus: status,
      });
      marker.bindPopup(function () { return popupHtml(cfg, row, status); });
      markers.push(marker);
      bounds.extend([row.lat, row.lon]);
    });
    cluster.addLayers(markers);
    map.addLayer(cluster);
    addLegend(map, cfg, data.statuses, counts, markers.length, missing);

    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    } else if (data.region.lat != null && data.region.lon != null) {
      map.setView([data.region.lat, data.region.lon], 11);
    } else {
      map.setView([-2.5, 118], 5); // Indonesia, when nothing has a place yet
    }
    addTiles(map, el, cfg, notice);
    finish(el, map, {
      tpsCount: markers.length,
      tpsTotal: data.tps.length,
      tpsWithoutCoordinates: missing,
      dptTotal: data.totals.dpt,
      region: data.region.code,
      statusCounts: counts,
    });
  }

  function drawPoint(map, el, cfg, notice) {
    var p = cfg.point;
    var status = statusIndex(cfg.statuses)[p.status] || FALLBACK_STATUS;
    var bounds = L.latLngBounds([[p.lat, p.lon]]);
    if (p.boundary) {
      var outline = L.geoJSON(p.boundary, {
        style: { color: "#475569", weight: 1.5, fillColor: "#94a3b8", fillOpacity: 0.1 },
      }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    L.marker([p.lat, p.lon], { icon: markerIcon(status), title: p.label }).addTo(map)
      .bindTooltip(escapeHtml(p.label + " · " + p.desa));
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    addTiles(map, el, cfg, notice);
    finish(el, map, { tpsCount: 1, tpsTotal: 1, tpsWithoutCoordinates: 0, dptTotal: p.dpt });
  }

  function init(el) {
    var cfg = JSON.parse(document.getElementById(el.dataset.siagaMap).textContent);
    var notice = new Notice(el.parentElement.querySelector("[data-map-notice]"));
    var map = L.map(el, {
      zoomControl: true,
      attributionControl: true,
      maxZoom: 19,
      minZoom: 4,
      zoomSnap: 0.25, // fit the regency snugly, not at the nearest whole zoom level
      zoomDelta: 0.5,
    });
    map.attributionControl.setPrefix(false);
    if (cfg.point) {
      drawPoint(map, el, cfg, notice);
      return;
    }
    var url = cfg.endpoint + (cfg.region ? "?region=" + encodeURIComponent(cfg.region) : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { drawRegion(map, el, cfg, data, notice); })
      .catch(function (err) {
        el.dataset.state = "error";
        notice.show(cfg.strings.loadError);
        if (window.console) console.error("Siaga map:", err);
      });
  }

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-siaga-map]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
