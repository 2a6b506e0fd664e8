/* Siaga risk heat layer of the situation-room map (issue 7: "the map shows a risk heat layer and
 * what changed since yesterday").
 *
 * The "Kerawanan" overlay (siaga/map.js draws the map and fires "siaga:map-ready"). Off by
 * default on the situation room, because it is dense (one circle per scored TPS, 701 in Kutai
 * Timur) and would hide the TPS statuses; a page may turn it on with "on": true in its config.
 * It fetches GET /api/v1/risk/layer?region=… and refreshes every 120 s while switched on and the
 * tab is visible, updating circles in place (an open popup stays open). One circle per TPS:
 * coloured by category (green aman, amber rawan, red sangat rawan; grey when aman only because
 * nobody has mapped the TPS yet), its size growing with the score; a TPS whose score rose since
 * yesterday gets a thick dark outline. Higher scores are drawn on top, so a red TPS never hides
 * under green ones. The popup gives the score, the category, the change since yesterday, the two
 * main reasons and a link to the TPS's risk page. Configuration and translated strings: the
 * JSON script #siaga-risk-config (risk/_layer_config.html). State for tests and other scripts:
 * data-risk ("loading", "ready", "error", "off") and data-risk-count on the map element, and
 * window.siagaMap.risk. The toggle, the refresh and that state are siaga/live_layer.js's, shared
 * with the other layers.
 */
(function () {
  "use strict";

  var COLORS = { aman: "#16a34a", rawan: "#f59e0b", sangat_rawan: "#dc2626" };
  var UNASSESSED = "#94a3b8";
  var CHANGED = "#111827";
  var ORDER = ["sangat_rawan", "rawan", "aman"];
  var PANE = "siagaRisk";
  var U = window.siagaLayerUtils;
  var escapeHtml = U.escapeHtml;

  function formatScore(value, signed) {
    var text;
    try {
      text = new Intl.NumberFormat(document.documentElement.lang || "id", {
        minimumFractionDigits: 1, maximumFractionDigits: 1,
      }).format(Math.abs(value));
    } catch (e) {
      text = Math.abs(value).toFixed(1);
    }
    if (value < 0) return "−" + text;
    return (signed && value > 0 ? "+" : "") + text;
  }

  /* Grey only when "aman" means "nobody has looked": a live signal still colours the TPS. */
  function isUnassessed(point) {
    return !point.assessed && point.category === "aman";
  }

  function rose(point) {
    return point.delta != null && point.delta > 0;
  }

  /* The radius grows with the score, 4 px at 0 to 14 px at 100. */
  function radiusFor(score) {
    return 4 + Math.max(0, Math.min(100, score)) / 10;
  }

  function markerStyle(point) {
    var changed = rose(point);
    var fill = isUnassessed(point) ? UNASSESSED : COLORS[point.category] || UNASSESSED;
    return {
      pane: PANE,
      radius: radiusFor(point.score),
      color: changed ? CHANGED : "#ffffff",
      weight: changed ? 3 : 1,
      opacity: changed ? 0.95 : 0.8,
      fillColor: fill,
      fillOpacity: point.category === "aman" ? 0.55 : 0.8,
      className: "risk-marker risk-" + point.category +
        (isUnassessed(point) ? " risk-unassessed" : "") + (changed ? " risk-changed" : ""),
    };
  }

  function popupHtml(cfg, p) {
    var S = cfg.strings;
    var url = cfg.tpsUrl.replace("/0/", "/" + encodeURIComponent(p.tps) + "/");
    var delta = p.delta == null ? escapeHtml(S.noYesterday)
      : '<span class="' + (p.delta > 0 ? "up" : p.delta < 0 ? "down" : "") + '">' +
        formatScore(p.delta, true) + "</span> " + escapeHtml(S.sinceYesterday);
    var reasons = "";
    (p.reasons || []).forEach(function (r) { reasons += "<li>" + escapeHtml(r) + "</li>"; });
    return (
      '<div class="map-popup risk-popup" data-risk-tps="' + escapeHtml(p.tps) + '"><strong>' +
      escapeHtml(p.label) + "</strong><br>" + escapeHtml(S.score) + ': <b class="risk-score">' +
      formatScore(p.score) + '</b> <span class="cat cat-' + escapeHtml(p.category) + '">' +
      escapeHtml(cfg.categories[p.category] || p.category) + "</span>" +
      (p.assessed ? "" : ' <span class="cat cat-none">' + escapeHtml(S.unassessed) + "</span>") +
      '<br><span class="risk-delta">' + delta + "</span>" +
      '<div class="risk-reasons">' + escapeHtml(S.reasons) + ":" +
      (reasons ? "<ul>" + reasons + "</ul>" : " " + escapeHtml(S.noReasons)) + "</div>" +
      '<a href="' + url + '">' + escapeHtml(S.open) + " →</a></div>"
    );
  }

  function legendHtml(cfg, points) {
    var S = cfg.strings;
    var counts = { aman: 0, rawan: 0, sangat_rawan: 0 };
    var unassessed = 0;
    var changed = 0;
    points.forEach(function (p) {
      if (isUnassessed(p)) unassessed += 1;
      else counts[p.category] = (counts[p.category] || 0) + 1;
      if (rose(p)) changed += 1;
    });
    var dot = function (fill, border) {
      return '<span class="swatch risk-swatch" style="background:' + fill +
        (border ? ";box-shadow:0 0 0 2px " + border : "") + '"></span>';
    };
    var html = "<div>" + escapeHtml(S.shown) + ": " + points.length + "</div>";
    ORDER.forEach(function (c) {
      html += '<div data-risk-legend-category="' + c + '">' + dot(COLORS[c]) +
        escapeHtml(cfg.categories[c] || c) + " " + counts[c] + "</div>";
    });
    html += '<div data-risk-legend-category="unassessed">' + dot(UNASSESSED) +
      escapeHtml(cfg.categories.aman) + ", " + escapeHtml(S.unassessed).toLowerCase() + " " +
      unassessed + "</div>";
    html += '<div data-risk-legend-changed>' + dot("#ffffff", CHANGED) + escapeHtml(S.changed) +
      " " + changed + '</div><div class="risk-legend-note">' + escapeHtml(S.size) + "</div>";
    return html;
  }

  function addRiskLayer(map, el, region) {
    var cfg = U.readJson("siaga-risk-config");
    if (!cfg) return;
    window.siagaLiveLayer({
      map: map,
      el: el,
      name: "risk",
      url: cfg.api.replace(/openapi\.json$/, "") + "risk/layer" +
        (region ? "?region=" + encodeURIComponent(region) : ""),
      refreshSeconds: cfg.refreshSeconds || 120,
      on: !!cfg.on,
      strings: cfg.strings,
      pane: PANE,
      zIndex: 620, // above the TPS markers, below media and incidents
      key: function (p) { return p.tps; },
      style: markerStyle,
      popup: function (p) { return popupHtml(cfg, p); },
      tooltip: function (p) { return escapeHtml(p.label + " · " + formatScore(p.score)); },
      legend: function (points) { return legendHtml(cfg, points); },
      sort: function (a, b) { return a.score - b.score; }, // the highest score ends on top
      summary: function (points) { return { changed: points.filter(rose).length }; },
    });
  }

  U.whenMapReady(addRiskLayer);
})();
