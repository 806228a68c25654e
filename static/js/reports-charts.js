/* Charts of the dashboards and the transparency page: every canvas[data-chart] is drawn from
   the JSON script it names; the same figures are in the table next to it. No inline script. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var palette = ["#005ea2", "#c05600", "#00a398", "#8168b3", "#e5a000", "#d83933", "#3d4551", "#73b3e7"];
  var canvases = document.querySelectorAll("canvas[data-chart]");
  Array.prototype.forEach.call(canvases, function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, index) {
      var colour = palette[index % palette.length];
      return {
        label: set.label,
        data: set.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: spec.type === "line" ? 2 : 1,
        spanGaps: true,
        pointRadius: 3,
      };
    });
    // Counts get whole-number ticks (no "0.5 cases"); measures keep their decimals.
    var whole = spec.datasets.every(function (set) {
      return set.data.every(function (v) { return v === null || Number.isInteger(v); });
    });
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: !!spec.stacked },
          y: { stacked: !!spec.stacked, beginAtZero: true, ticks: whole ? { precision: 0 } : {}, title: { display: !!spec.yTitle, text: spec.yTitle || "" } },
        },
      },
    });
  });
})();
