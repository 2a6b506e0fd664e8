/* The distribution timeline on the logistics overview: a stacked bar chart (Chart.js) of
 * shipments per planned departure day and stage. The table under it holds the same numbers. */
(function () {
  "use strict";
  var COLORS = ["#0b3b5c", "#2563eb", "#f59e0b", "#7c3aed"];

  function start() {
    var source = document.getElementById("logistics-chart-data");
    var canvas = document.getElementById("logistics-chart");
    if (!source || !canvas || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (d, i) {
      d.backgroundColor = COLORS[i % COLORS.length];
      d.borderWidth = 0;
    });
    new Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
    canvas.dataset.state = "ready";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
