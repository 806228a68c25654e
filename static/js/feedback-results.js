/* The survey results chart: CSAT average and % resolved per month (data from a JSON script
   element; the same figures are in the table under the chart). No inline script or style. */
(function () {
  "use strict";
  var canvas = document.getElementById("results-chart");
  var source = document.getElementById("results-chart-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {
          type: "bar",
          label: data.csatLabel,
          data: data.csat,
          yAxisID: "csat",
          backgroundColor: "#73b3e7",
          borderColor: "#005ea2",
          borderWidth: 1,
          order: 2,
        },
        {
          type: "line",
          label: data.resolvedLabel,
          data: data.resolved,
          yAxisID: "resolved",
          borderColor: "#c05600",
          backgroundColor: "#c05600",
          pointRadius: 5,
          pointStyle: "rectRot",
          spanGaps: true,
          order: 1,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        csat: { type: "linear", position: "left", min: 0, max: 5, title: { display: true, text: data.csatLabel } },
        resolved: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: data.resolvedLabel } },
      },
    },
  });
})();
