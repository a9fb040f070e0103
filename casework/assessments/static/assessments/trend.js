// The trend chart: a client's scores on one instrument, with the instrument's bands shaded behind the line.
// Data comes from the page's <script type="application/json" id="trend-data"> (json_script; no inline script).
// Without JavaScript (or Chart.js) the table below the chart holds the same points.
(function () {
  "use strict";

  // Light fills from green (lowest band) to red (highest), readable behind a dark line.
  var BAND_COLOURS = ["#e6f4ea", "#f3f7dc", "#fff3dc", "#fde6d2", "#fde8e8", "#f9d6d6"];
  var BAND_TEXT = "#4f5d6b";

  // A tiny Chart.js plugin: before the datasets are drawn, fill each band's score range and name it.
  var bandsPlugin = {
    id: "caseworkBands",
    beforeDatasetsDraw: function (chart, _args, options) {
      var bands = options.bands || [];
      var area = chart.chartArea;
      var y = chart.scales.y;
      var ctx = chart.ctx;
      ctx.save();
      bands.forEach(function (band, index) {
        // A band covers whole scores min..max: draw it from min - 0.5 to max + 0.5, clipped to the axis.
        var top = y.getPixelForValue(Math.min(band.max + 0.5, y.max));
        var bottom = y.getPixelForValue(Math.max(band.min - 0.5, y.min));
        ctx.fillStyle = BAND_COLOURS[Math.min(index, BAND_COLOURS.length - 1)];
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        ctx.strokeStyle = "rgba(79, 93, 107, 0.35)";
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(area.left, top);
        ctx.lineTo(area.right, top);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = BAND_TEXT;
        ctx.font = "12px system-ui, sans-serif";
        ctx.textAlign = "right";
        ctx.textBaseline = "top";
        if (bottom - top >= 14) ctx.fillText(band.label, area.right - 6, top + 3);
      });
      ctx.restore();
    }
  };

  function draw() {
    var source = document.getElementById("trend-data");
    var canvas = document.getElementById("trend-chart");
    if (!source || !canvas || typeof window.Chart !== "function") return;
    var data = JSON.parse(source.textContent);
    var points = data.points || [];
    var yMax = data.max !== null && data.max !== undefined ? data.max : undefined;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(function (p) { return p.date; }),
        datasets: [{
          label: data.labels.score,
          data: points.map(function (p) { return p.total; }),
          borderColor: "#1f5f8b",
          backgroundColor: "#1f5f8b",
          borderWidth: 3,
          pointRadius: 5,
          pointHoverRadius: 7,
          tension: 0
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: {
            min: 0,
            max: yMax,
            ticks: { stepSize: yMax && yMax > 12 ? 3 : 1, precision: 0 },
            title: { display: true, text: data.labels.score }
          },
          x: { title: { display: true, text: data.labels.date } }
        },
        plugins: {
          legend: { display: false },
          title: { display: false },
          tooltip: {
            callbacks: {
              afterLabel: function (context) {
                var point = points[context.dataIndex];
                return point && point.band ? data.labels.band + ": " + point.band : "";
              }
            }
          },
          caseworkBands: { bands: data.bands || [] }
        }
      },
      plugins: [bandsPlugin]
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
