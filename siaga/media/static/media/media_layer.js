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
 * The toggle, the refresh and that state are siaga/live_layer.js's, shared with the other layers.
 */
(function () {
  "use strict";

  var SEVERE = "#dc2626";
  var OTHER = "#f59e0b";
  var LABELS = ["hoaks", "provokasi", "sara", "ujaran_kebencian", "kasar"];
  var PANE = "siagaMedia";
  var U = window.siagaLayerUtils;
  var escapeHtml = U.escapeHtml;

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
      escapeHtml(S.last) + ": " + escapeHtml(U.formatWhen(p.last_posted_at)) + '<br><a href="' +
      escapeHtml(p.url) + '">' + escapeHtml(S.open) + " →</a></div>"
    );
  }

  function legendHtml(S, points) {
    var severe = points.filter(isSevere).length;
    var swatch = function (color) {
      return '<span class="swatch" style="background:' + color + ';border-radius:50%"></span>';
    };
    return "<div>" + escapeHtml(S.shown) + ": " + points.length + "</div>" +
      "<div>" + swatch(SEVERE) + escapeHtml(S.severe) + " " + severe + "</div>" +
      "<div>" + swatch(OTHER) + escapeHtml(S.other) + " " + (points.length - severe) + "</div>";
  }

  function addMediaLayer(map, el, region) {
    var cfg = U.readJson("siaga-media-config");
    if (!cfg) return;
    window.siagaLiveLayer({
      map: map,
      el: el,
      name: "media",
      url: cfg.api.replace(/openapi\.json$/, "") + "media/layer?hours=" +
        encodeURIComponent(cfg.hours || 24) +
        (region ? "&region=" + encodeURIComponent(region) : ""),
      refreshSeconds: cfg.refreshSeconds || 60,
      on: true,
      strings: cfg.strings,
      pane: PANE,
      zIndex: 630, // above the TPS markers, below the incidents
      key: function (p) { return p.code; },
      style: markerStyle,
      popup: function (p) { return popupHtml(cfg, p); },
      tooltip: function (p) { return escapeHtml(p.name + " · " + p.posts); },
      legend: function (points) { return legendHtml(cfg.strings, points); },
    });
  }

  U.whenMapReady(addMediaLayer);
})();
