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

  /* --- The logistics layer (toggle "Logistik") ------------------------------------------------
   * Off by default; turned on, it fetches /api/v1/logistics/layer?region=… once, colours the
   * child regions by the percent of TPS fully supplied (their boundaries when imported, else a
   * circle at the region's point) and shows shipments in transit at their last known position,
   * at-risk ones in red, each with a link to its page. The configuration comes from the
   * #siaga-logistics-config script of dashboard/_map.html. State: data-logistics on the map. */
  function supplyColor(percent) {
    if (percent >= 100) return "#15803d";
    if (percent >= 75) return "#65a30d";
    if (percent >= 50) return "#eab308";
    if (percent >= 25) return "#f97316";
    return "#dc2626";
  }

  function shipmentIcon(row) {
    var risky = row.at_risk || row.late;
    return L.divIcon({
      className: "shipment-marker" + (risky ? " shipment-at-risk" : ""),
      html: "<span>" + (risky ? "!" : "▶") + "</span>",
      iconSize: [22, 22],
      iconAnchor: [11, 11],
      popupAnchor: [0, -10],
    });
  }

  function formatWhen(value) {
    if (!value) return "—";
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || "id", {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      }).format(new Date(value));
    } catch (e) {
      return String(value);
    }
  }

  function addLogisticsLayer(map, el, outline, data) {
    var node = document.getElementById("siaga-logistics-config");
    if (!node) return;
    var lc = JSON.parse(node.textContent);
    var S = lc.strings;
    var points = {};
    (lc.points || []).forEach(function (p) { if (p) points[p[0]] = [p[1], p[2]]; });
    var group = L.layerGroup();
    var painted = [];
    var loaded = false;
    var url = lc.api.replace(/openapi\.json$/, "") + "logistics/layer?region=" +
      encodeURIComponent(data.region.code);

    var control = L.control({ position: "topleft" });
    var box;
    control.onAdd = function () {
      box = L.DomUtil.create("div", "map-toggle leaflet-bar");
      box.innerHTML = '<label><input type="checkbox" data-logistics-toggle> ' +
        escapeHtml(S.toggle) + '</label><div class="map-toggle-legend" hidden></div>';
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    var input = box.querySelector("input");
    var legend = box.querySelector(".map-toggle-legend");

    function paintRegions(regions) {
      var byCode = {};
      regions.forEach(function (r) { byCode[r.code] = r; });
      var drawn = {};
      if (outline) {
        outline.eachLayer(function (layer) {
          var r = byCode[layer.feature.properties.code];
          if (!r || layer.feature.properties.self) return;
          layer.setStyle({ fillColor: supplyColor(r.percent_supplied), fillOpacity: 0.45 });
          painted.push(layer);
          drawn[r.code] = true;
        });
      }
      regions.forEach(function (r) {
        if (drawn[r.code] || !points[r.code]) return;
        // A ring around the kecamatan's TPS cluster (which sits at the same point), not under it.
        var color = supplyColor(r.percent_supplied);
        L.circleMarker(points[r.code], {
          radius: 24, color: color, weight: 6, opacity: 0.9, fillColor: color,
          fillOpacity: 0.15, className: "supply-dot",
        })
          .bindTooltip(escapeHtml(r.name) + ": " + Math.round(r.percent_supplied) + "% " +
            escapeHtml(S.supplied) + (r.tps_ballot_short ? " · " + r.tps_ballot_short + " " +
            escapeHtml(S.ballotShort) : ""))
          .addTo(group);
      });
    }

    function drawShipments(shipments) {
      var shown = 0;
      shipments.forEach(function (row) {
        if (row.lat == null || row.lon == null) return;
        shown += 1;
        var link = lc.shipmentUrl.replace("CODE", encodeURIComponent(row.code));
        var state = row.late ? S.late : row.at_risk ? S.atRisk : S.onTrack;
        L.marker([row.lat, row.lon], { icon: shipmentIcon(row), title: row.code, zIndexOffset: 1000 })
          .bindPopup(
            '<div class="map-popup"><strong>' + escapeHtml(row.code) + "</strong> · " +
            escapeHtml(row.destination_tps ? row.destination_tps + " · " : "") +
            escapeHtml(row.destination_name) + "<br>" + escapeHtml(row.status_label) + " · " +
            '<span class="' + (row.at_risk || row.late ? "risk" : "") + '">' + escapeHtml(state) +
            "</span><br>" + escapeHtml(S.predicted) + ": " +
            escapeHtml(formatWhen(row.predicted_arrival || row.planned_arrival)) +
            '<br><a href="' + link + '">' + escapeHtml(S.open) + " →</a></div>"
          )
          .addTo(group);
      });
      return shown;
    }

    function showLegend(body) {
      var moving = body.shipments.length;
      var risky = body.shipments.filter(function (s) { return s.at_risk || s.late; }).length;
      legend.innerHTML =
        '<div><span class="swatch" style="background:#15803d"></span>100%' +
        '<span class="swatch" style="background:#eab308;margin-left:.4rem"></span>50%' +
        '<span class="swatch" style="background:#dc2626;margin-left:.4rem"></span>0% ' +
        escapeHtml(S.supplied) + "</div><div>" + escapeHtml(S.moving) + ": " + formatNumber(moving) +
        (risky ? ' · <span class="risk">' + escapeHtml(S.atRisk) + ": " + formatNumber(risky) + "</span>" : "") +
        "</div>";
      legend.hidden = false;
    }

    function turnOn() {
      if (loaded) {
        group.addTo(map);
        painted.forEach(function (layer) { layer.setStyle(layer._siagaSupply); });
        legend.hidden = false;
        el.dataset.logistics = "ready";
        return;
      }
      el.dataset.logistics = "loading";
      input.disabled = true;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (body) {
          loaded = true;
          paintRegions(body.regions || []);
          painted.forEach(function (layer) {
            layer._siagaSupply = { fillColor: layer.options.fillColor, fillOpacity: layer.options.fillOpacity };
          });
          var shown = drawShipments(body.shipments || []);
          group.addTo(map);
          showLegend(body);
          el.dataset.logistics = "ready";
          if (window.siagaMap) {
            window.siagaMap.logistics = {
              regions: (body.regions || []).length,
              shipments: (body.shipments || []).length,
              markers: shown,
            };
          }
          if (!input.checked) turnOff();
        })
        .catch(function (err) {
          el.dataset.logistics = "error";
          input.checked = false;
          legend.textContent = S.error;
          legend.hidden = false;
          if (window.console) console.error("Siaga logistics layer:", err);
        })
        .then(function () { input.disabled = false; });
    }

    function turnOff() {
      map.removeLayer(group);
      painted.forEach(function (layer) { if (outline) outline.resetStyle(layer); });
      legend.hidden = true;
      el.dataset.logistics = "off";
    }

    input.addEventListener("change", function () {
      if (input.checked) turnOn();
      else turnOff();
    });
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
    addLogisticsLayer(map, el, outline, data);
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
